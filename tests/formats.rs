//! The CI formats of `check` end to end: SARIF against the official schema, `JUnit` parsed as XML,
//! GitHub workflow commands and markdown with hostile names and messages, and `--output`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const CLEAN: &str = include_str!("data/integrations/clean.governance.yaml");
const BROKEN: &str = include_str!("data/integrations/broken.governance.yaml");
/// A key with `%`, a comma, a colon, a newline, a control character and XML specials: it is
/// quoted in the `schema` finding's message (the loader already drops the control character;
/// the renderers' own stripping is unit-tested).
const HOSTILE: &str =
    "version: 1\n\"bo%gus,x:y\\nz\\x01<&>'\\\"\": 1\npolicy: {rules: {no-events: \"off\"}}\n";
const HOSTILE_DIR: &str = "s p,a:c%e";
const HOSTILE_FILE: &str = "we,ird:100%.governance.yaml";

fn govsheet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .args(args)
        .args(["--color", "never", "--today", "2026-11-25"])
        .current_dir(dir)
        .env_remove("GOVSHEET_TODAY")
        .env("NO_COLOR", "1")
        .output()
        .expect("run govsheet")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// A scratch repository (a `.git` folder is what marks its root) with the sheets under `shop/`
/// and the hostile one in a hostile folder.
fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("shop")).unwrap();
    std::fs::write(root.join("shop/governance.yaml"), CLEAN).unwrap();
    std::fs::write(root.join("shop/broken.governance.yaml"), BROKEN).unwrap();
    std::fs::create_dir_all(root.join(HOSTILE_DIR)).unwrap();
    std::fs::write(root.join(HOSTILE_DIR).join(HOSTILE_FILE), HOSTILE).unwrap();
    tmp
}

fn sarif_validator() -> jsonschema::Validator {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema errors: {errors:#?}");
    // What GitHub code scanning needs beyond the schema.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in run["results"].as_array().unwrap() {
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains('\\') && !uri.contains(':'),
            "{uri}"
        );
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(r["partialFingerprints"]["govsheet/v1"].is_string());
    }
}

#[test]
fn sarif_with_findings_is_valid_and_repo_relative() {
    let repo = repo();
    // Run from inside the sheet's folder: the URI is still relative to the repository root.
    let o = govsheet(
        &repo.path().join("shop"),
        &["check", "broken.governance.yaml", "--format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "shop/broken.governance.yaml"
    );
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(loc["region"]["startColumn"], 9);
    assert_eq!(results[0]["ruleId"], "schema");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "govsheet");
    // Issue 14: each rule's `name` is its id in PascalCase, its short description the
    // registry's summary.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let schema = rules.iter().find(|r| r["id"] == "schema").unwrap();
    assert_eq!(schema["name"], "Schema");
    let owner = rules.iter().find(|r| r["id"] == "event-owner").unwrap();
    assert_eq!(owner["name"], "EventOwner");
    assert_eq!(
        owner["shortDescription"]["text"],
        "an event without an owner"
    );
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    // Fingerprints are stable across runs and from another working folder.
    let again = govsheet(
        repo.path(),
        &["check", "shop/broken.governance.yaml", "--format", "sarif"],
    );
    let again: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(
        results[0]["partialFingerprints"],
        again["runs"][0]["results"][0]["partialFingerprints"]
    );
    assert_ne!(
        results[0]["partialFingerprints"],
        results[1]["partialFingerprints"]
    );
}

