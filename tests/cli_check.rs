//! `govsheet check` as a user runs it: the binary, real files, exit codes and messages.
//!
//! Cases that are plain files live as data in `tests/cases/NAME/` (`governance.yaml` plus
//! `case.txt` with the expected `exit:` and the `contains:` lines the output must hold); their
//! human report is snapshot-tested. Cases whose input is too large, binary or generated are
//! written by the tests below.

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TODAY: &str = "2026-11-25";

/// A sheet with nothing in it but its version, for tests of the loader and the flags: the rule
/// that wants at least one event (`no-events`) is turned off.
const MINIMAL: &str = "version: 1\npolicy: {rules: {no-events: \"off\"}}\n";

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsheet"));
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GOVSHEET_TODAY")
        .env_remove("RUST_BACKTRACE");
    cmd
}

/// `govsheet --color never --today TODAY ARGS...` run in `dir`.
fn govsheet(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(["--color", "never", "--today", TODAY])
        .args(args)
        .output()
        .expect("the govsheet binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The run ended with `code`, said `needles`, and did not panic.
#[track_caller]
fn expect(o: &Output, code: i32, needles: &[&str]) {
    let all = format!("{}{}", stdout(o), stderr(o));
    assert_eq!(o.status.code(), Some(code), "exit code; output:\n{all}");
    for n in needles {
        assert!(
            all.contains(n),
            "output should contain {n:?}; output:\n{all}"
        );
    }
    assert!(
        !all.contains("panicked"),
        "a panic reached the user:\n{all}"
    );
    assert!(
        !all.contains("RUST_BACKTRACE"),
        "a panic reached the user:\n{all}"
    );
}

fn write_repo_files(dir: &Path, shape: &common::Shape) {
    for (path, text) in common::repo_files(shape) {
        write(dir, &path, text);
    }
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", stdout(o)))
}

// ---------------------------------------------------------------------------------------------
// Data-driven cases: tests/cases/NAME/{governance.yaml,case.txt}

struct Case {
    name: String,
    dir: PathBuf,
    exit: i32,
    contains: Vec<String>,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let spec = std::fs::read_to_string(dir.join("case.txt"))
            .unwrap_or_else(|e| panic!("{}: case.txt: {e}", dir.display()));
        let mut exit = None;
        let mut contains = Vec::new();
        for line in spec.lines().filter(|l| !l.trim().is_empty()) {
            match line.split_once(": ") {
                Some(("exit", v)) => exit = Some(v.trim().parse().unwrap()),
                Some(("contains", v)) => contains.push(v.to_owned()),
                _ => panic!("{}: case.txt: cannot read line {line:?}", dir.display()),
            }
        }
        out.push(Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            exit: exit.unwrap_or_else(|| panic!("{}: case.txt has no exit:", dir.display())),
            dir,
            contains,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(out.len() >= 15, "the cases folder lost its cases");
    out
}

#[test]
fn data_driven_cases_exit_and_messages() {
    for case in cases() {
        let o = govsheet(&case.dir, &["check", "governance.yaml"]);
        let needles: Vec<&str> = case.contains.iter().map(String::as_str).collect();
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_eq!(
            o.status.code(),
            Some(case.exit),
            "case {}: exit code; output:\n{all}",
            case.name
        );
        for n in &needles {
            assert!(
                all.contains(n),
                "case {}: output should contain {n:?}; output:\n{all}",
                case.name
            );
        }
        assert!(
            !all.contains("panicked"),
            "case {}: panic:\n{all}",
            case.name
        );
        if case.exit == 1 {
            assert!(
                all.contains("governance.yaml:"),
                "case {}: the message names the file and line:\n{all}",
                case.name
            );
        }
    }
}

#[test]
fn data_driven_cases_human_snapshots() {
    for case in cases() {
        let o = govsheet(&case.dir, &["check", "governance.yaml"]);
        insta::assert_snapshot!(
            format!("case-{}", case.name),
            format!("exit: {:?}\n{}{}", o.status.code(), stdout(&o), stderr(&o))
        );
    }
}

#[test]
fn data_driven_cases_json_locations_match_human() {
    // Every finding of the JSON report carries the same line and column the human report prints.
    for case in cases() {
        let o = govsheet(&case.dir, &["check", "governance.yaml", "--format", "json"]);
        let human = stdout(&govsheet(&case.dir, &["check", "governance.yaml"]));
        for f in json(&o)["findings"].as_array().unwrap() {
            let at = format!("governance.yaml:{}:{}", f["line"], f["column"]);
            assert!(
                human.contains(&at),
                "case {}: {at} not in\n{human}",
                case.name
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs that are generated: encodings, bombs, depth, size

#[test]
fn invalid_utf8_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        b"version: 1\nsheet:\n  name: \"caf\xe9\"\n",
    );
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(
        &o,
        1,
        &["governance.yaml:3:", "not valid UTF-8", "yaml-syntax"],
    );
    let j = json(&govsheet(
        tmp.path(),
        &["check", "governance.yaml", "--format", "json"],
    ));
    let f = &j["findings"][0];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(3), Some(13))
    );
}

#[test]
fn binary_file_is_a_syntax_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend([0u8, 0, 0, 13, 73, 72, 68, 82, 0xff, 0xfe]);
    write(tmp.path(), "governance.yaml", bytes);
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(&o, 1, &["governance.yaml", "binary file", "yaml-syntax"]);
}

#[test]
fn utf8_bom_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        "\u{feff}version: 1\npolicy: {rules: {no-events: \"off\"}}\n",
    );
    expect(&govsheet(tmp.path(), &["check"]), 0, &["ok: no findings"]);
}

