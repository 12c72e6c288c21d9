//! `govsheet retests` and `govsheet record` against real throwaway git repositories.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const SHEET: &str = r#"version: 1
records_dir: records
owners:
  tracking: {name: Tracking}
  commerce: {name: Commerce}
events:
  Purchase:
    triggers: [checkout, server]
    retests: [purchase-dedupe]
    rollback: {rule: revert, pause: [budget, roas], resume_when: dedupe passes}
  ViewContent:
    triggers: [theme]
    retests: [smoke]
    rollback: {rule: revert, pause: [product-sets], resume_when: smoke passes}
components:
  snippet:
    paths: ['theme/snippets/tracking.liquid']
  theme:
    paths: ['theme/**', '!theme/**/*.md', '!theme/snippets/tracking.liquid']
    depends_on: [snippet]
  checkout:
    paths: ['checkout/**']
    depends_on: [snippet]
  server:
    paths: ['server container/**']
  payment:
    paths: ['apps/zahlung/**']
    retests: [payment-check]
retests:
  purchase-dedupe: {title: Dedupe, method: place 3 orders, owner: tracking, max_age: 30d}
  smoke: {title: Smoke, method: click around, owner: tracking}
  payment-check: {title: Payment, method: pay once, owner: commerce}
records:
  - {retest: smoke, date: 2026-11-01, result: pass, by: tracking, evidence: old run}
"#;

mod common;

use common::{Repo, Run, TODAY, git_env, git_in, required, strs};

/// The shop of these tests: `SHEET` and a file for each component (and one for none),
/// committed on `main`, with `feature` checked out.
fn shop() -> Repo {
    Repo::with_files(
        SHEET,
        &[
            "theme/snippets/tracking.liquid",
            "theme/layout/theme.liquid",
            "theme/README.md",
            "checkout/pay.js",
            "server container/tag.json",
            "apps/zahlung/settings.json",
            "README.md",
        ],
    )
}

fn govsheet(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    common::govsheet_with(dir, args, &[], stdin)
}

fn required_ids(v: &Value) -> Vec<String> {
    v["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["retest"].as_str().unwrap().to_owned())
        .collect()
}

fn rules(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn shared_snippet_change_requires_theme_and_checkout_retests_transitively() {
    let repo = shop();
    repo.change("theme/snippets/tracking.liquid", "2026-11-20");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        strs(&v["changed_files"]),
        vec!["theme/snippets/tracking.liquid"]
    );
    assert_eq!(strs(&v["components"]), vec!["snippet", "theme", "checkout"]);
    assert_eq!(strs(&v["events"]), vec!["Purchase", "ViewContent"]);
    let dedupe = required(&v, "purchase-dedupe");
    assert_eq!(dedupe["status"], "missing");
    assert_eq!(dedupe["change_date"], "2026-11-20");
    assert_eq!(
        dedupe["because"],
        serde_json::json!([[
            "theme/snippets/tracking.liquid",
            "snippet",
            "checkout",
            "Purchase"
        ]])
    );
    let smoke = required(&v, "smoke");
    assert_eq!(smoke["status"], "missing");
    assert_eq!(smoke["record"]["date"], "2026-11-01");
    assert_eq!(
        v["paused"],
        serde_json::json!([
            {"event": "Purchase", "conclusions": ["budget", "roas"], "until": ["purchase-dedupe"]},
            {"event": "ViewContent", "conclusions": ["product-sets"], "until": ["smoke"]}
        ])
    );
    assert_eq!(rules(&v), vec!["retest-missing", "retest-missing"]);
    let f = &v["findings"][0];
    assert_eq!(f["file"], "governance.yaml");
    assert_eq!(f["pointer"], "/retests/purchase-dedupe");
    assert!(f["message"].as_str().unwrap().contains("purchase-dedupe"));
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("govsheet record purchase-dedupe --result pass --by tracking --evidence")
    );
    assert!(
        repo.run(&["retests", "--base", "main"])
            .stdout
            .contains("MISSING    purchase-dedupe")
    );
}

