//! A team's own policy pack end to end: a rule written only in YAML ("every event that has
//! `user_data` declares its `consent`"), its severity set in `policy.rules`, a waiver of it,
//! and invalid packs stopping the run with file, line and column.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const PACK: &str = r#"pack: acme
description: Acme's own governance rules.
rules:
  - id: user-data-consent
    severity: warning
    summary: user_data without a consent condition
    description: Every event that sends `user_data` says under which consent it may be sent.
    why: Sending hashed identifiers without consent is a compliance incident and a reason to switch the whole server path off.
    examples:
      fail: |
        events:
          Purchase:
            parameters:
              user_data: {source_of_truth: accounts}
      pass: |
        events:
          Purchase:
            parameters:
              user_data: {source_of_truth: accounts, consent: marketing consent granted}
    select: /events/{event}/parameters/user_data
    message: event `{event}` sends user_data without a consent condition
    help: "write `consent:` under `parameters.user_data` of `{event}` saying when it may be sent"
    assert:
      - present: consent
"#;

fn sheet(extra: &str) -> String {
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/event-owner/pass.yaml"),
    )
    .unwrap();
    let with_params = base.replace(
        "      currency: {source_of_truth: orders, owner: commerce, required: true}\n",
        "      currency: {source_of_truth: orders, owner: commerce, required: true}\n      user_data: {source_of_truth: orders, owner: tracking}\n",
    );
    assert_ne!(with_params, base, "the fixture changed: update this test");
    format!("{with_params}{extra}")
}

fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .current_dir(dir)
        .env_remove("GOVSHEET_TODAY")
        .args(["--today", "2026-11-25"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn setup(extra: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("policies")).unwrap();
    std::fs::write(tmp.path().join("policies/acme.yaml"), PACK).unwrap();
    std::fs::write(tmp.path().join("governance.yaml"), sheet(extra)).unwrap();
    tmp
}

fn findings(stdout: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    v["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_yaml_only_rule_runs_is_configured_and_waived() {
    // Without the pack, nothing is said about consent.
    let tmp = setup("");
    let (code, out, err) = run(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(findings(&out).is_empty(), "{out}");

    // With it: a warning at the user_data parameter, naming the event.
    let tmp = setup("policy:\n  packs: [policies/acme.yaml]\n");
    let (code, out, err) = run(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(
        code,
        Some(0),
        "a warning does not fail by default: {out}{err}"
    );
    let f = findings(&out);
    assert_eq!(f.len(), 1, "{out}");
    assert_eq!(f[0]["rule"], "user-data-consent");
    assert_eq!(f[0]["severity"], "warning");
    assert_eq!(f[0]["pointer"], "/events/Purchase/parameters/user_data");
    assert_eq!(
        f[0]["message"],
        "event `Purchase` sends user_data without a consent condition"
    );
    let text = std::fs::read_to_string(tmp.path().join("governance.yaml")).unwrap();
    let line = text.lines().position(|l| l.contains("user_data:")).unwrap() + 1;
    assert_eq!(f[0]["line"].as_u64(), Some(line as u64));
    assert_eq!(f[0]["column"], 7);
    let (code, _, _) = run(tmp.path(), &["check", "--fail-on", "warning"]);
    assert_eq!(code, Some(1));

    // Listed and explained like a core rule.
    let (code, out, _) = run(tmp.path(), &["rules"]);
    assert_eq!(code, Some(0));
    assert!(
        out.lines()
            .any(|l| l.starts_with("user-data-consent") && l.contains("acme")),
        "{out}"
    );
    let (code, out, _) = run(tmp.path(), &["explain", "user-data-consent"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("compliance incident"), "{out}");

    // Its severity raised in policy.rules.
    let tmp =
        setup("policy:\n  packs: [policies/acme.yaml]\n  rules:\n    user-data-consent: error\n");
    let (code, out, _) = run(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code, Some(1));
    assert_eq!(findings(&out)[0]["severity"], "error");

    // Waived: the finding is hidden and the waiver is used.
    let tmp = setup(
        "policy:\n  packs: [policies/acme.yaml]\n  rules:\n    user-data-consent: error\nwaivers:\n  - rule: user-data-consent\n    target: /events/Purchase/parameters\n    reason: consent banner ships next sprint\n    approved_by: tracking\n    expires: 2027-01-31\n",
    );
    let (code, out, err) = run(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(findings(&out).is_empty(), "{out}");

    // Turned off: nothing, and a waiver of an off rule is not reported as unused.
    let tmp =
        setup("policy:\n  packs: [policies/acme.yaml]\n  rules:\n    user-data-consent: off\n");
    let (code, out, _) = run(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(code, Some(0));
    assert!(findings(&out).is_empty(), "{out}");
}

#[test]
fn an_invalid_pack_stops_the_run_with_file_line_and_column() {
    let tmp = setup("policy:\n  packs: [policies/acme.yaml]\n");
    let broken = PACK.replace("    select: /events", "    selct: /events");
    std::fs::write(tmp.path().join("policies/acme.yaml"), &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("selct")).unwrap() + 1;
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("policies/acme.yaml:{line}:5")),
        "names the pack file, line and column: {err}"
    );
    assert!(err.contains("did you mean `select`?"), "{err}");

    let broken = PACK.replace("message: event `{event}`", "message: event `{evnt}`");
    std::fs::write(tmp.path().join("policies/acme.yaml"), &broken).unwrap();
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("`{evnt}`"), "{err}");

    let broken = PACK.replace("id: user-data-consent", "id: event-owner");
    std::fs::write(tmp.path().join("policies/acme.yaml"), &broken).unwrap();
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("already declared by pack `core`"), "{err}");

    std::fs::write(tmp.path().join("policies/acme.yaml"), "pack: [\n").unwrap();
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("policies/acme.yaml:"), "{err}");
}

#[test]
fn packs_outside_the_repository_or_missing_are_refused() {
    let tmp = setup("policy:\n  packs: [../acme.yaml]\n");
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("governance.yaml:") && err.contains("outside the repository"),
        "{err}"
    );

    let tmp = setup("policy:\n  packs: [policies/nope.yaml]\n");
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("policies/nope.yaml") && err.contains("no such file"),
        "{err}"
    );
}