#[test]
fn billion_laughs_alias_bomb_is_refused() {
    let mut bomb =
        String::from("version: 1\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        bomb.push_str(&format!(
            "x{i}: &x{i} [{}]\n",
            vec![format!("*x{p}"); 9].join(", ")
        ));
    }
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", bomb);
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(&o, 1, &["governance.yaml:", "alias bomb", "yaml-syntax"]);
}

#[test]
fn many_aliases_are_refused() {
    // Not an exponential bomb, just more alias uses than the budget allows.
    let mut text = String::from("version: 1\na: &a x\nlist:\n");
    for _ in 0..1_500 {
        text.push_str("  - *a\n");
    }
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(&o, 1, &["governance.yaml:", "yaml-syntax", "alias"]);
}

#[test]
fn deep_flow_nesting_is_refused() {
    let depth = 200_000;
    let text = format!(
        "version: 1\nx: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    // 64 levels in: "x: " then the 64th bracket that opens the 65th level.
    expect(
        &o,
        1,
        &["governance.yaml:2:", "nests deeper than 64 levels"],
    );
}

#[test]
fn deep_block_nesting_is_refused() {
    // Block sequences nest on one line ("- - - x"), so 200,000 levels fit in 400 KB.
    let depth = 200_000;
    let text = format!("version: 1\nx:\n  {}x\n", "- ".repeat(depth));
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(
        &o,
        1,
        &["governance.yaml:3:", "nests deeper than 64 levels"],
    );
}

#[test]
fn deep_indented_maps_are_refused_at_the_65th_level() {
    let text: String = std::iter::once("version: 1\nx:\n".to_owned())
        .chain((1..2_000).map(|i| format!("{}k:\n", " ".repeat(i))))
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(&o, 1, &["governance.yaml:", "nests deeper than 64 levels"]);
}

#[test]
fn five_megabyte_string_loads_fine() {
    let text = format!(
        "version: 1\nsheet:\n  name: Big\n  description: \"{}\"\npolicy: {{rules: {{no-events: \"off\"}}}}\n",
        "x".repeat(5_000_000)
    );
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", &text);
    expect(
        &govsheet(tmp.path(), &["check"]),
        0,
        &["ok: no findings in 1 sheet"],
    );
    // An error on that long line still names file, line and column, without a 5 MB snippet.
    write(
        tmp.path(),
        "governance.yaml",
        text.replace("  name: Big", "  nmae: Big"),
    );
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 1, &["governance.yaml:3:3", "did you mean `name`?"]);
    let text2 = format!(
        "version: 1\nsheet: {{nmae: \"{}\"}}\n",
        "y".repeat(5_000_000)
    );
    write(tmp.path(), "governance.yaml", text2);
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 1, &["governance.yaml:2:9"]);
    assert!(
        o.stdout.len() < 10_000,
        "the long line was printed: {} bytes",
        o.stdout.len()
    );
}