#[test]
fn records_in_the_sheet_and_in_records_dir_cover() {
    let repo = shop();
    repo.change("theme/snippets/tracking.liquid", "2026-11-20");
    // smoke in the sheet, purchase-dedupe in records_dir
    let sheet = SHEET.replace(
        "records:\n",
        "records:\n  - {retest: smoke, date: 2026-11-22, result: pass, by: tracking, evidence: rerun}\n",
    );
    repo.write("governance.yaml", &sheet);
    repo.write(
        "records/2026-11-21-purchase-dedupe.yaml",
        "retest: purchase-dedupe\ndate: 2026-11-21\nresult: pass\nby: tracking\nevidence: 3 orders\n",
    );
    repo.commit_all("records", "2026-11-22");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(required(&v, "purchase-dedupe")["status"], "covered");
    assert_eq!(
        required(&v, "purchase-dedupe")["record"]["file"],
        "records/2026-11-21-purchase-dedupe.yaml"
    );
    assert_eq!(required(&v, "smoke")["status"], "covered");
    assert_eq!(required(&v, "smoke")["record"]["date"], "2026-11-22");
    assert!(rules(&v).is_empty());
}

#[test]
fn a_record_before_the_change_does_not_cover() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    repo.write(
        "records/a.yaml",
        "{retest: purchase-dedupe, date: 2026-11-19, result: pass, by: tracking, evidence: x}\n",
    );
    repo.commit_all("record", "2026-11-20");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1);
    let r = required(&v, "purchase-dedupe");
    assert_eq!(r["status"], "missing");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains("before the change of 2026-11-20")
    );
    // --since moves the change date back
    let (code, _) = repo.json(&["--base", "main", "--since", "2026-11-19"]);
    assert_eq!(code, 0);
}

#[test]
fn max_age_counts_from_today() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    repo.write(
        "records/a.yaml",
        "{retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: x}\n",
    );
    repo.commit_all("record", "2026-11-21");
    let (code, _) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0);
    let (code, v) = repo.json(&["--today", "2026-12-22", "--base", "main"]);
    assert_eq!(code, 1);
    let r = required(&v, "purchase-dedupe");
    assert_eq!(r["status"], "missing");
    assert!(
        r["reason"].as_str().unwrap().contains("31 days old"),
        "{r:#}"
    );
}

#[test]
fn a_newer_fail_fails() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    repo.write(
        "records/a.yaml",
        "- {retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: x}\n\
         - {retest: purchase-dedupe, date: 2026-11-23, result: fail, by: tracking, evidence: dupes}\n",
    );
    repo.commit_all("records", "2026-11-23");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(required(&v, "purchase-dedupe")["status"], "failed");
    assert_eq!(required(&v, "purchase-dedupe")["record"]["result"], "fail");
    assert_eq!(rules(&v), vec!["retest-failed"]);
}

#[test]
fn not_needed_with_notes_covers_and_is_shown_as_such() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    repo.write(
        "records/a.yaml",
        "{retest: purchase-dedupe, date: 2026-11-21, result: not-needed, by: tracking, evidence: diff, notes: comment only}\n",
    );
    repo.commit_all("record", "2026-11-21");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0);
    let r = required(&v, "purchase-dedupe");
    assert_eq!(r["status"], "covered");
    assert_eq!(r["record"]["result"], "not-needed");
    assert_eq!(r["record"]["notes"], "comment only");
    let human = repo.run(&["retests", "--base", "main"]).stdout;
    assert!(human.contains("NOT-NEEDED purchase-dedupe"), "{human}");
    assert!(human.contains("notes: comment only"), "{human}");
}

