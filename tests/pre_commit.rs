//! The hooks of `.pre-commit-hooks.yaml` run by the real pre-commit framework
//! (`scripts/test-pre-commit.sh`). It installs pre-commit from `PyPI` and builds govsheet, which
//! takes minutes, so it is ignored by a plain `cargo test` (and shows so) and `.ci/run` runs it
//! with `--ignored` when python3 has venv.

use std::path::Path;
use std::process::Command;

fn python3_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
#[ignore = "runs the real pre-commit framework (minutes): .ci/run runs it with --ignored"]
fn pre_commit_hooks_pass_clean_and_fail_broken_sheets() {
    assert!(
        python3_available(),
        "python3 is needed to install the pre-commit framework"
    );
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