/// Issue 13: a built-in whose findings govsheet makes for its own core rule (the loader's, the
/// waiver step's) runs nothing in a team's pack; naming it is refused at its line and column
/// instead of a rule that silently never fires.
#[test]
fn a_pack_naming_a_built_in_it_cannot_run_is_refused() {
    for name in [
        "waiver-expired",
        "sheet-loader",
        "unknown-rule",
        "waiver-unused",
        "waiver-expiring",
    ] {
        let tmp = setup("policy:\n  packs: [policies/acme.yaml]\n");
        let pack = format!(
            "pack: acme\nrules:\n  - id: our-{name}\n    severity: error\n    summary: s\n    \
             description: d\n    builtin: {name}\n"
        );
        std::fs::write(tmp.path().join("policies/acme.yaml"), pack).unwrap();
        let (code, _, err) = run(tmp.path(), &["check"]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(
            err.contains("policies/acme.yaml:7:14") && err.contains("runs nothing in a pack"),
            "{name}: {err}"
        );
    }
    // A built-in a pack can run is accepted.
    let tmp = setup("policy:\n  packs: [policies/acme.yaml]\n");
    let pack = "pack: acme\nrules:\n  - id: our-cycles\n    severity: warning\n    summary: s\n    \
                description: d\n    builtin: dependency-cycle\n";
    std::fs::write(tmp.path().join("policies/acme.yaml"), pack).unwrap();
    let (code, _, err) = run(tmp.path(), &["check"]);
    assert_eq!(code, Some(0), "{err}");
}

/// Issue 13: `govsheet test` runs a pack's examples as tests, like `conftest verify`: the
/// team's rule passes its own examples, a wrong example fails with its file and line (exit 1),
/// and the core pack passes its own in CI.
#[test]
fn govsheet_test_runs_each_rules_examples() {
    let tmp = setup("");
    let (code, out, err) = run(tmp.path(), &["test", "policies/acme.yaml"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("ok    user-data-consent examples.fail"),
        "{out}"
    );
    assert!(
        out.contains("ok    user-data-consent examples.pass"),
        "{out}"
    );
    assert!(out.contains("2 passed, 0 failed"), "{out}");

    // The pass example written where the fail one should be: both are wrong.
    let wrong = PACK.replace(
        "      fail: |\n        events:\n          Purchase:\n            parameters:\n              user_data: {source_of_truth: accounts}\n",
        "      fail: |\n        events:\n          Purchase:\n            parameters:\n              user_data: {source_of_truth: accounts, consent: granted}\n",
    );
    assert_ne!(wrong, PACK);
    std::fs::write(tmp.path().join("policies/acme.yaml"), &wrong).unwrap();
    let line = wrong.lines().position(|l| l == "      fail: |").unwrap() + 1;
    let (code, out, _) = run(tmp.path(), &["test", "policies/acme.yaml"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "FAIL  user-data-consent examples.fail (policies/acme.yaml:{line}): does not raise `user-data-consent`"
        )),
        "{out}"
    );

    // The core pack, as CI runs it (no sheet here: govsheet's own packs).
    let empty = tempfile::tempdir().unwrap();
    let (code, out, _) = run(empty.path(), &["test"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("ok    event-owner examples.fail"), "{out}");
    assert!(out.contains(" 0 failed"), "{out}");
}

/// Issue 13: a pack's `tests:` cases, whole sheets with the findings they expect, run by
/// `govsheet test` through the same judging as `check`: a sheet file next to the pack and an
/// inline sheet pass, a case expecting what is not raised fails with the pack file and the
/// case's line (exit 1), and a case reaching outside the pack's folder is refused (exit 2).
#[test]
fn govsheet_test_runs_a_packs_whole_sheet_cases() {
    let tmp = setup("");
    let text = sheet("");
    let user_data = text
        .lines()
        .position(|l| l.contains("user_data: {source_of_truth: orders"))
        .unwrap()
        + 1;
    std::fs::create_dir_all(tmp.path().join("policies/cases")).unwrap();
    std::fs::write(tmp.path().join("policies/cases/no-consent.yaml"), &text).unwrap();
    let cases = format!(
        r#"tests:
  - name: user_data without consent
    sheet: cases/no-consent.yaml
    expect:
      - {{rule: user-data-consent, line: {user_data}, severity: warning}}
  - name: consent written
    text: |
      version: 1
      events:
        Purchase:
          parameters:
            user_data: {{source_of_truth: accounts, consent: marketing consent granted}}
    expect: []
  - name: expects a finding at the wrong line
    sheet: cases/no-consent.yaml
    today: 2026-11-20
    expect:
      - {{rule: user-data-consent, line: 3}}
"#
    );
    let pack = format!("{PACK}{cases}");
    std::fs::write(tmp.path().join("policies/acme.yaml"), &pack).unwrap();
    let failing = pack
        .lines()
        .position(|l| l == "  - name: expects a finding at the wrong line")
        .unwrap()
        + 1;
    let (code, out, err) = run(tmp.path(), &["test", "policies/acme.yaml"]);
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(
        out.contains("ok    test `user_data without consent`"),
        "{out}"
    );
    assert!(out.contains("ok    test `consent written`"), "{out}");
    assert!(
        out.contains(&format!(
            "FAIL  test `expects a finding at the wrong line` (policies/acme.yaml:{failing}): expected `user-data-consent` at line 3, not raised; raised unexpectedly `user-data-consent` at line {user_data} (warning)"
        )),
        "{out}"
    );
    assert!(out.contains("(as of 2026-11-20)"), "{out}");
    assert!(out.contains("3 sheet cases: 2 passed, 1 failed"), "{out}");

    // Without the failing case: exit 0.
    let fixed = pack.split("  - name: expects a finding").next().unwrap();
    std::fs::write(tmp.path().join("policies/acme.yaml"), fixed).unwrap();
    let (code, out, _) = run(tmp.path(), &["test", "policies/acme.yaml"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("2 sheet cases: 2 passed, 0 failed"), "{out}");

    // A case's sheet that is a link out of the pack's folder: the case fails, nothing is read.
    #[cfg(unix)]
    {
        let secret = tempfile::tempdir().unwrap();
        std::fs::write(secret.path().join("secret.yaml"), "token: hunter2\n").unwrap();
        std::os::unix::fs::symlink(
            secret.path().join("secret.yaml"),
            tmp.path().join("policies/cases/leak.yaml"),
        )
        .unwrap();
        let leak =
            format!("{PACK}tests:\n  - name: leak\n    sheet: cases/leak.yaml\n    expect: []\n");
        std::fs::write(tmp.path().join("policies/acme.yaml"), &leak).unwrap();
        let (code, out, err) = run(tmp.path(), &["test", "policies/acme.yaml"]);
        assert_eq!(code, Some(1), "{out}{err}");
        assert!(
            out.contains("FAIL  test `leak`") && out.contains("is a link to a file outside"),
            "{out}"
        );
        assert!(
            !out.contains("hunter2") && !err.contains("hunter2"),
            "{out}{err}"
        );
    }

    // A case's sheet outside the pack's folder: the pack is invalid, at the path.
    let outside = format!("{PACK}tests:\n  - sheet: ../governance.yaml\n    expect: []\n");
    std::fs::write(tmp.path().join("policies/acme.yaml"), &outside).unwrap();
    let line = outside.lines().count() - 1;
    let (code, _, err) = run(tmp.path(), &["test", "policies/acme.yaml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("policies/acme.yaml:{line}:"))
            && err.contains("inside the pack's folder"),
        "{err}"
    );
}