#[test]
fn twenty_thousand_events_work() {
    let shape = common::Shape {
        compact: true,
        ..common::Shape::new(20_000)
    };
    let tmp = tempfile::tempdir().unwrap();
    write_repo_files(tmp.path(), &shape);
    // The last event broken: the whole sheet is read and only that is found, past line 20,000.
    let text =
        common::sheet(&shape, None).replace("  Event19999: {meaning:", "  Event19999: {meanign:");
    let line = text
        .lines()
        .position(|l| l.starts_with("  Event19999:"))
        .unwrap()
        + 1;
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check", "--max-findings", "5"]);
    expect(
        &o,
        1,
        &[
            &format!("governance.yaml:{line}:16"),
            "unknown key `meanign`",
        ],
    );
}

#[test]
fn generated_sheet_with_an_error_points_into_it() {
    // The generator's sheets are clean; one typo among 1,000 events is found at its line.
    let shape = common::Shape::new(1_000);
    let text = common::sheet(&shape, None);
    let line = text.lines().position(|l| l == "  Event00500:").unwrap() + 2;
    let text = text.replacen(
        "  Event00500:\n    meaning:",
        "  Event00500:\n    meanign:",
        1,
    );
    let tmp = tempfile::tempdir().unwrap();
    write_repo_files(tmp.path(), &shape);
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check"]);
    expect(
        &o,
        1,
        &[
            &format!("governance.yaml:{line}:5"),
            "did you mean `meaning`?",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Files and folders

#[test]
fn missing_file_is_exit_2_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let o = govsheet(tmp.path(), &["check", "nope.yaml"]);
    expect(&o, 2, &["nope.yaml", "no such file"]);
    assert!(o.stdout.is_empty(), "nothing on stdout: {}", stdout(&o));
}

#[test]
fn default_sheet_missing_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    expect(
        &govsheet(tmp.path(), &["check"]),
        2,
        &["governance.yaml", "no such file"],
    );
}

#[test]
fn folder_without_a_sheet_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "site/config.yaml", "a: 1\n");
    write(tmp.path(), "site/governance.json", "{}");
    let o = govsheet(tmp.path(), &["check", "site"]);
    expect(&o, 2, &["site", "no governance sheet found"]);
}

#[test]
fn folder_with_two_sheets_checks_both() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "repo/governance.yaml",
        "version: 1\nowners: {a: {nmae: x}}\n",
    );
    write(
        tmp.path(),
        "repo/shop/eu.governance.yaml",
        "version: 1\nsheet: {naem: EU}\n",
    );
    // Folders a walk must skip.
    write(
        tmp.path(),
        "repo/node_modules/x/governance.yaml",
        "not: [valid\n",
    );
    write(tmp.path(), "repo/target/governance.yaml", "not: [valid\n");
    let o = govsheet(tmp.path(), &["check", "repo"]);
    expect(
        &o,
        1,
        &[
            "repo/governance.yaml:2:14",
            "repo/shop/eu.governance.yaml:2:9",
            "4 errors, 0 warnings, 0 infos in 2 sheets",
        ],
    );
    assert!(!stdout(&o).contains("node_modules"), "{}", stdout(&o));
    let j = json(&govsheet(
        tmp.path(),
        &["check", "repo", "--format", "json"],
    ));
    assert_eq!(j["summary"]["files"], 2);
}

#[test]
fn two_paths_one_clean_one_broken() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.governance.yaml", MINIMAL);
    write(tmp.path(), "b.governance.yaml", "version: 2\n");
    let o = govsheet(
        tmp.path(),
        &["check", "a.governance.yaml", "b.governance.yaml"],
    );
    expect(&o, 1, &["b.governance.yaml:1:10", "in 2 sheets"]);
    assert!(!stdout(&o).contains("a.governance.yaml:"), "{}", stdout(&o));
}