#[test]
fn negated_glob_means_no_retest_required() {
    let repo = shop();
    repo.change("theme/README.md", "2026-11-20");
    repo.change("README.md", "2026-11-20");
    let r = repo.run(&["retests", "--base", "main"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("no retest required"), "{}", r.stdout);
    let (_, v) = repo.json(&["--base", "main"]);
    assert_eq!(
        strs(&v["changed_files"]),
        vec!["README.md", "theme/README.md"]
    );
    assert!(v["required"].as_array().unwrap().is_empty());
}

#[test]
fn a_rename_out_of_a_component_counts_its_old_path() {
    let repo = shop();
    std::fs::create_dir_all(repo.path("docs")).unwrap();
    repo.git(&["mv", "checkout/pay.js", "docs/pay.js"], "2026-11-20");
    repo.commit_all("move", "2026-11-20");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1);
    assert_eq!(
        strs(&v["changed_files"]),
        vec!["checkout/pay.js", "docs/pay.js"]
    );
    assert_eq!(strs(&v["components"]), vec!["checkout"]);
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], "2026-11-20");
}

#[test]
fn a_deletion_counts() {
    let repo = shop();
    repo.git(&["rm", "-q", "server container/tag.json"], TODAY);
    repo.commit_all("delete", "2026-11-22");
    let (_, v) = repo.json(&["--base", "main"]);
    assert_eq!(strs(&v["changed_files"]), vec!["server container/tag.json"]);
    assert_eq!(
        required(&v, "purchase-dedupe")["because"],
        serde_json::json!([["server container/tag.json", "server", "Purchase"]])
    );
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], "2026-11-22");
}

#[test]
fn paths_with_spaces_quotes_and_non_ascii_survive() {
    let repo = shop();
    let odd = "server container/t\u{e4}gs \"q\" 'x'.json";
    let umlaut = "apps/zahlung/\u{fc}ber \u{df}.js";
    repo.write(odd, "x\n");
    repo.write(umlaut, "y\n");
    repo.commit_all("odd names", "2026-11-21");
    let (_, v) = repo.json(&["--base", "main"]);
    assert_eq!(
        strs(&v["changed_files"]),
        vec![umlaut.to_owned(), odd.to_owned()]
    );
    assert_eq!(strs(&v["components"]), vec!["server", "payment"]);
    assert_eq!(
        required(&v, "payment-check")["because"],
        serde_json::json!([[umlaut, "payment"]])
    );
}

#[test]
fn staged_changes_are_dated_today() {
    let repo = shop();
    repo.write("checkout/new.js", "new\n");
    repo.write("theme/layout/theme.liquid", "unstaged edit\n");
    repo.git(&["add", "checkout/new.js"], TODAY);
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 1);
    assert_eq!(strs(&v["changed_files"]), vec!["checkout/new.js"]);
    assert_eq!(required_ids(&v), vec!["purchase-dedupe"]);
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], TODAY);
    assert!(v["compared"].as_str().unwrap().contains("index"));
}

#[test]
fn listed_paths_are_relative_to_the_current_folder() {
    let repo = shop();
    let r = govsheet(
        &repo.path("checkout"),
        &[
            "retests",
            "--format",
            "json",
            "--sheet",
            "../governance.yaml",
            "pay.js",
            "../theme/README.md",
        ],
        None,
    );
    let v: Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    assert_eq!(
        strs(&v["changed_files"]),
        vec!["checkout/pay.js", "theme/README.md"]
    );
    assert_eq!(required_ids(&v), vec!["purchase-dedupe"]);
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], TODAY);
    assert_eq!(r.code, 1);
}

#[test]
fn files_from_stdin() {
    let repo = shop();
    let r = govsheet(
        &repo.dir,
        &["retests", "--format", "json", "--files-from", "-"],
        Some("theme/layout/theme.liquid\r\n\napps/zahlung/settings.json\n"),
    );
    let v: Value = serde_json::from_str(&r.stdout).expect(&r.stderr);
    assert_eq!(
        strs(&v["changed_files"]),
        vec!["apps/zahlung/settings.json", "theme/layout/theme.liquid"]
    );
    assert_eq!(required_ids(&v), vec!["smoke", "payment-check"]);
}

