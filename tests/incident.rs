//! `govsheet incident open` and `resolve` on a real git repository: the files written, nothing
//! overwritten, the sheet untouched byte for byte, and `check` and `doc` seeing the incident.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SHEET: &str = r#"# The sheet: govsheet incident never edits it.
version: 1
root: .
owners:
  tracking: {name: Priya}
  commerce: {name: Marco}
events:
  Purchase:
    meaning: A paid order
    owner: tracking
    browser: {system: pixel}
    server: {system: capi}
    event_id: {logic: order id, format: "purchase-{order_id}", generated_by: capi}
    parameters:
      value: {source_of_truth: capi, owner: commerce, required: true}
      currency: {source_of_truth: capi, owner: commerce, required: true}
    triggers: [checkout]
    retests: [purchase-dedupe]
    rollback: {rule: revert, pause: [budget, roas], resume_when: three clean days}
  AddToCart:
    meaning: An add to cart
    owner: tracking
    browser: {system: pixel}
    triggers: [checkout]
    retests: [purchase-dedupe]
    rollback: {rule: revert, pause: [product-sets], resume_when: matches}
systems:
  pixel: {kind: browser, owner: tracking}
  capi: {kind: server, owner: tracking}
components:
  checkout: {owner: tracking, paths: ["*.yaml"]}
retests:
  purchase-dedupe: {title: Dedupe, owner: tracking, method: place 3 orders}
records:
  - {retest: purchase-dedupe, date: 2026-11-20, result: pass, by: tracking, evidence: Test Events}
incidents:
  - id: in-the-sheet
    opened: 2026-11-01
    events: [AddToCart]
    paused: [product-sets]
    owner: tracking
    status: open
incidents_dir: incidents
router:
  purchase-spike:
    symptom: Meta Purchase rises, but orders do not
    first_action: >
      Sample 10 orders and compare browser event, server log,
      event_id, value and event_time
    pause: [budget, roas]
    do_not: Do not treat the spike as a scaling signal
    owner: tracking
    events: [Purchase]
  no-events:
    symptom: something
    first_action: look
    pause: [budget]
    owner: tracking
"#;

/// A hand-written incident file with comments, to resolve later.
const HAND_WRITTEN: &str = "# Found by the weekly review.\nid: hand-1 # keep this id\nopened: 2026-11-22\nevents: [Purchase]\npaused: [roas] # media agreed\nowner: tracking\nstatus: monitoring\nfix: >\n  pending\n";

struct Repo(tempfile::TempDir);

impl Repo {
    fn new() -> Self {
        let r = Repo(tempfile::tempdir().expect("a temp dir"));
        r.write("governance.yaml", SHEET);
        r.write("incidents/hand-1.yaml", HAND_WRITTEN);
        r.git(&["init", "-q"]);
        r.git(&["add", "-A"]);
        r.git(&["commit", "-q", "-m", "sheet"]);
        r
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("a folder")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).expect("read")
    }

    fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_govsheet"))
            .current_dir(self.path())
            .env_remove("GOVSHEET_TODAY")
            .env("NO_COLOR", "1")
            .args(["--today", "2026-11-25"])
            .args(args)
            .output()
            .expect("the binary runs")
    }

    /// Every file outside `.git` with its bytes.
    fn files(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![self.path().to_path_buf()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).expect("read_dir") {
                let e = e.expect("entry");
                let p = e.path();
                if p.file_name().is_some_and(|n| n == ".git") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(self.path()).expect("inside").to_path_buf();
                    out.insert(rel, std::fs::read(&p).expect("read"));
                }
            }
        }
        out
    }
}