#[test]
fn sheet_path_that_is_a_folder_without_sheets_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("governance.yaml")).unwrap();
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(&o, 2, &["governance.yaml", "no governance sheet found"]);
}

#[test]
fn file_over_the_size_limit_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("governance.yaml");
    let f = std::fs::File::create(&path).unwrap();
    // A sparse file: 80 MiB on paper, nothing on disk, never read.
    f.set_len(80 * 1024 * 1024).unwrap();
    let o = govsheet(tmp.path(), &["check", "governance.yaml"]);
    expect(
        &o,
        2,
        &[
            "governance.yaml",
            "the file is 80.0 MiB; the limit is 16.0 MiB",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// records_dir: never fail open

fn sheet_with_records_dir(dir: &str) -> String {
    format!("version: 1\nrecords_dir: {dir}\n")
}

#[test]
fn records_dir_escaping_the_repo_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    write(
        tmp.path(),
        "shop/governance.yaml",
        sheet_with_records_dir("../../elsewhere"),
    );
    let o = govsheet(tmp.path(), &["check", "shop/governance.yaml"]);
    expect(
        &o,
        2,
        &[
            "shop/governance.yaml:2:14",
            "records_dir",
            "outside the repository",
        ],
    );
}

#[test]
fn records_dir_absolute_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        "version: 1\nincidents_dir: /etc\n",
    );
    let o = govsheet(tmp.path(), &["check"]);
    expect(
        &o,
        2,
        &["governance.yaml:2:16", "incidents_dir", "absolute path"],
    );
}

#[cfg(unix)]
#[test]
fn records_dir_symlink_out_of_the_repo_is_exit_2() {
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "r.yaml", "retest: x\n");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    std::os::unix::fs::symlink(outside.path(), tmp.path().join("records")).unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        sheet_with_records_dir("records"),
    );
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 2, &["governance.yaml:2:14", "symlink"]);
}

#[cfg(unix)]
#[test]
#[ignore = "chmod 000 does not stop root (CI runs as root): run with --ignored as another user; \
            the dangling-link and not-a-file tests hold the exit 2 for everyone"]
fn unreadable_record_file_is_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        sheet_with_records_dir("records"),
    );
    let rec = write(
        tmp.path(),
        "records/2026-11-20-smoke.yaml",
        "retest: smoke\ndate: 2026-11-20\nresult: pass\nby: t\nevidence: e\n",
    );
    std::fs::set_permissions(&rec, std::fs::Permissions::from_mode(0o000)).unwrap();
    assert!(
        std::fs::read(&rec).is_err(),
        "this user can read a chmod 000 file (root?): the test cannot hold here"
    );
    let o = govsheet(tmp.path(), &["check"]);
    expect(
        &o,
        2,
        &["records/2026-11-20-smoke.yaml", "permission denied"],
    );
}

#[test]
fn rules_over_records_dir_files_point_into_them() {
    // Enough files to load on several threads; the policy rules over /records/* read the
    // trees the loader kept. One record names an owner that does not exist.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        "version: 1\nowners:\n  ana: {name: Ana}\nretests:\n  smoke: {owner: ana, method: m}\nrecords_dir: records\n",
    );
    for i in 0..80 {
        let by = if i == 57 { "anna" } else { "ana" };
        write(
            tmp.path(),
            &format!("records/r{i:03}.yaml"),
            format!("retest: smoke\ndate: 2026-11-20\nresult: pass\nby: {by}\nevidence: e\n"),
        );
    }
    let o = govsheet(tmp.path(), &["check", "--format", "json"]);
    let report = json(&o);
    let findings: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unknown-reference")
        .collect();
    assert_eq!(findings.len(), 1, "{report:#}");
    let f = findings[0];
    assert_eq!(f["file"], "records/r057.yaml", "{f:#}");
    assert_eq!(f["line"], 4, "{f:#}");
    assert_eq!(f["column"], 5, "{f:#}");
    assert!(f["message"].as_str().unwrap().contains("anna"), "{f:#}");
}

