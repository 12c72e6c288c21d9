//! The policy rules end to end through the binary: one failing and one passing fixture per
//! rule, the registry, the generated rule reference, `rules`, `explain`, `init`, and the line and
//! column findings point at.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const TODAY: &str = "2026-11-25";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govsheet"));
    c.env_remove("GOVSHEET_TODAY").env("NO_COLOR", "1");
    c
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn check_json(path: &Path) -> (Output, Value) {
    let out = bin()
        .args(["check", "--today", TODAY, "--format", "json"])
        .arg(path)
        .output()
        .expect("run govsheet");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}); stderr: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, json)
}

fn rules_in(json: &Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["rule"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The rule ids the CLI contract (cli.md) fixes.
const CONTRACT_IDS: [&str; 27] = [
    "yaml-syntax",
    "schema",
    "unknown-reference",
    "event-owner",
    "event-meaning",
    "event-paths",
    "dedupe-event-id",
    "param-source-of-truth",
    "param-owner",
    "purchase-value-currency",
    "event-retest-trigger",
    "event-rollback",
    "component-paths",
    "component-matches-nothing",
    "dependency-cycle",
    "retest-owner",
    "unused-retest",
    "incident-open",
    "incident-resolution",
    "review-overdue",
    "record-date",
    "route-incomplete",
    "waiver-expired",
    "waiver-unused",
    "retest-missing",
    "retest-failed",
    "retest-stale",
];

#[test]
fn every_rule_fails_its_fail_fixture_and_passes_its_pass_fixture() {
    let mut checked = 0;
    for info in govsheet::policy::registry() {
        if info.command != "check" {
            continue;
        }
        let dir = fixtures().join(&info.id);
        for (file, should_fire) in [("fail.yaml", true), ("pass.yaml", false)] {
            let path = dir.join(file);
            assert!(
                path.is_file(),
                "rule `{}` has no fixture {}",
                info.id,
                path.display()
            );
            let (out, json) = check_json(&path);
            let rules = rules_in(&json);
            let fired = rules.contains(&info.id);
            assert_eq!(
                fired,
                should_fire,
                "{}: rule `{}` {} (findings: {rules:?})",
                path.display(),
                info.id,
                if should_fire { "did not fire" } else { "fired" }
            );
            let errors = json["summary"]["errors"].as_u64().unwrap_or(0);
            let expected = if errors > 0 { 1 } else { 0 };
            assert_eq!(out.status.code(), Some(expected), "{}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 23, "only {checked} rules checked");
}

#[test]
fn registry_ids_are_unique_kebab_case_documented_and_cover_the_contract() {
    let reg = govsheet::policy::registry();
    let mut seen = std::collections::HashSet::new();
    for r in &reg {
        assert!(seen.insert(r.id.as_str()), "rule `{}` declared twice", r.id);
        assert!(
            !r.id.is_empty()
                && !r.id.starts_with('-')
                && !r.id.ends_with('-')
                && r.id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "rule id `{}` is not kebab-case",
            r.id
        );
        for (what, text) in [
            ("summary", &r.summary),
            ("description", &r.description),
            ("why", &r.why),
            ("examples.fail", &r.example_fail),
            ("examples.pass", &r.example_pass),
        ] {
            assert!(!text.trim().is_empty(), "rule `{}` has no {what}", r.id);
        }
        assert_ne!(
            r.example_fail, r.example_pass,
            "rule `{}`: the examples are the same",
            r.id
        );
        assert!(
            !r.summary.ends_with('.')
                && r.summary.chars().next().is_some_and(|c| !c.is_uppercase()),
            "rule `{}`: a summary starts lowercase and has no final period",
            r.id
        );
    }
    for id in CONTRACT_IDS {
        assert!(
            seen.contains(id),
            "the CLI contract's rule `{id}` is missing from the registry"
        );
    }
}

#[test]
fn docs_rules_md_is_generated_from_the_registry() {
    let committed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md"))
            .unwrap_or_default();
    let generated = govsheet::policy::docs::reference(&govsheet::policy::registry());
    assert!(
        committed == generated,
        "docs/rules.md is stale: regenerate it with `cargo run -- rules --format markdown > docs/rules.md` (from a folder without a governance.yaml)"
    );
}

#[test]
fn rules_markdown_matches_the_reference_function() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = govsheet::policy::docs::reference(&govsheet::policy::registry());
    assert_eq!(String::from_utf8_lossy(&out.stdout), generated);
}

#[test]
fn rules_show_the_sheets_effective_severity() {
    let tmp = tempfile::tempdir().unwrap();
    let sheet = tmp.path().join("governance.yaml");
    std::fs::write(
        &sheet,
        "version: 1\npolicy:\n  rules:\n    event-owner: warning\n    unused-retest: off\n",
    )
    .unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let find = |id: &str| {
        json["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(find("event-owner")["severity"], "warning");
    assert_eq!(find("event-owner")["default_severity"], "error");
    assert_eq!(find("unused-retest")["severity"], "off");
    assert_eq!(find("event-meaning")["severity"], "error");
    assert!(find("event-meaning")["why"].as_str().unwrap().len() > 20);
    let human = bin().current_dir(tmp.path()).arg("rules").output().unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("event-owner "))
        .unwrap();
    assert!(
        line.contains("warning*") && line.contains("an event without an owner"),
        "{line}"
    );
}

#[test]
fn explain_prints_the_rule_and_unknown_ids_name_the_closest() {
    let out = bin().args(["explain", "dedupe-event-id"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for part in [
        "# dedupe-event-id",
        "## What it finds",
        "## Why it matters",
        "## Fails",
        "## Passes",
        "event_id",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
    let out = bin().args(["explain", "dedupe-eventid"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`dedupe-event-id`"), "{err}");
}

#[test]
fn init_writes_a_sheet_that_checks_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .current_dir(tmp.path())
        .args(["init", "--today", TODAY])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sheet = tmp.path().join("governance.yaml");
    let text = std::fs::read_to_string(&sheet).unwrap();
    assert!(text.starts_with("# "), "the starter sheet is commented");
    // The lesson's four routes of the signal incident router.
    for route in [
        "purchase-spike",
        "value-drift",
        "content-ids-mismatch",
        "emq-up-reconciliation-down",
    ] {
        assert!(text.contains(&format!("\n  {route}:\n")), "{route}");
    }
    let (out, json) = check_json(&sheet);
    // The example component's globs match no file here: an error, so the starter sheet cannot
    // pass before its components name the repository's real files. The rest are warnings of
    // what to fill in: the placeholders, the review never held and the retest never recorded
    // (its event is Stop in the document: issue 13) (tests/init.rs follows them).
    assert_eq!(out.status.code(), Some(1), "{json}");
    let mut rules = rules_in(&json);
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "component-matches-nothing",
            "placeholder",
            "retest-stale",
            "review-overdue"
        ],
        "{json}"
    );
    let again = bin().current_dir(tmp.path()).arg("init").output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&sheet).unwrap(), text);
}

#[test]
fn findings_point_at_the_key_or_value_at_fault_in_json_and_human_output() {
    let path = fixtures().join("unknown-reference/fail.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (_, json) = check_json(&path);
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "unknown-reference");
    assert_eq!(f["pointer"], "/events/Lead/owner");
    assert_eq!(f["line"].as_u64(), Some(line_of("owner: trakcing") as u64));
    assert_eq!(f["column"], 12, "the value `trakcing`, not the key");
    assert_eq!(f["help"], "did you mean `tracking`?");

    // A missing field points at the event's key.
    let path = fixtures().join("event-owner/fail.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let (_, json) = check_json(&path);
    let f = &json["findings"][0];
    assert_eq!(f["pointer"], "/events/Lead");
    assert_eq!(f["message"], "event `Lead` has no owner");
    let lead_line = text.lines().position(|l| l == "  Lead:").unwrap() + 1;
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(lead_line as u64), Some(3))
    );
    let human = bin()
        .args(["check", "--today", TODAY, "--color", "never"])
        .arg(&path)
        .output()
        .unwrap();
    let h = String::from_utf8_lossy(&human.stdout);
    assert!(
        h.contains(&format!("event-owner/fail.yaml:{lead_line}:3]")),
        "{h}"
    );
    assert!(h.contains("event `Lead` has no owner"), "{h}");

    // A missing piece of a rollback points at `rollback`.
    let (_, json) = check_json(&fixtures().join("event-rollback/fail.yaml"));
    let f = &json["findings"][0];
    assert_eq!(f["pointer"], "/events/Lead/rollback");
    assert_eq!(
        f["message"],
        "event `Lead` has no rollback resume condition"
    );
}

#[test]
fn dependency_cycle_names_the_whole_cycle_once() {
    let (_, json) = check_json(&fixtures().join("dependency-cycle/fail.yaml"));
    let cycles: Vec<&Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "dependency-cycle")
        .collect();
    assert_eq!(cycles.len(), 1, "{json}");
    assert!(
        cycles[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("a -> b -> a"),
        "{}",
        cycles[0]
    );
    assert_eq!(cycles[0]["pointer"], "/components/a/depends_on/0");
}

#[test]
fn an_expired_waiver_brings_the_finding_back() {
    let (_, json) = check_json(&fixtures().join("waiver-expired/fail.yaml"));
    let rules = rules_in(&json);
    assert!(rules.contains(&"event-owner".to_owned()), "{rules:?}");
    let (_, json) = check_json(&fixtures().join("waiver-expired/pass.yaml"));
    assert!(!rules_in(&json).contains(&"event-owner".to_owned()));
}

/// Issue 14: `pause: []` says "no decision rests on this event" and passes `event-rollback`;
/// an empty `pause:` (null) or a missing one says nothing and stays a finding.
#[test]
fn an_explicit_empty_pause_list_passes_and_a_null_one_does_not() {
    let pass = fixtures().join("event-rollback/pass.yaml");
    let text = std::fs::read_to_string(&pass).unwrap();
    assert!(text.contains("      pause: []\n"));
    let (_, json) = check_json(&pass);
    assert!(!rules_in(&json).contains(&"event-rollback".to_owned()));

    let dir = tempfile::tempdir().unwrap();
    for (variant, replacement, pointer) in [
        ("null", "      pause:\n", "/events/PageView/rollback/pause"),
        ("missing", "", "/events/PageView/rollback"),
    ] {
        let path = dir.path().join(format!("{variant}.yaml"));
        std::fs::write(&path, text.replace("      pause: []\n", replacement)).unwrap();
        let (out, json) = check_json(&path);
        let f = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "event-rollback")
            .unwrap_or_else(|| panic!("{variant}: event-rollback did not fire: {json}"));
        assert_eq!(f["pointer"], pointer, "{variant}");
        assert_eq!(f["message"], "event `PageView` has no rollback pause list");
        assert_eq!(out.status.code(), Some(1), "{variant}");
    }
}

/// As ruff does per rule: the human report of each rule's failing fixture (message, position,
/// source excerpt, help), no colour, 100 columns (a pipe), with the path as the fixtures
/// folder names it. A changed message or a finding moving to another line shows up here.
#[test]
fn each_fail_fixture_reads_the_same_in_the_human_report() {
    let mut checked = 0;
    for info in govsheet::policy::registry() {
        if info.command != "check" {
            continue;
        }
        let rel = format!("{}/fail.yaml", info.id);
        let out = bin()
            .current_dir(fixtures())
            .args(["check", "--today", TODAY, "--color", "never", &rel])
            .output()
            .expect("run govsheet");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&info.id),
            "{rel}: the report does not name `{}`:\n{text}",
            info.id
        );
        insta::assert_snapshot!(format!("fixture_{}", info.id), text);
        checked += 1;
    }
    assert!(checked >= 23, "only {checked} rules checked");
}
