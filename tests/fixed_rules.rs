//! The rules the loader makes (`builtin: sheet-loader` in `policies/core.yaml`: `yaml-syntax`,
//! `schema`) fail closed: `policy.rules` cannot turn them off or lower them, and a waiver cannot
//! hide them, so a sheet that cannot be read never passes. Everything else keeps working:
//! the same sheet's other rules are still configured (one place applies the overrides).

use std::path::Path;
use std::process::Command;

const CLEAN: &str = include_str!("fixtures/schema/pass.yaml");

/// `check --format json` on `text` as `governance.yaml` in a fresh folder: exit code and findings.
fn check(text: &str) -> (i32, Vec<serde_json::Value>) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let sheet = tmp.path().join("governance.yaml");
    std::fs::write(&sheet, text).expect("write the sheet");
    let out = Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .args(["--today", "2026-11-25", "check", "--format", "json"])
        .arg(Path::new("governance.yaml"))
        .current_dir(tmp.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("govsheet runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    (out.status.code().unwrap_or(-1), findings)
}

fn at<'a>(
    findings: &'a [serde_json::Value],
    rule: &str,
    pointer: &str,
) -> Option<&'a serde_json::Value> {
    findings
        .iter()
        .find(|f| f["rule"] == rule && f["pointer"] == pointer)
}

#[test]
fn the_clean_sheet_is_clean() {
    let (code, findings) = check(CLEAN);
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
}

#[test]
fn schema_cannot_be_turned_off_lowered_or_waived() {
    let text = format!(
        "{CLEAN}ownrs: {{tracking: {{name: T}}}}\npolicy:\n  rules:\n    schema: off\n    yaml-syntax: info\nwaivers:\n  - {{rule: schema, target: /ownrs, reason: r, approved_by: tracking, expires: 2026-12-31}}\n"
    );
    let (code, findings) = check(&text);
    assert_eq!(
        code, 1,
        "a sheet with an unknown key never passes: {findings:?}"
    );
    let unknown = at(&findings, "schema", "/ownrs").expect("the unknown key is still reported");
    assert_eq!(unknown["severity"], "error");
    for pointer in [
        "/policy/rules/schema",
        "/policy/rules/yaml-syntax",
        "/waivers/0/rule",
    ] {
        let f = at(&findings, "schema", pointer)
            .unwrap_or_else(|| panic!("no finding at {pointer}: {findings:?}"));
        assert_eq!(f["severity"], "error");
        assert!(
            f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("cannot be"),
            "{f}"
        );
    }
    assert!(
        !findings.iter().any(|f| f["rule"] == "waiver-unused"),
        "the waiver is reported once, as a schema finding: {findings:?}"
    );
}

#[test]
fn other_rules_are_still_configured_in_one_place() {
    // `review-overdue` is a warning by default; turned off here, and `event-owner` lowered.
    let mut text = CLEAN
        .replace("last: 2026-11-24", "last: 2026-10-01")
        .replace("    owner: tracking\n    browser", "    browser");
    text.push_str("policy:\n  rules:\n    review-overdue: off\n    event-owner: info\n");
    assert!(text.contains("2026-10-01") && !text.contains("owner: tracking\n    browser"));
    let (code, findings) = check(&text);
    assert_eq!(code, 0, "{findings:?}");
    assert!(
        !findings.iter().any(|f| f["rule"] == "review-overdue"),
        "{findings:?}"
    );
    let owner = findings
        .iter()
        .find(|f| f["rule"] == "event-owner")
        .unwrap_or_else(|| panic!("the owner is missing: {findings:?}"));
    assert_eq!(owner["severity"], "info");
}
