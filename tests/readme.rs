//! Every command the README shows in a `sh` block runs, as written, and succeeds (issue 14):
//! a README that drifts from the tool fails here.
//!
//! Each block runs in a fresh git repository holding a copy of the shipped Shopify example
//! (with `origin/main` at its only commit), or an empty one when the block runs `govsheet
//! init`. `cargo run --release -- ARGS` runs the test binary with ARGS from the crate root.
//! `cargo install`, `cargo test` and `bash .ci/run` are CI's own steps and are not re-run.

use std::path::{Path, PathBuf};
use std::process::Command;

const TODAY: &str = "2026-11-25";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `sh` blocks of the README: each a list of commands (comments and blank lines dropped).
fn sh_blocks() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(block), l) => {
                let command = l.split(" #").next().unwrap_or("").trim();
                if !command.is_empty() && !command.starts_with('#') {
                    block.push(command.to_owned());
                }
            }
            (None, _) => {}
        }
    }
    blocks
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A scratch repository for one block.
fn repository(with_example: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    if with_example {
        copy_dir(&root().join("examples/shopify-store"), dir.path());
        git(dir.path(), &["add", "-A"]);
        git(dir.path(), &["commit", "-qm", "example"]);
        git(
            dir.path(),
            &["update-ref", "refs/remotes/origin/main", "HEAD"],
        );
    }
    dir
}

/// Split a command line on spaces, honouring double quotes (the README uses no other quoting).
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

#[test]
fn every_readme_command_runs() {
    let blocks = sh_blocks();
    assert!(blocks.len() >= 3, "the README lost its command blocks");
    let mut ran = 0;
    for block in blocks {
        let init = block.iter().any(|c| c.starts_with("govsheet init"));
        let repo = repository(!init);
        for command in &block {
            let w = words(command);
            let (dir, args): (&Path, &[String]) =
                match w.iter().map(String::as_str).collect::<Vec<_>>()[..] {
                    ["cargo", "run", "--release", "--", ..] => (&root(), &w[4..]),
                    ["govsheet", ..] => (repo.path(), &w[1..]),
                    ["cargo", "install" | "test", ..] | ["bash", ".ci/run"] => continue,
                    _ => panic!(
                        "the README runs `{command}`, which this test does not know how to run"
                    ),
                };
            let dir = dir.to_path_buf();
            let o = Command::new(env!("CARGO_BIN_EXE_govsheet"))
                .args(args)
                .current_dir(&dir)
                .env("GOVSHEET_TODAY", TODAY)
                .env("NO_COLOR", "1")
                .output()
                .expect("the govsheet binary runs");
            // Right after `init`, in this empty folder, the starter's globs name files of a
            // real store that are not here: `component-matches-nothing` errors, and only those.
            let expected = if init && args.first().is_some_and(|a| a == "check") {
                let j = Command::new(env!("CARGO_BIN_EXE_govsheet"))
                    .args(["check", "--format", "json"])
                    .current_dir(&dir)
                    .env("GOVSHEET_TODAY", TODAY)
                    .output()
                    .expect("the govsheet binary runs");
                let j: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
                let errors: Vec<&serde_json::Value> = j["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|f| f["severity"] == "error")
                    .collect();
                assert!(
                    errors
                        .iter()
                        .all(|f| f["rule"] == "component-matches-nothing"),
                    "the starter sheet needs more than its files: {errors:#?}"
                );
                Some(if errors.is_empty() { 0 } else { 1 })
            } else {
                Some(0)
            };
            assert_eq!(
                o.status.code(),
                expected,
                "README command `{command}` failed in {}:\n{}{}",
                dir.display(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 5, "only {ran} README commands ran");
}
