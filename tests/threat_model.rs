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
    std::fs::create_dir(tmp.path().join(".git")).unwrap();
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
    std::fs::create_dir(tmp.path().join("records")).unwrap();
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
    std::fs::create_dir(tmp.path().join("records")).unwrap();
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
fn a_fifo_as_a_record_file_is_exit_2_without_blocking() {
    let tmp = shop();
    std::fs::create_dir(tmp.path().join("records")).unwrap();
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
    // The temporary file cannot be made (its folder is a file): the write fails before the
    // rename, as on a full disk, and the file that was there stays as it was.
    write(tmp.path(), "GOVERNANCE.md", "the previous document\n");
    let o = govsheet(tmp.path(), &["doc", "-o", "GOVERNANCE.md/x.md"]);
    expect(&o, 2, &["GOVERNANCE.md/x.md"]);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("GOVERNANCE.md")).unwrap(),
        "the previous document\n"
    );
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