fn out(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn check_json(r: &Repo) -> serde_json::Value {
    let o = r.run(&["check", "--format", "json"]);
    serde_json::from_slice(&o.stdout).expect("json")
}

/// The incident ids `check` reports as open.
fn open_incidents(r: &Repo) -> Vec<String> {
    check_json(r)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "incident-open")
        .filter_map(|f| f["message"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn open_writes_a_new_file_from_the_route_and_check_and_doc_see_it() {
    let r = Repo::new();
    let before = r.files();
    let o = r.run(&["incident", "open", "purchase-spike"]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
    let after = r.files();
    // Nothing changed but one new file in incidents/.
    let new: Vec<&PathBuf> = after.keys().filter(|p| !before.contains_key(*p)).collect();
    assert_eq!(new.len(), 1, "{new:?}");
    for (p, bytes) in &before {
        assert_eq!(after.get(p), Some(bytes), "{} changed", p.display());
    }
    let file = new[0].display().to_string();
    assert!(
        file.starts_with("incidents/2026-11-25-purchase-spike-"),
        "{file}"
    );
    let id = file
        .trim_start_matches("incidents/")
        .trim_end_matches(".yaml")
        .to_owned();
    assert!(stdout.contains(&format!("git add {file}")), "{stdout}");
    assert!(stdout.contains("pause first: budget, roas"), "{stdout}");
    let text = r.read(&file);
    for line in [
        format!("id: \"{id}\""),
        "opened: \"2026-11-25\"".into(),
        "route: \"purchase-spike\"".into(),
        "events: [\"Purchase\"]".into(),
        "paused: [\"budget\", \"roas\"]".into(),
        "owner: \"tracking\"".into(),
        "status: \"open\"".into(),
        "first_action: \"Sample 10 orders and compare browser event, server log, event_id, value and event_time\"".into(),
    ] {
        assert!(text.contains(&format!("{line}\n")), "{line}: {text}");
    }

    // A second incident from the same route on the same day: another file, the first untouched.
    let o = r.run(&["incident", "open", "purchase-spike"]);
    assert_eq!(o.status.code(), Some(0));
    let third = r.files();
    assert_eq!(third.len(), after.len() + 1);
    assert_eq!(third.get(new[0]), after.get(new[0]));

    // check sees it as open, pausing what the route pauses.
    let msgs = open_incidents(&r);
    assert!(
        msgs.iter()
            .any(|m| m.contains(&format!("incident `{id}` is open"))
                && m.contains("conclusions `budget`, `roas` are paused")),
        "{msgs:?}"
    );
    // doc: Purchase is stopped by it, and it links its route.
    let o = r.run(&["doc", "--format", "markdown"]);
    let md = out(&o).0;
    let purchase = md
        .lines()
        .find(|l| l.starts_with("| **Purchase** |"))
        .expect("a Stop/Go row");
    assert!(purchase.contains("⛔ **Stop**"), "{purchase}");
    assert!(
        purchase.contains(&format!("incident `{id}` is open")),
        "{purchase}"
    );
    assert!(
        purchase.contains("route [`purchase-spike`](#route-purchase-spike)"),
        "{purchase}"
    );
    assert!(md.contains("### Route: purchase-spike"));
}

#[test]
fn resolve_writes_into_the_incidents_own_file_and_keeps_its_comments() {
    let r = Repo::new();
    let sheet = r.read("governance.yaml");
    let o = r.run(&[
        "incident",
        "resolve",
        "hand-1",
        "--fix",
        "Reverted the app update",
        "--resume-when",
        "Three days within 3% of paid orders",
    ]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("git add incidents/hand-1.yaml"), "{stdout}");
    assert_eq!(r.read("governance.yaml"), sheet, "the sheet is untouched");
    let text = r.read("incidents/hand-1.yaml");
    assert!(
        text.starts_with("# Found by the weekly review.\nid: hand-1 # keep this id\n"),
        "{text}"
    );
    assert!(text.contains("paused: [roas] # media agreed\n"), "{text}");
    assert!(text.contains("status: \"resolved\"\n"), "{text}");
    assert!(
        text.contains("fix: \"Reverted the app update\"\n"),
        "{text}"
    );
    assert!(text.contains("resolved: \"2026-11-25\"\n"), "{text}");
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(r.path().join("incidents"))
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["hand-1.yaml"]);
    // check: no longer open, and complete.
    let json = check_json(&r);
    let rules: Vec<(&str, &str)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default(),
                f["message"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        !rules.iter().any(|(_, m)| m.contains("hand-1")),
        "{rules:?}"
    );
    // doc lists it resolved, with its fix.
    let md = out(&r.run(&["doc", "--format", "markdown"])).0;
    let row = md
        .lines()
        .find(|l| l.starts_with("| `hand-1`"))
        .expect("an incident row");
    assert!(
        row.contains("**resolved**") && row.contains("Reverted the app update"),
        "{row}"
    );

    // Resolving it again is refused.
    let o = r.run(&[
        "incident",
        "resolve",
        "hand-1",
        "--fix",
        "x",
        "--resume-when",
        "y",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).1.contains("already resolved"), "{:?}", out(&o));
}

#[test]
fn what_cannot_be_done_exits_2_and_writes_nothing() {
    let r = Repo::new();
    let before = r.files();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["incident", "open", "purchase-spik"],
            "did you mean `purchase-spike`?",
        ),
        (
            vec!["incident", "open", "purchase-spike", "--events", "Purchse"],
            "unknown event `Purchse` under `events`: did you mean `Purchase`?",
        ),
        (vec!["incident", "open", "no-events"], "names no events"),
        (
            vec![
                "incident",
                "resolve",
                "hand-2",
                "--fix",
                "x",
                "--resume-when",
                "y",
            ],
            "unknown incident `hand-2` under `incidents`: did you mean `hand-1`?",
        ),
        (
            vec![
                "incident",
                "resolve",
                "in-the-sheet",
                "--fix",
                "x",
                "--resume-when",
                "y",
            ],
            "lives in the sheet: edit it there",
        ),
        (
            vec![
                "incident",
                "resolve",
                "hand-1",
                "--fix",
                " ",
                "--resume-when",
                "y",
            ],
            "--fix is empty",
        ),
        (
            vec![
                "incident",
                "resolve",
                "hand-1",
                "--fix",
                "x",
                "--resume-when",
                "y",
                "--date",
                "2026-11-21",
            ],
            "before the incident was opened",
        ),
    ];
    for (args, want) in cases {
        let o = r.run(&args);
        let (stdout, stderr) = out(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
    assert_eq!(r.files(), before, "nothing was written");

    // A declared event that is not among the route's: written, with a warning.
    let o = r.run(&[
        "incident",
        "open",
        "purchase-spike",
        "--events",
        "AddToCart",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        out(&o)
            .1
            .contains("`AddToCart` not among the events of route `purchase-spike`")
    );

    // No incidents_dir: say what to add.
    r.write(
        "governance.yaml",
        &SHEET.replace("incidents_dir: incidents\n", ""),
    );
    let o = r.run(&["incident", "open", "purchase-spike"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).1.contains("add `incidents_dir: incidents`"),
        "{:?}",
        out(&o)
    );
    // An incidents_dir outside the repository is refused.
    r.write(
        "governance.yaml",
        &SHEET.replace(
            "incidents_dir: incidents\n",
            "incidents_dir: ../elsewhere\n",
        ),
    );
    let o = r.run(&["incident", "open", "purchase-spike"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        out(&o).1.contains("outside the repository"),
        "{:?}",
        out(&o)
    );
    assert!(!r.path().join("../elsewhere").exists());
}

/// `incidents_dir: .` next to the sheet reads the sheet as an incident file too: resolving an
/// incident found there would edit the sheet by another name, so it is refused.
#[test]
fn resolve_never_edits_the_sheet_by_another_name() {
    let r = Repo::new();
    let sheet = "version: 1\nincidents_dir: .\nid: x\nstatus: open\n";
    r.write("governance.yaml", sheet);
    let o = r.run(&[
        "incident",
        "resolve",
        "x",
        "--fix",
        "a",
        "--resume-when",
        "b",
    ]);
    assert_eq!(o.status.code(), Some(2), "{:?}", out(&o));
    assert!(out(&o).1.contains("edit it there"), "{:?}", out(&o));
    assert_eq!(r.read("governance.yaml"), sheet);
}

/// The global flags are accepted after `incident open` / `resolve` too (hidden from their help).
#[test]
fn global_flags_are_accepted_after_the_nested_subcommand() {
    let r = Repo::new();
    let o = r.run(&[
        "incident",
        "open",
        "purchase-spike",
        "--color",
        "never",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(o.status.code(), Some(0), "{:?}", out(&o));
    let help = out(&r.run(&["incident", "open", "--help"])).0;
    assert!(
        help.contains("--today") && !help.contains("--fail-on"),
        "{help}"
    );
}

/// Issue 13: `incident open` names the conclusions the document will show paused: the route's
/// `pause`, then what the stopped events' rollbacks pause (`AddToCart`'s `product-sets`), and
/// `check`'s `incident-open` names the same list.
#[test]
fn open_names_the_conclusions_the_stopped_events_pause() {
    let r = Repo::new();
    let o = r.run(&[
        "incident",
        "open",
        "purchase-spike",
        "--events",
        "Purchase",
        "AddToCart",
    ]);
    let (stdout, stderr) = out(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("pause first: budget, roas, product-sets\n"),
        "{stdout}"
    );
    let opened = open_incidents(&r);
    assert!(
        opened.iter().any(|m| m.contains(
            "events `Purchase`, `AddToCart` are stopped and conclusions `budget`, `roas`, `product-sets` are paused"
        )),
        "{opened:?}"
    );
}