#[test]
fn sarif_without_findings_is_valid() {
    let repo = repo();
    let o = govsheet(
        repo.path(),
        &["check", "shop/governance.yaml", "--format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(0));
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert!(
        !log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn sarif_encodes_hostile_file_names() {
    let repo = repo();
    let file = format!("{HOSTILE_DIR}/{HOSTILE_FILE}");
    let o = govsheet(repo.path(), &["check", &file, "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(uri, "s%20p%2Ca%3Ac%25e/we%2Cird%3A100%25.governance.yaml");
}

/// Undo the workflow command escaping, as the runner does.
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn github_commands_escape_hostile_names_and_messages() {
    let repo = repo();
    let file = format!("{HOSTILE_DIR}/{HOSTILE_FILE}");
    let o = govsheet(repo.path(), &["check", &file, "--format", "github"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let line = out.lines().next().unwrap();
    let rest = line.strip_prefix("::error ").expect(line);
    // Properties cannot contain `::` once escaped, so the first one ends them.
    let (props, message) = rest.split_once("::").unwrap();
    let props: Vec<(&str, String)> = props
        .split(',')
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap();
            (k, unescape(v))
        })
        .collect();
    assert_eq!(
        props,
        [
            ("file", file.clone()),
            ("line", "2".to_owned()),
            ("col", "1".to_owned()),
            ("title", "schema".to_owned()),
        ]
    );
    assert!(!message.contains('\n') && !message.contains('\r'));
    let message = unescape(message);
    assert!(
        message.starts_with("unknown key `bo%gus,x:y\nz") && message.contains("<&>'\"`"),
        "{message:?}"
    );
    // Then the human report, without colour.
    assert!(out.contains("1 error, 0 warnings, 0 infos in 1 sheet"));
    assert!(!out.contains('\u{1b}'));
}

#[test]
fn github_warns_notices_and_a_clean_run_has_no_commands() {
    let repo = repo();
    let o = govsheet(
        repo.path(),
        &["check", "shop/governance.yaml", "--format", "github"],
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "ok: no findings in 1 sheet\n");
}

#[test]
fn markdown_rows_survive_hostile_messages() {
    let repo = repo();
    let file = format!("{HOSTILE_DIR}/{HOSTILE_FILE}");
    let o = govsheet(
        repo.path(),
        &[
            "check",
            &file,
            "shop/broken.governance.yaml",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let md = stdout(&o);
    assert!(md.starts_with("### govsheet check\n"));
    assert!(md.contains("**3 errors, 0 warnings, 0 infos in 2 sheets**"));
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| error ")).collect();
    assert_eq!(rows.len(), 3, "{md}");
    for row in rows {
        // Four cells: five unescaped `|`, no raw newline (lines() split on them).
        assert_eq!(row.replace("\\|", "").matches('|').count(), 5, "{row}");
        assert!(row.ends_with(" |"), "{row}");
    }
    assert!(md.contains("`shop/broken.governance.yaml:4:9`"));
}

fn attr<'a>(n: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    n.attribute(name)
        .unwrap_or_else(|| panic!("no {name} on {n:?}"))
}

#[test]
fn junit_parses_with_one_case_per_rule_and_sheet() {
    let repo = repo();
    let file = format!("{HOSTILE_DIR}/{HOSTILE_FILE}");
    let o = govsheet(
        repo.path(),
        &[
            "check",
            "shop/governance.yaml",
            "shop/broken.governance.yaml",
            &file,
            "--format",
            "junit",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites.iter().map(|s| attr(*s, "name")).collect();
    assert_eq!(
        names,
        [
            "shop/governance.yaml",
            "shop/broken.governance.yaml",
            file.as_str()
        ]
    );
    let mut rule_lists = Vec::new();
    for s in &suites {
        let cases: Vec<_> = s
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(attr(*s, "tests"), cases.len().to_string());
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        assert_eq!(attr(*s, "failures"), failed.to_string());
        for c in &cases {
            assert_eq!(attr(*c, "classname"), attr(*s, "name"));
        }
        rule_lists.push(cases.iter().map(|c| attr(*c, "name")).collect::<Vec<_>>());
    }
    // Every sheet lists the same rules, passing ones included.
    assert!(rule_lists.iter().all(|l| *l == rule_lists[0]));
    assert!(rule_lists[0].contains(&"schema") && rule_lists[0].contains(&"yaml-syntax"));
    assert_eq!(attr(suites[0], "failures"), "0");

    let failure = suites[1]
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.parent().map(|p| attr(p, "name")), Some("schema"));
    assert_eq!(attr(failure, "type"), "schema");
    assert!(
        attr(failure, "message").starts_with("2 findings; first: `sheet.name` should be a string")
    );
    let text = failure.text().unwrap();
    assert!(
        text.contains("shop/broken.governance.yaml:4:9: error: `sheet.name` should be a string")
    );
    assert!(text.contains("shop/broken.governance.yaml:6:1: error: unknown key `colour`"));

    // The hostile message keeps its XML specials and loses the control character.
    let hostile = suites[2]
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        attr(hostile, "message").starts_with("unknown key `bo%gus,x:y\nz<&>'\"`"),
        "{:?}",
        attr(hostile, "message")
    );
}

#[test]
fn junit_reports_warnings_below_fail_on_as_output() {
    // Until policy rules land only errors exist; `--fail-on warning` must not turn an error
    // into a pass, and a clean sheet has passing cases only.
    let repo = repo();
    let o = govsheet(
        repo.path(),
        &[
            "check",
            "shop/governance.yaml",
            "--format",
            "junit",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().all(|n| !n.has_tag_name("failure")));
    assert!(doc.descendants().any(|n| n.has_tag_name("testcase")));
}

#[test]
fn output_writes_the_format_and_prints_the_human_report() {
    let repo = repo();
    let out_file: PathBuf = repo.path().join("govsheet.sarif");
    let o = govsheet(
        repo.path(),
        &[
            "check",
            "shop/broken.governance.yaml",
            "--format",
            "sarif",
            "--output",
            "govsheet.sarif",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "findings still fail the run");
    let human = stdout(&o);
    assert!(
        human.contains("× `sheet.name` should be a string, found a list"),
        "{human}"
    );
    assert!(human.ends_with("2 errors, 0 warnings, 0 infos in 1 sheet\n"));
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 2);

    for format in ["junit", "markdown", "github", "json"] {
        let name = format!("report.{format}");
        let o = govsheet(
            repo.path(),
            &[
                "check",
                "shop/governance.yaml",
                "--format",
                format,
                "--output",
                &name,
            ],
        );
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(stdout(&o), "ok: no findings in 1 sheet\n");
        assert!(
            !std::fs::read_to_string(repo.path().join(&name))
                .unwrap()
                .is_empty()
        );
    }
}

#[test]
fn an_unwritable_output_is_exit_2_naming_the_file() {
    let repo = repo();
    let o = govsheet(
        repo.path(),
        &[
            "check",
            "shop/governance.yaml",
            "--format",
            "sarif",
            "--output",
            "no/such/dir/x.sarif",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no/such/dir/x.sarif"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn the_shipped_examples_render_valid_sarif_and_junit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = govsheet(root, &["check", "examples", "--format", "sarif"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("examples/"), "{uri}");
    }
    let o = govsheet(root, &["check", "examples", "--format", "junit"]);
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .count();
    assert_eq!(suites, 2, "one suite per example sheet");
}

#[test]
fn retests_renders_every_ci_format() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = [
        "retests",
        "--sheet",
        "examples/shopify-store/governance.yaml",
        "examples/shopify-store/theme/snippets/product-card.liquid",
    ];
    let run = |format: &str| {
        let mut args = base.to_vec();
        args.extend(["--format", format]);
        let o = govsheet(root, &args);
        assert_eq!(o.status.code(), Some(1), "two retests are missing: {o:?}");
        stdout(&o)
    };
    let log: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "retest-missing");
    // Issue 14: on the changed file (which a pull request shows), the sheet as related.
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/shopify-store/theme/snippets/product-card.liquid"
    );
    assert_eq!(
        result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "examples/shopify-store/governance.yaml"
    );

    let md = run("markdown");
    assert!(md.starts_with("### govsheet retests\n"), "{md}");
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| **missing** "))
        .collect();
    assert_eq!(rows.len(), 2, "{md}");
    for row in rows {
        assert_eq!(row.replace("\\|", "").matches('|').count(), 6, "{row}");
    }
    assert!(md.contains("#### Pause these conclusions"));

    let gh = run("github");
    assert_eq!(gh.lines().filter(|l| l.starts_with("::error ")).count(), 2);
    assert!(
        gh.contains("::error file=examples/shopify-store/theme/snippets/product-card.liquid,line=1,title=retest-missing::"),
        "{gh}"
    );
    assert!(gh.contains("::stop-commands::govsheet-"));

    // One case per required retest: two missing retests are two failures.
    let xml = run("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .map(|n| {
            assert_eq!(attr(n, "type"), "retest-missing");
            attr(n.parent().unwrap(), "name")
        })
        .collect();
    assert_eq!(failed.len(), 2, "{xml}");
    assert!(
        !failed.contains(&"retest-missing"),
        "cases are retests: {failed:?}"
    );
    let suites = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuites"))
        .unwrap();
    assert_eq!(attr(suites, "failures"), "2");
}

// ---- `verify` in the CI formats -------------------------------------------------------------

/// Copy a folder tree.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A scratch repository with the custom-backend example (sheet and captures) under `shop/`.
fn verify_repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/custom-backend");
    copy_dir(&example, &tmp.path().join("shop"));
    tmp
}

/// The example's verify command (docs/verify.md), run from `shop/`, with `extra` flags.
fn verify_example(repo: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        "--sheet",
        "governance.yaml",
        "--server",
        "captures/server/batch-2026-11-24.json",
        "captures/server/outbox.jsonl",
        "--browser",
        "captures/browser/pixel-2026-11-24.jsonl",
        "--orders",
        "captures/orders.csv",
        "--orders-columns",
        "id=id,value=total,currency=currency,time=paid_at",
    ];
    args.extend_from_slice(extra);
    govsheet(&repo.join("shop"), &args)
}

/// The ids of the verify pack, in its order: every `- id:` of policies/verify.yaml.
fn verify_rule_ids() -> Vec<String> {
    include_str!("../policies/verify.yaml")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- id: "))
        .map(|s| s.trim().to_owned())
        .collect()
}

#[test]
fn verify_sarif_is_valid_and_located_at_the_captures() {
    let repo = verify_repo();
    let o = verify_example(repo.path(), &["--format", "sarif"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let expected = verify_rule_ids();
    assert!(!expected.is_empty());
    assert_eq!(rules, expected, "the rules list holds the verify rules");
    let at = |rule: &str| -> Vec<(String, u64)> {
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == rule)
            .map(|r| {
                let loc = &r["locations"][0]["physicalLocation"];
                (
                    loc["artifactLocation"]["uri"].as_str().unwrap().to_owned(),
                    loc["region"]["startLine"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert!(
        at("payload-user-data").contains(&("shop/captures/server/outbox.jsonl".into(), 2)),
        "{:?}",
        at("payload-user-data")
    );
    assert!(
        at("order-reconciliation").contains(&("shop/captures/orders.csv".into(), 6)),
        "{:?}",
        at("order-reconciliation")
    );
    let dedupe = at("dedupe-rate");
    assert!(!dedupe.is_empty());
    assert!(
        dedupe.iter().all(|(uri, _)| uri == "shop/governance.yaml"),
        "a finding about an event keeps the sheet location: {dedupe:?}"
    );
}

#[test]
fn verify_sarif_places_findings_without_a_capture_file_at_the_sheet() {
    let repo = verify_repo();
    let capture = std::fs::read(repo.path().join("shop/captures/server/outbox.jsonl")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_govsheet"))
        .args([
            "verify",
            "--sheet",
            "governance.yaml",
            "--server",
            "-",
            "--format",
            "sarif",
            "--color",
            "never",
            "--today",
            "2026-11-25",
        ])
        .current_dir(repo.path().join("shop"))
        .env_remove("GOVSHEET_TODAY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&capture).unwrap();
    }
    let o = child.wait_with_output().unwrap();
    let log: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let on_stdin: Vec<&Value> = results
        .iter()
        .filter(|r| {
            r["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("<stdin>:2: ")
        })
        .collect();
    assert!(!on_stdin.is_empty(), "{results:#?}");
    for r in on_stdin {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "shop/governance.yaml");
        assert_eq!(loc["region"]["startLine"], 1);
    }
}

#[test]
fn verify_github_escapes_and_caps_annotations_per_level() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    // Twelve events without event_time or action_source: more errors than GitHub shows.
    let line = "{\"event_name\": \"Bad%x\\ny\"}\n";
    let file = "we,ird:100%.jsonl";
    std::fs::write(tmp.path().join(file), line.repeat(12)).unwrap();
    let o = govsheet(
        tmp.path(),
        &[
            "verify",
            "--server",
            file,
            "--max-per-rule",
            "0",
            "--format",
            "github",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(errors.len(), 10, "{out}");
    assert!(out.contains("more findings not annotated"), "{out}");
    assert!(
        errors[0].starts_with("::error file=we%2Cird%3A100%25.jsonl,line=1,col=1,title=payload-"),
        "{}",
        errors[0]
    );
    assert!(out.contains("Bad%25x%0Ay"), "{out}");
    // Then the human verify report, guarded by stop-commands.
    let stop = out.find("::stop-commands::").unwrap();
    assert!(out[stop..].contains("govsheet verify: 1 input file against no sheet"));
}

#[test]
fn verify_junit_parses_with_one_case_per_verify_rule() {
    let repo = verify_repo();
    let o = verify_example(repo.path(), &["--format", "junit"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites: Vec<_> = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1, "one testsuite for the run");
    let cases: Vec<&str> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| attr(n, "name"))
        .collect();
    assert_eq!(cases, verify_rule_ids());
    let failed: Vec<&str> = suites[0]
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .filter(|n| n.children().any(|c| c.has_tag_name("failure")))
        .map(|n| attr(n, "name"))
        .collect();
    assert!(failed.contains(&"payload-user-data"), "{failed:?}");
    assert!(!failed.contains(&"payload-shape"), "{failed:?}");
    assert_eq!(attr(suites[0], "failures"), failed.len().to_string());
}

#[test]
fn verify_output_writes_the_format_and_prints_the_human_report() {
    let repo = verify_repo();
    let o = verify_example(
        repo.path(),
        &["--format", "sarif", "--output", "verify.sarif"],
    );
    assert_eq!(o.status.code(), Some(1));
    let human = stdout(&o);
    assert!(
        human.starts_with("govsheet verify: 4 input files against sheet governance.yaml\n"),
        "{human}"
    );
    assert!(
        human.contains("what to pause until the signal is fixed:"),
        "{human}"
    );
    let text = std::fs::read_to_string(repo.path().join("shop/verify.sarif")).unwrap();
    assert_valid_sarif(&serde_json::from_str(&text).unwrap());
}
