//! The threat model of `docs/limits.md`, held by tests: in a pull request from a fork the
//! author controls the sheet, the records, the file names and the captures. Each test names
//! the attack it was written against (issue 12), on real files, links, FIFOs and git
//! repositories, and asserts that the run fails closed: a finding (exit 1) or exit 2 that says
//! why, nothing read, printed or written outside what the run was asked to.

use std::path::Path;
use std::process::{Command, Output, Stdio};

const TODAY: &str = "2026-11-25";

/// A sheet that passes `check` in a folder holding `theme/layout.liquid`.
const SHEET: &str = r##"version: 1
owners:
  tracking: {name: Ana, contact: "#t", role: tracking}
systems:
  web: {kind: browser, owner: tracking}
events:
  Lead:
    meaning: a contact form was sent
    owner: tracking
    browser: {system: web, fires_on: form submit}
    triggers: [theme]
    retests: [lead-check]
    rollback: {rule: revert the theme, pause: [budget], resume_when: lead-check passes}
components:
  theme: {paths: ["theme/**"]}
retests:
  lead-check: {title: Lead fires once, method: send the form and compare, owner: tracking}
records_dir: records
# the retest's standing record: without one, `retest-stale` warns that Lead is Stop
records:
  - {retest: lead-check, date: 2026-11-01, result: pass, by: tracking, evidence: one lead per form}
"##;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsheet"));
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GOVSHEET_TODAY")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null());
    cmd
}

fn govsheet(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(["--color", "never", "--today", TODAY])
        .args(args)
        .output()
        .expect("the govsheet binary runs")
}

fn all(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[track_caller]
fn expect(o: &Output, code: i32, needles: &[&str]) {
    let text = all(o);
    assert_eq!(o.status.code(), Some(code), "exit code; output:\n{text}");
    for n in needles {
        assert!(text.contains(n), "output should contain {n:?}:\n{text}");
    }
    assert!(
        !text.contains("panicked"),
        "a panic reached the user:\n{text}"
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(p, text).unwrap();
}

/// A folder with the sheet, a theme file and a `.git` marker (the repository root).
fn shop() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join(".git")).unwrap();
    write(tmp.path(), "governance.yaml", SHEET);
    write(tmp.path(), "theme/layout.liquid", "<html></html>\n");
    tmp
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(ok.success(), "mkfifo {}", path.display());
}

/// Run with a deadline: a run that blocks on a FIFO fails the test instead of hanging it.
fn within_10s(mut cmd: Command) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(10)) {
        Ok(o) => o.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(id.to_string()).status();
            panic!("govsheet blocked for 10 s (on a FIFO or a device)");
        }
    }
}

#[test]
fn the_base_sheet_passes() {
    let tmp = shop();
    expect(&govsheet(tmp.path(), &["check"]), 0, &[]);
}

// ---------------------------------------------------------------------------------------------
// Inputs: links out of the repository, FIFOs, devices, sizes

#[test]
fn a_record_linked_to_a_file_outside_the_repository_is_exit_2_and_not_printed() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secrets.yaml",
        "retest: lead-check\ndate: 2026-11-20\nresult: pass\nby: tracking\nevidence: TOKEN-12345\n",
    );
    let tmp = shop();
    std::fs::create_dir_all(tmp.path().join("records")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secrets.yaml"),
        tmp.path().join("records/r.yaml"),
    )
    .unwrap();
    let o = govsheet(tmp.path(), &["check"]);
    expect(&o, 2, &["records/r.yaml", "outside the repository"]);
    assert!(!all(&o).contains("TOKEN-12345"), "{}", all(&o));
    // The same through retests: the linked record never covers a change.
    let o = govsheet(tmp.path(), &["retests", "theme/layout.liquid"]);
    expect(&o, 2, &["records/r.yaml"]);
}