#[cfg(unix)]
#[test]
fn dangling_record_among_many_is_exit_2() {
    // Works as root too, and with enough files that records_dir is read on several threads.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        sheet_with_records_dir("records"),
    );
    for i in 0..200 {
        write(
            tmp.path(),
            &format!("records/r{i:03}.yaml"),
            "retest: smoke\ndate: 2026-11-20\nresult: pass\nby: t\nevidence: e\n",
        );
    }
    std::os::unix::fs::symlink("nowhere.yaml", tmp.path().join("records/r150-gone.yaml")).unwrap();
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 2, &["records/r150-gone.yaml"]);
}

#[cfg(unix)]
#[test]
fn records_dir_that_is_a_file_is_exit_2() {
    // The folder named by records_dir cannot be listed: that is no pass.
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        sheet_with_records_dir("records"),
    );
    write(tmp.path(), "records", "not a folder\n");
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 2, &["records"]);
}

#[test]
fn broken_record_files_are_findings_in_their_own_file() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        sheet_with_records_dir("records"),
    );
    write(tmp.path(), "records/a.yaml", "retest: [unclosed\n");
    write(tmp.path(), "records/b.yaml", "just text\n");
    write(
        tmp.path(),
        "records/c.yml",
        "- retest: x\n  date: 2026-02-30\n",
    );
    write(tmp.path(), "records/d.yaml", b"retest: \xff\n");
    write(tmp.path(), "records/notes.txt", "ignored: [\n");
    let o = govsheet(tmp.path(), &["check"]);
    expect(
        &o,
        1,
        &[
            "records/a.yaml:1:",
            "records/b.yaml:1:1",
            "records/c.yml:2:9",
            "records/d.yaml:1:9",
        ],
    );
}

#[test]
fn record_file_over_the_size_limit_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        sheet_with_records_dir("records"),
    );
    std::fs::create_dir_all(tmp.path().join("records")).unwrap();
    let f = std::fs::File::create(tmp.path().join("records/huge.yaml")).unwrap();
    f.set_len(17 * 1024 * 1024).unwrap();
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 2, &["records/huge.yaml", "the limit is 16.0 MiB"]);
}

#[test]
fn ten_thousand_record_files_load() {
    let shape = common::Shape {
        record_files: 10_000,
        ..common::Shape::new(100)
    };
    let tmp = tempfile::tempdir().unwrap();
    write_repo_files(tmp.path(), &shape);
    write(
        tmp.path(),
        "governance.yaml",
        common::sheet(&shape, Some("records")),
    );
    for (name, text) in common::record_files(&shape) {
        write(tmp.path(), &format!("records/{name}"), text);
    }
    // One broken file among them is still found.
    write(
        tmp.path(),
        "records/zz-broken.yaml",
        "retest: x\ndate: 2026-04-31\n",
    );
    let o = govsheet(tmp.path(), &["check", "--format", "json"]);
    expect(&o, 1, &[]);
    let j = json(&o);
    let findings: Vec<&serde_json::Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema")
        .collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["file"], "records/zz-broken.yaml");
    assert_eq!(findings[0]["line"], 2);
}

// ---------------------------------------------------------------------------------------------
// Flags, formats and exit codes

#[test]
fn invalid_today_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", MINIMAL);
    for bad in ["2026-02-30", "tomorrow", "2026-1-5", ""] {
        let o = bin()
            .current_dir(tmp.path())
            .args(["--today", bad, "check"])
            .output()
            .unwrap();
        expect(&o, 2, &["--today", "is not a date"]);
    }
    let o = bin()
        .current_dir(tmp.path())
        .env("GOVSHEET_TODAY", "someday")
        .arg("check")
        .output()
        .unwrap();
    expect(&o, 2, &["GOVSHEET_TODAY", "`someday` is not a date"]);
}

#[test]
fn bad_usage_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    expect(
        &govsheet(tmp.path(), &["check", "--format", "xml"]),
        2,
        &["xml"],
    );
    expect(&govsheet(tmp.path(), &["frobnicate"]), 2, &["frobnicate"]);
    expect(
        &govsheet(tmp.path(), &["check", "--max-findings", "-3"]),
        2,
        &["-3"],
    );
    expect(
        &govsheet(tmp.path(), &["--fail-on", "info", "check"]),
        2,
        &["info"],
    );
}

