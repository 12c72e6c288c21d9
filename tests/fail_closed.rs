//! Never fail open: every path where an internal error could pass for a clean run must end
//! with exit 2 and a message naming the file (and line and column where there is one).
//! The `records_dir` cases are in `cli_check.rs`; here are policy packs and git.

use std::path::Path;
use std::process::{Command, Output};

fn govsheet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .current_dir(dir)
        .env_remove("GOVSHEET_TODAY")
        .env_remove("PRE_COMMIT_FROM_REF")
        .env_remove("PRE_COMMIT_TO_REF")
        .args(["--color", "never", "--today", "2026-11-25"])
        .args(args)
        .output()
        .expect("the govsheet binary runs")
}

#[track_caller]
fn expect_exit_2(o: &Output, needles: &[&str]) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(2), "exit code; output:\n{all}");
    for n in needles {
        assert!(all.contains(n), "output should contain {n:?}:\n{all}");
    }
    assert!(!all.contains("panicked"), "panic:\n{all}");
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const SHEET: &str = "version: 1
owners:
  tracking: {name: Ana, contact: a, role: tracking}
components:
  theme:
    owner: tracking
    paths: [\"theme/**\"]
    retests: [smoke]
retests:
  smoke: {title: Smoke, method: Fire every event once in Test Events., owner: tracking}
";

#[test]
fn policy_pack_that_is_not_yaml_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "theme/a.liquid", "x");
    write(
        tmp.path(),
        "governance.yaml",
        &format!("{SHEET}policy:\n  packs: [policies/team.yaml]\n"),
    );
    write(tmp.path(), "policies/team.yaml", "rules: [unclosed\n");
    let o = govsheet(tmp.path(), &["check"]);
    expect_exit_2(&o, &["team.yaml"]);
}

#[test]
fn policy_pack_of_the_wrong_shape_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "theme/a.liquid", "x");
    write(
        tmp.path(),
        "governance.yaml",
        &format!("{SHEET}policy:\n  packs: [policies/team.yaml]\n"),
    );
    write(tmp.path(), "policies/team.yaml", "- just\n- a list\n");
    expect_exit_2(&govsheet(tmp.path(), &["check"]), &["team.yaml"]);
    write(
        tmp.path(),
        "policies/team.yaml",
        b"\xff\xfe\x00"
            .iter()
            .map(|&b| b as char)
            .collect::<String>()
            .as_str(),
    );
    expect_exit_2(&govsheet(tmp.path(), &["check"]), &["team.yaml"]);
}

#[test]
fn missing_or_escaping_policy_pack_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    write(tmp.path(), "theme/a.liquid", "x");
    write(
        tmp.path(),
        "governance.yaml",
        &format!("{SHEET}policy:\n  packs: [policies/nope.yaml]\n"),
    );
    expect_exit_2(&govsheet(tmp.path(), &["check"]), &["nope.yaml"]);
    write(
        tmp.path(),
        "governance.yaml",
        &format!("{SHEET}policy:\n  packs: [../outside.yaml]\n"),
    );
    expect_exit_2(
        &govsheet(tmp.path(), &["check"]),
        &["governance.yaml:", "outside"],
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

/// A repository with the sheet, then a commit that changes a theme file.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    git(tmp.path(), &["init", "-q"]);
    write(tmp.path(), "governance.yaml", SHEET);
    write(tmp.path(), "theme/a.liquid", "one");
    git(tmp.path(), &["add", "-A"]);
    git(tmp.path(), &["commit", "-q", "-m", "base"]);
    git(tmp.path(), &["tag", "base"]);
    write(tmp.path(), "theme/a.liquid", "two");
    git(tmp.path(), &["commit", "-q", "-am", "change"]);
    tmp
}

#[test]
fn retests_outside_a_repository_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", SHEET);
    let o = govsheet(tmp.path(), &["retests", "--base", "main"]);
    expect_exit_2(&o, &["not a git repository"]);
}

#[test]
fn retests_with_an_unknown_ref_is_exit_2() {
    let r = repo();
    let o = govsheet(r.path(), &["retests", "--base", "no-such-branch"]);
    expect_exit_2(&o, &["no-such-branch", "unknown revision"]);
}

#[test]
fn retests_without_a_merge_base_is_exit_2() {
    let r = repo();
    git(r.path(), &["checkout", "-q", "--orphan", "other"]);
    git(r.path(), &["commit", "-q", "-m", "unrelated history"]);
    let o = govsheet(r.path(), &["retests", "--base", "base"]);
    expect_exit_2(&o, &["no merge base"]);
}

#[test]
fn retests_when_git_fails_mid_run_is_exit_2() {
    // The commits resolve, but the tree of the head commit is gone: `git diff` fails after
    // the refs were checked. That must not read as "no changed files".
    let r = repo();
    let tree = git(r.path(), &["rev-parse", "HEAD^{tree}"]);
    let object = r
        .path()
        .join(".git/objects")
        .join(&tree[..2])
        .join(&tree[2..]);
    std::fs::remove_file(&object).expect("the tree is a loose object");
    let o = govsheet(r.path(), &["retests", "--base", "base"]);
    expect_exit_2(&o, &[]);
}

#[test]
fn retests_in_a_working_repo_is_not_exit_2() {
    // The control for the cases above: the same repository, intact, reports the retest as
    // missing (exit 1), so exit 2 above is the failure and not the repository's shape.
    let r = repo();
    let o = govsheet(r.path(), &["retests", "--base", "base"]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(o.status.code(), Some(1), "{all}");
    assert!(all.contains("smoke"), "{all}");
}