#[test]
fn a_record_linked_to_proc_is_exit_2() {
    let tmp = shop();
    std::fs::create_dir_all(tmp.path().join("records")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", tmp.path().join("records/env.yaml")).unwrap();
    expect(&govsheet(tmp.path(), &["check"]), 2, &["records/env.yaml"]);
}

#[test]
fn a_fifo_or_a_device_as_the_sheet_is_exit_2_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    mkfifo(&tmp.path().join("governance.yaml"));
    let mut cmd = bin();
    cmd.current_dir(tmp.path())
        .args(["--today", TODAY, "check", "governance.yaml"]);
    expect(
        &within_10s(cmd),
        2,
        &["governance.yaml", "not a regular file"],
    );
    let mut cmd = bin();
    cmd.current_dir(tmp.path())
        .args(["--today", TODAY, "check", "/dev/zero"]);
    expect(&within_10s(cmd), 2, &["/dev/zero", "not a regular file"]);
}

#[test]
fn a_fifo_named_like_a_sheet_is_not_skipped_when_walking_or_by_verify() {
    let tmp = shop();
    std::fs::create_dir_all(tmp.path().join("web")).unwrap();
    mkfifo(&tmp.path().join("web/governance.yaml"));
    let mut cmd = bin();
    cmd.current_dir(tmp.path())
        .args(["--today", TODAY, "check", "web"]);
    expect(
        &within_10s(cmd),
        2,
        &["web/governance.yaml", "not a regular file"],
    );
    write(tmp.path(), "web/server.json", "");
    let mut cmd = bin();
    cmd.current_dir(tmp.path().join("web")).args([
        "--today",
        TODAY,
        "verify",
        "--server",
        "server.json",
    ]);
    expect(
        &within_10s(cmd),
        2,
        &["governance.yaml", "not a regular file"],
    );
}

#[test]
fn a_fifo_as_a_record_file_is_exit_2_without_blocking() {
    let tmp = shop();
    std::fs::create_dir_all(tmp.path().join("records")).unwrap();
    mkfifo(&tmp.path().join("records/r.yaml"));
    let mut cmd = bin();
    cmd.current_dir(tmp.path())
        .args(["--today", TODAY, "check"]);
    expect(
        &within_10s(cmd),
        2,
        &["records/r.yaml", "not a regular file"],
    );
}

#[test]
fn a_fifo_as_files_from_or_a_capture_is_exit_2_without_blocking() {
    let tmp = shop();
    mkfifo(&tmp.path().join("list"));
    let mut cmd = bin();
    cmd.current_dir(tmp.path())
        .args(["--today", TODAY, "retests", "--files-from", "list"]);
    expect(&within_10s(cmd), 2, &["list", "not a regular file"]);
    let mut cmd = bin();
    cmd.current_dir(tmp.path())
        .args(["--today", TODAY, "verify", "--server", "list"]);
    expect(&within_10s(cmd), 2, &["list", "not a regular file"]);
}

// ---------------------------------------------------------------------------------------------
// Paths the sheet names: records_dir through a dangling link, root outside

#[test]
fn record_through_a_dangling_symlinked_parent_writes_nothing_outside() {
    let outside = tempfile::tempdir().unwrap();
    let tmp = shop();
    // `records` is a link to a folder that does not exist yet, outside the repository.
    std::os::unix::fs::symlink(
        outside.path().join("made/by/govsheet"),
        tmp.path().join("records"),
    )
    .unwrap();
    let o = govsheet(
        tmp.path(),
        &[
            "record",
            "lead-check",
            "--result",
            "pass",
            "--by",
            "tracking",
            "--evidence",
            "seen",
        ],
    );
    expect(&o, 2, &["records_dir"]);
    assert!(
        !outside.path().join("made").exists(),
        "record created folders outside the repository"
    );
}

#[test]
fn a_root_outside_the_repository_is_exit_2_with_listed_files() {
    let tmp = shop();
    let sheet = SHEET.replace("records_dir: records\n", "root: ..\n");
    write(tmp.path(), "governance.yaml", &sheet);
    let o = govsheet(tmp.path(), &["retests", "theme/layout.liquid"]);
    expect(&o, 2, &["root", "outside the repository"]);
    expect(&govsheet(tmp.path(), &["check"]), 2, &["root"]);
}

// ---------------------------------------------------------------------------------------------
// Outputs: never onto an input, never in place, a closed pipe keeps the exit code