#[test]
fn an_unknown_ref_is_exit_2() {
    let repo = shop();
    let r = repo.run(&["retests", "--base", "no-such-branch"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    let r = repo.run(&["retests", "--base", "--output=x"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn not_a_repository_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("governance.yaml"), SHEET).unwrap();
    let r = govsheet(tmp.path(), &["retests", "--staged"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a git repository"), "{}", r.stderr);
    // with no source of changes at all, say what to pass
    let r = govsheet(tmp.path(), &["retests"], None);
    assert_eq!(r.code, 2);
}

#[test]
fn a_shallow_clone_without_the_merge_base_is_exit_2_and_says_how_to_fetch() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    let clone_parent = tempfile::tempdir().unwrap();
    let url = format!("file://{}", repo.dir.display());
    git_in(
        clone_parent.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-single-branch",
            "--branch",
            "feature",
            &url,
            "c",
        ],
        TODAY,
    );
    let r = govsheet(
        &clone_parent.path().join("c"),
        &["retests", "--base", "origin/main"],
        None,
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("shallow clone"), "{}", r.stderr);
    assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
    assert!(r.stderr.contains("git fetch --unshallow"), "{}", r.stderr);
}

#[test]
fn pre_commit_range_and_new_branch() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsheet"));
    cmd.args(["retests", "--format", "json"])
        .current_dir(&repo.dir)
        .env("GOVSHEET_TODAY", TODAY)
        .env("PRE_COMMIT_FROM_REF", "main")
        .env("PRE_COMMIT_TO_REF", "feature");
    git_env(&mut cmd, TODAY);
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(strs(&v["changed_files"]), vec!["checkout/pay.js"]);
    cmd.env(
        "PRE_COMMIT_FROM_REF",
        "0000000000000000000000000000000000000000",
    );
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(strs(&v["changed_files"]), vec!["checkout/pay.js"]);
    assert!(
        v["compared"].as_str().unwrap().contains("new branch"),
        "{v:#}"
    );
}

#[test]
fn record_writes_a_new_file_that_covers_the_retest_once_committed() {
    let repo = shop();
    repo.change("checkout/pay.js", "2026-11-20");
    let evidence = "Test Events: \"3 orders\" # one each: ok";
    let record = |evidence: &str| {
        repo.run(&[
            "record",
            "purchase-dedupe",
            "--result",
            "pass",
            "--by",
            "tracking",
            "--evidence",
            evidence,
        ])
    };
    let r = record(evidence);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first_path = r.stdout.trim().to_owned();
    assert!(
        first_path.starts_with("records/2026-11-25-purchase-dedupe-")
            && first_path.ends_with(".yaml"),
        "{first_path}"
    );
    assert!(
        r.stderr.contains(&format!("git add -- {first_path}")),
        "{}",
        r.stderr
    );
    let r2 = record("again");
    let second_path = r2.stdout.trim().to_owned();
    assert_ne!(first_path, second_path);
    let first = std::fs::read_to_string(repo.path(&first_path)).unwrap();
    assert!(!first.contains("again"), "{first}");
    assert_eq!(
        std::fs::read_to_string(repo.path("governance.yaml")).unwrap(),
        SHEET
    );
    // the evidence, with its quotes, colon and hash, is written quoted and reads back as given
    assert!(
        first.contains(r#"evidence: "Test Events: \"3 orders\" # one each: ok""#),
        "{first}"
    );

    // not in git yet: it does not cover the range
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    repo.commit_all("records", TODAY);
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    let rec = &required(&v, "purchase-dedupe")["record"];
    assert_eq!(rec["date"], TODAY);
    let (_, v) = repo.json(&["--base", "main", "--since", "2026-11-01", "--today", TODAY]);
    assert!(v["findings"].as_array().unwrap().is_empty(), "{v:#}");
    let check = repo.run(&["check"]);
    assert!(
        !check.stdout.contains("records/2026-11-25"),
        "{}",
        check.stdout
    );
}

#[test]
fn record_refuses_what_it_cannot_write() {
    let repo = shop();
    let base = [
        "record",
        "purchase-dedupe",
        "--result",
        "pass",
        "--by",
        "tracking",
        "--evidence",
        "x",
    ];
    let mut typo = base;
    typo[1] = "purchase-dedup";
    let r = repo.run(&typo);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean `purchase-dedupe`"),
        "{}",
        r.stderr
    );
    let mut owner = base;
    owner[5] = "trackin";
    let r = repo.run(&owner);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean `tracking`"), "{}", r.stderr);
    let mut nn = base;
    nn[3] = "not-needed";
    let r = repo.run(&nn);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--notes"), "{}", r.stderr);
    let mut future = base.to_vec();
    future.extend(["--date", "2026-12-01"]);
    assert_eq!(repo.run(&future).code, 2);
    repo.write(
        "governance.yaml",
        &SHEET.replace("records_dir: records\n", ""),
    );
    let r = repo.run(&base);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("records_dir"), "{}", r.stderr);
    assert!(!repo.path("records").exists());
}

#[test]
fn policy_rules_and_waivers_apply_to_retest_findings() {
    // The policy and the waiver are the base's: those added in the range do not judge it
    // (tests/gate.rs).
    let repo = shop();
    let on_main = |sheet: &str| {
        repo.git(&["checkout", "-q", "main"], TODAY);
        repo.write("governance.yaml", sheet);
        repo.commit_all("policy", "2026-11-01");
        repo.git(&["checkout", "-q", "feature"], TODAY);
        repo.git(&["merge", "-q", "main"], TODAY);
    };
    repo.change("checkout/pay.js", "2026-11-20");
    repo.change("theme/layout/theme.liquid", "2026-11-20");
    let sheet = format!("{SHEET}policy:\n  rules: {{retest-missing: warning}}\n");
    on_main(&sheet);
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["findings"][0]["severity"], "warning");
    assert_eq!(repo.json(&["--fail-on", "warning", "--base", "main"]).0, 1);

    let sheet = format!(
        "{SHEET}waivers:\n  - {{rule: retest-missing, target: /retests/smoke, reason: theme freeze, approved_by: tracking, expires: 2026-12-31}}\n"
    );
    on_main(&sheet);
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1);
    let pointers: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, vec!["/retests/purchase-dedupe"], "{v:#}");
    // the report still shows the waived retest as missing
    assert_eq!(required(&v, "smoke")["status"], "missing");
}