#[test]
fn help_and_version_are_exit_0() {
    let tmp = tempfile::tempdir().unwrap();
    expect(&govsheet(tmp.path(), &["--help"]), 0, &["check"]);
    expect(&govsheet(tmp.path(), &["--version"]), 0, &["govsheet"]);
}

#[test]
fn schema_command_prints_the_schema() {
    let tmp = tempfile::tempdir().unwrap();
    let o = govsheet(tmp.path(), &["schema"]);
    expect(&o, 0, &[]);
    let j = json(&o);
    assert!(j["properties"]["events"].is_object(), "{j}");
}

#[test]
fn json_shape_is_the_contract() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        "version: 1\nowners:\n  tracking:\n    nmae: Ana\npolicy: {rules: {no-events: \"off\"}}\n",
    );
    let o = govsheet(tmp.path(), &["check", "--format", "json"]);
    expect(&o, 1, &[]);
    let j = json(&o);
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&j), ["findings", "summary"]);
    let f = &j["findings"][0];
    assert_eq!(
        keys(f),
        [
            "rule", "severity", "message", "file", "pointer", "line", "column", "help"
        ]
    );
    assert_eq!(f["rule"], "schema");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "governance.yaml");
    assert_eq!(f["pointer"], "/owners/tracking/nmae");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(4), Some(5))
    );
    assert_eq!(
        keys(&j["summary"]),
        ["errors", "warnings", "infos", "files"]
    );
    assert_eq!(
        j["summary"],
        serde_json::json!({"errors": 1, "warnings": 0, "infos": 0, "files": 1})
    );
    // A clean run is the same object with no findings.
    write(tmp.path(), "governance.yaml", MINIMAL);
    let j = json(&govsheet(tmp.path(), &["check", "--format", "json"]));
    assert_eq!(
        j,
        serde_json::json!({"findings": [], "summary": {"errors": 0, "warnings": 0, "infos": 0, "files": 1}})
    );
}

#[test]
fn json_is_never_coloured() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", "version: 2\n");
    let o = bin()
        .current_dir(tmp.path())
        .args(["--color", "always", "check", "--format", "json"])
        .output()
        .unwrap();
    assert!(!o.stdout.contains(&0x1b), "{}", stdout(&o));
    json(&o);
}

fn has_escape(o: &Output) -> bool {
    o.stdout.contains(&0x1b)
}

#[test]
fn color_always_never_auto_and_no_color() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        "version: 1\nowners: {a: {nmae: x}}\n",
    );
    let run = |color: &str, no_color: bool| {
        let mut cmd = bin();
        cmd.current_dir(tmp.path())
            .args(["--color", color, "check"]);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let o = cmd.output().unwrap();
        expect(&o, 1, &["governance.yaml"]);
        o
    };
    assert!(has_escape(&run("always", false)), "--color always colours");
    assert!(!has_escape(&run("never", false)), "--color never does not");
    assert!(
        !has_escape(&run("auto", false)),
        "auto into a pipe does not"
    );
    assert!(
        !has_escape(&run("auto", true)),
        "auto with NO_COLOR does not"
    );
    // The words are the same with and without colour.
    let strip = |o: &Output| {
        let s = stdout(o);
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(strip(&run("always", false)), stdout(&run("never", false)));
}

#[test]
fn fail_on_levels_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "governance.yaml", MINIMAL);
    expect(
        &govsheet(tmp.path(), &["--fail-on", "warning", "check"]),
        0,
        &["ok"],
    );
    expect(
        &govsheet(tmp.path(), &["--fail-on", "error", "check"]),
        0,
        &["ok"],
    );
    write(
        tmp.path(),
        "governance.yaml",
        "version: 1\nowners: 3\npolicy: {rules: {no-events: \"off\"}}\n",
    );
    expect(
        &govsheet(tmp.path(), &["--fail-on", "warning", "check"]),
        1,
        &["1 error"],
    );
    expect(
        &govsheet(tmp.path(), &["check", "--fail-on", "error"]),
        1,
        &["1 error"],
    );
}