#[test]
fn output_onto_the_sheet_is_refused_by_name_and_through_a_link() {
    let tmp = shop();
    std::os::unix::fs::symlink("governance.yaml", tmp.path().join("alias.json")).unwrap();
    std::fs::hard_link(
        tmp.path().join("governance.yaml"),
        tmp.path().join("hard.json"),
    )
    .unwrap();
    for target in [
        "governance.yaml",
        "alias.json",
        "hard.json",
        "./governance.yaml",
    ] {
        let o = govsheet(
            tmp.path(),
            &["check", "--format", "json", "--output", target],
        );
        expect(&o, 2, &[target, "input of this run"]);
        let now = std::fs::read_to_string(tmp.path().join("governance.yaml")).unwrap();
        assert_eq!(now, SHEET, "--output {target} changed the sheet");
    }
}

#[test]
fn output_onto_a_record_is_refused() {
    let tmp = shop();
    write(
        tmp.path(),
        "records/r.yaml",
        "retest: lead-check\ndate: 2026-11-20\nresult: pass\nby: tracking\nevidence: seen\n",
    );
    let o = govsheet(tmp.path(), &["doc", "-o", "records/r.yaml"]);
    expect(&o, 2, &["records/r.yaml", "input of this run"]);
    assert!(
        std::fs::read_to_string(tmp.path().join("records/r.yaml"))
            .unwrap()
            .starts_with("retest:")
    );
}

#[test]
fn outputs_replace_the_file_instead_of_truncating_it_in_place() {
    use std::os::unix::fs::MetadataExt;
    let tmp = shop();
    write(tmp.path(), "GOVERNANCE.md", "the previous document\n");
    // A second name for the previous file: a write in place would change it too.
    std::fs::hard_link(
        tmp.path().join("GOVERNANCE.md"),
        tmp.path().join("previous.md"),
    )
    .unwrap();
    let before = std::fs::metadata(tmp.path().join("GOVERNANCE.md"))
        .unwrap()
        .ino();
    expect(
        &govsheet(tmp.path(), &["doc", "-o", "GOVERNANCE.md"]),
        0,
        &[],
    );
    let after = std::fs::metadata(tmp.path().join("GOVERNANCE.md")).unwrap();
    assert_ne!(after.ino(), before, "the document was rewritten in place");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("previous.md")).unwrap(),
        "the previous document\n"
    );
    assert!(
        std::fs::read_to_string(tmp.path().join("GOVERNANCE.md"))
            .unwrap()
            .contains("Lead")
    );
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".govsheet-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_failed_write_leaves_the_previous_file_whole_and_exits_2() {
    let tmp = shop();
    write(tmp.path(), "GOVERNANCE.md", "the previous document\n");
    // A full disk, as the process sees it: a file size limit of 1 KiB with SIGXFSZ ignored,
    // so a write past it fails with EFBIG (the document is larger than that).
    let o = Command::new("sh")
        .current_dir(tmp.path())
        .env_remove("GOVSHEET_TODAY")
        .arg("-c")
        .arg(r#"trap "" XFSZ; ulimit -f 2; exec "$0" --color never --today 2026-11-25 doc -o GOVERNANCE.md"#)
        .arg(env!("CARGO_BIN_EXE_govsheet"))
        .output()
        .unwrap();
    expect(&o, 2, &["GOVERNANCE.md"]);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("GOVERNANCE.md")).unwrap(),
        "the previous document\n",
        "the failed write damaged the previous file"
    );
    // Without the limit the same command writes the whole document.
    expect(
        &govsheet(tmp.path(), &["doc", "-o", "GOVERNANCE.md"]),
        0,
        &[],
    );
    let doc = std::fs::read_to_string(tmp.path().join("GOVERNANCE.md")).unwrap();
    assert!(doc.len() > 2048, "the document is only {} bytes", doc.len());
}

#[test]
fn a_closed_standard_output_keeps_the_exit_code_of_the_findings() {
    let tmp = shop();
    // A retest is required by the change and has no record: exit 1, whoever reads stdout.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = bin()
        .current_dir(tmp.path())
        .args(["--color", "never", "--today", TODAY])
        .args(["retests", "theme/layout.liquid"])
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
}

