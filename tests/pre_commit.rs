//! The hooks of `.pre-commit-hooks.yaml` run by the real pre-commit framework
//! (`scripts/test-pre-commit.sh`). It installs pre-commit from PyPI and builds govsheet in
//! release mode, so it runs only when `GOVSHEET_PRECOMMIT_TEST=1` (CI sets it) and python3 exists.

use std::path::Path;
use std::process::Command;

fn python3_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn pre_commit_hooks_pass_clean_and_fail_broken_sheets() {
    if std::env::var("GOVSHEET_PRECOMMIT_TEST").as_deref() != Ok("1") {
        eprintln!("skipped: set GOVSHEET_PRECOMMIT_TEST=1 to run the pre-commit hooks test");
        return;
    }
    if !python3_available() {
        eprintln!("skipped: python3 is not available");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/test-pre-commit.sh");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .expect("run scripts/test-pre-commit.sh");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("all pre-commit checks passed"), "{text}");
}