#[test]
fn max_findings_limits_the_human_report_only() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\npolicy: {rules: {no-events: \"off\"}}\nowners:\n");
    for i in 0..30 {
        text.push_str(&format!("  o{i}: {{nmae: x}}\n"));
    }
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check", "--max-findings", "5"]);
    expect(
        &o,
        1,
        &[
            "... and 25 more findings not shown",
            "30 errors, 0 warnings, 0 infos in 1 sheet",
        ],
    );
    assert_eq!(stdout(&o).matches("unknown key `nmae`").count(), 5);
    let o = govsheet(tmp.path(), &["check", "--max-findings", "0"]);
    expect(&o, 1, &["... and 30 more findings not shown"]);
    let j = json(&govsheet(
        tmp.path(),
        &["check", "--max-findings", "5", "--format", "json"],
    ));
    assert_eq!(j["findings"].as_array().unwrap().len(), 30);
}

#[test]
fn default_findings_limit_is_200() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\npolicy: {rules: {no-events: \"off\"}}\nowners:\n");
    for i in 0..250 {
        text.push_str(&format!("  o{i}: {{nmae: x}}\n"));
    }
    write(tmp.path(), "governance.yaml", text);
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 1, &["... and 50 more findings not shown", "250 errors"]);
}

#[cfg(unix)]
#[test]
fn closed_stdout_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let mut text = String::from("version: 1\npolicy: {rules: {no-events: \"off\"}}\nowners:\n");
    for i in 0..2_000 {
        text.push_str(&format!("  o{i}: {{nmae: x}}\n"));
    }
    write(tmp.path(), "governance.yaml", text);
    let mut child = bin()
        .current_dir(tmp.path())
        .args(["--color", "never", "check", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, like `| head -0`
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code().is_some(), "killed by a signal: {status:?}");
}

// ---------------------------------------------------------------------------------------------
// The benchmark's generators

#[test]
fn generated_sheets_are_clean_and_the_python_generator_matches() {
    let shape = common::Shape::new(37);
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gen-sheet.py");
    let o = Command::new("python3")
        .arg(&script)
        .arg("37")
        .arg(tmp.path())
        .output()
        .expect("python3 runs scripts/gen-sheet.py (used by scripts/bench.sh)");
    assert!(o.status.success(), "{}", stderr(&o));
    let written = std::fs::read_to_string(tmp.path().join("governance.yaml")).unwrap();
    assert_eq!(written, common::sheet(&shape, Some("records")));
    for (name, text) in common::record_files(&shape) {
        let got = std::fs::read_to_string(tmp.path().join("records").join(&name)).unwrap();
        assert_eq!(got, text, "{name}");
    }
    for (path, text) in common::repo_files(&shape) {
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(&path)).unwrap(),
            text,
            "{path}"
        );
    }
    let o = govsheet(tmp.path(), &["check", "--format", "json"]);
    expect(&o, 0, &[]);
    assert_eq!(json(&o)["findings"], serde_json::json!([]));
}

/// Issue 14: run from a subfolder, `check`, `graph`, `doc` and `retests` find the sheet in the
/// nearest parent, and never look above the repository root.
#[test]
fn the_sheet_is_found_in_a_parent_folder_up_to_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let sheet = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/event-rollback/pass.yaml"),
    )
    .unwrap();
    let repo = tmp.path().join("repo");
    let deep = repo.join("theme/sections");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    write(&repo, "governance.yaml", &sheet);

    // `root: .` of the sheet is the repository root, two levels up: its globs match there.
    let o = govsheet(&deep, &["check"]);
    expect(&o, 0, &["ok: no findings in 1 sheet"]);
    let mut with_typo = sheet.clone();
    with_typo.extend_from_slice(b"colour: blue\n");
    write(&repo, "governance.yaml", &with_typo);
    let o = govsheet(&deep, &["check", "--format", "json"]);
    assert_eq!(json(&o)["findings"][0]["file"], "../../governance.yaml");
    write(&repo, "governance.yaml", &sheet);
    let o = govsheet(&deep, &["graph"]);
    expect(&o, 0, &["Purchase"]);
    let o = govsheet(&deep, &["doc"]);
    expect(&o, 0, &["Purchase"]);
    let o = govsheet(&deep, &["retests", "--help"]);
    expect(&o, 0, &["../../governance.yaml"]);

    // A sheet above the repository root is not this repository's sheet.
    let outer = tmp.path().join("outer");
    let inner = outer.join("repo/sub");
    std::fs::create_dir_all(&inner).unwrap();
    std::fs::create_dir_all(outer.join("repo/.git")).unwrap();
    write(&outer, "governance.yaml", &sheet);
    let o = govsheet(&inner, &["check"]);
    expect(&o, 2, &["governance.yaml"]);
}