// ---------------------------------------------------------------------------------------------
// Text from the inputs: no forged log line, no active Markdown

/// No line of a plain-text report may start a GitHub Actions workflow command.
#[track_caller]
fn no_workflow_command(text: &str) {
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "a line of the report starts a workflow command: {line:?}\n{text}"
        );
    }
}

#[test]
fn a_file_name_with_a_newline_cannot_forge_a_workflow_command() {
    let tmp = shop();
    let name = "theme/x\n::notice title=pwned::all retests passed.liquid";
    write(tmp.path(), name, "");
    let o = govsheet(tmp.path(), &["retests", name]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    no_workflow_command(&all(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("theme/x\\n::notice"));
    // A record file so named, with an error in it, in the check report.
    write(
        tmp.path(),
        "records/r\n::error::forged.yaml",
        "retest: lead-check\ndate: 2026-11-20\nresult: pass\nby: tracking\nevidence: seen\nextra: 1\n",
    );
    let o = govsheet(tmp.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    no_workflow_command(&all(&o));
}

#[test]
fn text_at_the_start_of_a_report_line_cannot_start_a_workflow_command() {
    let tmp = shop();
    // verify's table starts each line with the captured event name.
    write(
        tmp.path(),
        "server.json",
        r#"{"data": [{"event_name": "::warning::pwned", "event_time": 1795511732, "action_source": "website"}]}
"#,
    );
    let o = govsheet(tmp.path(), &["verify", "--server", "server.json"]);
    assert!(all(&o).contains(":warning::pwned"), "{}", all(&o));
    no_workflow_command(&all(&o));
}

/// A Purchase capture whose event name and ids carry a link, HTML and a mention.
const HOSTILE_CAPTURE: &str = r#"{"data": [{"event_name": "Lead[x](https://evil.example) <img src=x onerror=alert(1)> @org/team", "event_time": 1795511732, "action_source": "website", "event_id": "e1", "user_data": {"em": ["7b17fb0bd173f625b58636fb796407c22b3d16fc78302d79f0fd30c2fc2fc068"]}}]}
"#;

#[test]
fn captured_text_is_inert_in_the_markdown_report() {
    let tmp = shop();
    write(tmp.path(), "server.json", HOSTILE_CAPTURE);
    let o = govsheet(
        tmp.path(),
        &["verify", "--server", "server.json", "--format", "markdown"],
    );
    let md = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(md.contains("Lead"), "{md}");
    // Outside code spans (where nothing is active), none of it is left as written.
    let outside_code: String = md.split('`').step_by(2).collect();
    for active in ["](https://", "@org", "https://"] {
        assert!(
            !outside_code.contains(active),
            "{active:?} is active in:\n{md}"
        );
    }
    // Rendered, the report holds no link, no HTML and no raw mention.
    let events = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TABLES);
    for e in events {
        assert!(
            !matches!(
                e,
                pulldown_cmark::Event::Html(_)
                    | pulldown_cmark::Event::InlineHtml(_)
                    | pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. })
                    | pulldown_cmark::Event::Start(pulldown_cmark::Tag::Image { .. })
            ),
            "{e:?} in:\n{md}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Walking folders, file names that are not UTF-8, the environment

#[test]
fn a_symlinked_sheet_is_checked_when_inside_and_refused_when_outside() {
    let tmp = shop();
    write(tmp.path(), "sheets/shop.yaml", SHEET);
    std::fs::create_dir_all(tmp.path().join("web")).unwrap();
    std::os::unix::fs::symlink(
        "../sheets/shop.yaml",
        tmp.path().join("web/governance.yaml"),
    )
    .unwrap();
    let o = govsheet(tmp.path(), &["check", "web"]);
    expect(&o, 0, &["ok: no findings in 1 sheet"]);

    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "governance.yaml", SHEET);
    std::fs::remove_file(tmp.path().join("web/governance.yaml")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("governance.yaml"),
        tmp.path().join("web/governance.yaml"),
    )
    .unwrap();
    let o = govsheet(tmp.path(), &["check", "web"]);
    expect(&o, 2, &["web/governance.yaml", "outside the repository"]);
}

#[test]
fn a_changed_path_that_is_not_utf8_is_not_dropped() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = shop();
    let name = std::ffi::OsStr::from_bytes(b"theme/caf\xe9.liquid");
    std::fs::write(tmp.path().join(name), "").unwrap();
    let o = bin()
        .current_dir(tmp.path())
        .args(["--color", "never", "--today", TODAY, "retests"])
        .arg(name)
        .output()
        .unwrap();
    expect(&o, 2, &["not UTF-8"]);
}

#[test]
fn an_empty_govsheet_today_counts_as_unset() {
    let tmp = shop();
    let o = bin()
        .current_dir(tmp.path())
        .env("GOVSHEET_TODAY", "")
        .args(["--color", "never", "check"])
        .output()
        .unwrap();
    expect(&o, 0, &["ok"]);
    // An explicit empty --today is still a mistake.
    let o = bin()
        .current_dir(tmp.path())
        .args(["--today", "", "check"])
        .output()
        .unwrap();
    expect(&o, 2, &["--today"]);
}

// ---------------------------------------------------------------------------------------------
// The sheet: events, unknown keys, incomplete records, globs

#[test]
fn a_sheet_without_events_fails() {
    let tmp = shop();
    let start = SHEET.find("events:\n").unwrap();
    let end = SHEET.find("components:\n").unwrap();
    let text = format!("{}{}", &SHEET[..start], &SHEET[end..]);
    write(tmp.path(), "governance.yaml", &text);
    expect(&govsheet(tmp.path(), &["check"]), 1, &["no-events"]);
}

#[test]
fn unknown_keys_are_errors_whatever_their_value() {
    let tmp = shop();
    write(
        tmp.path(),
        "governance.yaml",
        &format!("{SHEET}pahts:\nsheet: {{description: a, b}}\n"),
    );
    let o = govsheet(tmp.path(), &["check"]);
    expect(
        &o,
        1,
        &["unknown key `pahts`", "unknown key `b` in `sheet`"],
    );
}

#[test]
fn a_record_without_by_or_evidence_is_a_finding_and_covers_nothing() {
    let tmp = shop();
    for (name, record) in [
        (
            "no-by.yaml",
            "retest: lead-check\ndate: 2026-11-25\nresult: pass\nevidence: seen\n",
        ),
        (
            "no-evidence.yaml",
            "retest: lead-check\ndate: 2026-11-25\nresult: pass\nby: tracking\n",
        ),
        (
            "no-notes.yaml",
            "retest: lead-check\ndate: 2026-11-25\nresult: not-needed\nby: tracking\nevidence: seen\n",
        ),
    ] {
        write(tmp.path(), &format!("records/{name}"), record);
        let o = govsheet(tmp.path(), &["check"]);
        expect(&o, 1, &["record-evidence", name]);
        let o = govsheet(tmp.path(), &["retests", "theme/layout.liquid"]);
        expect(&o, 1, &["MISSING", "lead-check"]);
        std::fs::remove_file(tmp.path().join("records").join(name)).unwrap();
    }
    // The complete record covers the change.
    write(
        tmp.path(),
        "records/ok.yaml",
        "retest: lead-check\ndate: 2026-11-25\nresult: pass\nby: tracking\nevidence: seen\n",
    );
    expect(
        &govsheet(tmp.path(), &["retests", "theme/layout.liquid"]),
        0,
        &["COVERED"],
    );
}

#[test]
fn an_incomplete_fail_still_fails_the_retest() {
    let tmp = shop();
    write(
        tmp.path(),
        "records/1-pass.yaml",
        "retest: lead-check\ndate: 2026-11-25\nresult: pass\nby: tracking\nevidence: seen\n",
    );
    // Newer in the load order, without evidence: ignoring it would let the pass decide.
    write(
        tmp.path(),
        "records/2-fail.yaml",
        "retest: lead-check\ndate: 2026-11-25\nresult: fail\nby: tracking\n",
    );
    let o = govsheet(tmp.path(), &["retests", "theme/layout.liquid"]);
    expect(&o, 1, &["FAILED", "lead-check"]);
}

#[test]
fn a_glob_typo_is_reported_even_when_a_sibling_glob_matches() {
    let tmp = shop();
    write(tmp.path(), "sections/main-product.liquid", "");
    write(tmp.path(), "sgtm/tag.js", "");
    let text = SHEET.replace(
        r#"  theme: {paths: ["theme/**"]}"#,
        r#"  theme: {paths: ["theme/**", "sections/main-product.liqiud"]}
  sgtm: {paths: ["sgtm/", "sgtm", "/sgtm/**"]}"#,
    );
    write(tmp.path(), "governance.yaml", &text);
    let o = govsheet(tmp.path(), &["check"]);
    expect(
        &o,
        1,
        &[
            "glob `sections/main-product.liqiud` of component `theme` matches no file",
            "did you mean `sections/main-product.liquid`?",
            "glob `sgtm/` of component `sgtm`",
            "glob `sgtm` of component `sgtm`",
            "glob `/sgtm/**` of component `sgtm`",
            "write `sgtm/**`",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// verify: the orders read strictly, the thresholds through the schema

const PURCHASES: &str = r#"{"data": [{"event_name": "Purchase", "event_time": 1795511732, "action_source": "website", "event_id": "purchase-1001", "user_data": {"em": ["7b17fb0bd173f625b58636fb796407c22b3d16fc78302d79f0fd30c2fc2fc068"]}, "custom_data": {"value": 59.9, "currency": "EUR", "order_id": "1001"}}]}
"#;

#[test]
fn a_stray_quote_in_the_orders_never_hides_the_rows_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "server.json", PURCHASES);
    write(
        tmp.path(),
        "orders.csv",
        "id,total,currency,note\n1001,59.90,EUR,ok\n1002,10.00,EUR,5\" screen\n1003,20.00,EUR,x\n1004,30.00,EUR,y\n",
    );
    let o = govsheet(
        tmp.path(),
        &[
            "verify",
            "--server",
            "server.json",
            "--orders",
            "orders.csv",
            "--orders-columns",
            "id=id,value=total,currency=currency",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let orders = &j["orders"];
    // 1003 and 1004 are still orders, without a Purchase; the broken row is unreconciled.
    assert_eq!(orders["orders"], 3, "{orders}");
    assert_eq!(orders["orders_without_purchase"], 2, "{orders}");
    assert_eq!(orders["unreconciled"], 1, "{orders}");
    let rows: Vec<&serde_json::Value> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "orders-row")
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["severity"], "error");
    assert!(
        rows[0]["message"].as_str().unwrap().contains("row 3"),
        "{rows:?}"
    );
}

#[test]
fn unreadable_or_blank_totals_and_currencies_are_unreconciled_errors() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "server.json", PURCHASES);
    write(
        tmp.path(),
        "orders.csv",
        "id,total,currency\n1001,\"€1,000.00\",EUR\n1002,,EUR\n1003,5.00,\n1004,5.00,€\n",
    );
    let o = govsheet(
        tmp.path(),
        &[
            "verify",
            "--server",
            "server.json",
            "--orders",
            "orders.csv",
            "--orders-columns",
            "id=id,value=total,currency=currency",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", all(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["orders"]["unreconciled"], 4, "{}", j["orders"]);
    let rows: Vec<String> = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "orders-row" && f["severity"] == "error")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    for row in ["row 2", "row 3", "row 4", "row 5"] {
        assert!(rows.iter().any(|m| m.contains(row)), "{row}: {rows:?}");
    }
}

#[test]
fn a_nan_threshold_is_a_schema_error_in_verify() {
    let tmp = shop();
    let text = SHEET.replace(
        "    triggers: [theme]\n",
        "    triggers: [theme]\n    verify: {min_dedupe_rate: .nan}\n",
    );
    write(tmp.path(), "governance.yaml", &text);
    write(tmp.path(), "server.json", PURCHASES);
    let o = govsheet(tmp.path(), &["verify", "--server", "server.json"]);
    expect(&o, 1, &["schema", "min_dedupe_rate"]);
    expect(&govsheet(tmp.path(), &["check"]), 1, &["schema", ".nan"]);
}