#[test]
fn a_sheet_root_below_the_repository_root() {
    let repo = shop();
    let sheet = SHEET.replace("version: 1\n", "version: 1\nroot: .\n");
    repo.write("web/governance.yaml", &sheet);
    repo.write("web/checkout/pay.js", "v1\n");
    repo.commit_all("web", "2026-11-01");
    repo.git(&["branch", "-f", "main"], TODAY);
    repo.change("web/checkout/pay.js", "2026-11-21");
    repo.change("checkout/pay.js", "2026-11-21");
    let (code, v) = repo.json(&["--sheet", "web/governance.yaml", "--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(strs(&v["changed_files"]), vec!["checkout/pay.js"]);
    assert_eq!(v["outside_root"], 1);
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], "2026-11-21");
    // listed paths outside the root are counted too
    let r = govsheet(
        &repo.dir,
        &[
            "retests",
            "--sheet",
            "web/governance.yaml",
            "checkout/pay.js",
            "web/checkout/pay.js",
        ],
        None,
    );
    assert!(
        r.stdout
            .contains("1 changed path outside the component root left out"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("web/governance.yaml"), "{}", r.stdout);
}

#[test]
fn git_missing_is_exit_2_and_says_so() {
    let repo = shop();
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .args(["retests", "--base", "main"])
        .current_dir(&repo.dir)
        .env("PATH", empty.path())
        .env("GOVSHEET_TODAY", TODAY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("git was not found"), "{err}");
}

#[test]
fn a_broken_sheet_never_passes() {
    let repo = shop();
    repo.write("governance.yaml", "version: 1\ncomponents: [\n");
    let r = repo.run(&["retests", "checkout/pay.js"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("yaml-syntax"), "{}", r.stdout);
    let r = repo.run(&[
        "--fail-on",
        "warning",
        "retests",
        "--format",
        "json",
        "checkout/pay.js",
    ]);
    assert_eq!(r.code, 1);
}