/// Issue 14: no schema finding shows a regular expression of the schema; each says in words
/// what to write (`x-govsheet-expected` / `x-govsheet-help` in the schema).
#[test]
fn no_schema_finding_shows_a_raw_regex() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/governance.schema.json")).unwrap();
    fn patterns(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v.as_str()) {
                        ("pattern", Some(p)) => out.push(p.to_owned()),
                        _ => patterns(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| patterns(v, out)),
            _ => {}
        }
    }
    let mut regexes = Vec::new();
    patterns(&schema, &mut regexes);
    assert!(regexes.len() >= 6, "{regexes:?}");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/schema-in-the-sheets-words");
    let o = govsheet(&dir, &["check", "--format", "json", "governance.yaml"]);
    let report = json(&o);
    let schema_findings: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema")
        .collect();
    assert!(schema_findings.len() >= 10, "{report}");
    // Where a fix can be derived from the value, the help writes it.
    let help_at = |pointer: &str| {
        schema_findings
            .iter()
            .find(|f| f["pointer"] == pointer)
            .and_then(|f| f["help"].as_str())
            .unwrap_or_else(|| panic!("no schema finding at {pointer}: {report}"))
    };
    assert!(help_at("/owners/checkout_pixel").contains(": write `checkout-pixel`"));
    assert!(help_at("/events/Add To Cart").contains(": write `AddToCart`"));
    assert!(help_at("/events/Purchase/parameters/content ids").contains(": write `content_ids`"));
    assert!(help_at("/policy/rules/Event_Owner").contains(": write `event-owner`"));
    for f in schema_findings {
        let text = format!("{} {}", f["message"], f["help"]);
        assert!(
            f["help"].is_string(),
            "a schema finding without help: {text}"
        );
        for re in &regexes {
            assert!(!text.contains(re.as_str()), "raw regex {re} in: {text}");
        }
        assert!(!text.contains("^[") && !text.contains("]*$"), "{text}");
    }
}

/// Issue 14: one mistake, one finding. `ownr:` is an unknown key meant as `owner`, which
/// explains "event `Lead` has no owner"; `owner: Tracking_Team` is refused by the schema, which
/// explains that it names no declared owner. The exit code is unchanged.
#[test]
fn a_finding_another_explains_is_folded_into_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "governance.yaml",
        "version: 1\nowners:\n  tracking: {name: T}\n  tracking-team: {name: TT}\nevents:\n  \
         Lead:\n    meaning: A lead\n    ownr: tracking\n  Purchase:\n    meaning: A purchase\n    \
         owner: Tracking_Team\n",
    );
    let o = govsheet(tmp.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let report = json(&o);
    let findings = report["findings"].as_array().unwrap();
    let at = |p: &str| {
        findings
            .iter()
            .filter(|f| f["pointer"] == p)
            .collect::<Vec<_>>()
    };
    assert!(
        !findings.iter().any(|f| f["rule"] == "event-owner"),
        "{report}"
    );
    let ownr = at("/events/Lead/ownr");
    assert_eq!(ownr.len(), 1, "{report}");
    assert_eq!(
        ownr[0]["help"],
        "did you mean `owner`?\nit also explains `event-owner`: event `Lead` has no owner"
    );
    let owner = at("/events/Purchase/owner");
    assert_eq!(owner.len(), 1, "{report}");
    assert_eq!(owner[0]["rule"], "schema");
    let help = owner[0]["help"].as_str().unwrap();
    assert!(help.contains("write `tracking-team`"), "{help}");
    assert!(help.contains("it also fails `unknown-reference`"), "{help}");
}
