//! A change cannot weaken the gate that judges it: `govsheet retests --base` and `govsheet
//! diff` on real throwaway git repositories whose pull request edits the sheet next to its
//! tracking change.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const SHEET: &str = r#"version: 1
records_dir: records
owners:
  tracking: {name: Tracking}
systems:
  shop: {kind: order-system, owner: tracking}
events:
  Purchase:
    owner: tracking
    triggers: [checkout]
    retests: [purchase-dedupe]
    parameters:
      value: {source_of_truth: shop, owner: tracking, required: true}
      currency: {source_of_truth: shop, owner: tracking, required: true}
    rollback: {rule: revert the checkout change, pause: [budget, roas], resume_when: dedupe passes}
  Lead:
    owner: tracking
    triggers: [forms]
    retests: [lead-check]
components:
  checkout:
    paths: ['checkout/**']
  forms:
    paths: ['forms/**']
retests:
  purchase-dedupe: {title: Dedupe, method: place 3 orders, owner: tracking, max_age: 30d}
  lead-check: {title: Lead, method: send the form, owner: tracking}
"#;

const TODAY: &str = "2026-11-25";

struct Repo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn git_env(cmd: &mut Command, date: &str) {
    let stamp = format!("{date}T12:00:00+00:00");
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp);
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Repo {
    /// `main` with the sheet and a file per component (2026-11-01), `feature` checked out.
    fn new() -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("shop");
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo { _tmp: tmp, dir };
        repo.git(&["init", "-q"]);
        repo.write("governance.yaml", SHEET);
        repo.write("checkout/pay.js", "v1\n");
        repo.write("forms/lead.js", "v1\n");
        repo.write("README.md", "shop\n");
        repo.commit_all("init", "2026-11-01");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn git_at(&self, args: &[&str], date: &str) -> String {
        let mut cmd = Command::new("git");
        cmd.args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(&self.dir);
        git_env(&mut cmd, date);
        let out = cmd.output().expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_at(args, TODAY)
    }

    fn commit_all(&self, msg: &str, date: &str) {
        self.git_at(&["add", "-A"], date);
        self.git_at(&["commit", "-q", "-m", msg], date);
    }

    /// The pull request: the tracking change of `file` and the sheet as `sheet`, one commit.
    fn pull_request(&self, file: &str, sheet: &str) {
        self.write(file, "v2: the tracking change\n");
        self.write("governance.yaml", sheet);
        self.commit_all("tracking change", "2026-11-20");
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsheet"));
        cmd.args(["--color", "never"])
            .args(args)
            .current_dir(&self.dir)
            .env("GOVSHEET_TODAY", TODAY)
            .env("NO_COLOR", "1")
            .env_remove("PRE_COMMIT_FROM_REF")
            .env_remove("PRE_COMMIT_TO_REF");
        git_env(&mut cmd, TODAY);
        let out = cmd.output().expect("govsheet runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = args.to_vec();
        all.extend_from_slice(&["--format", "json"]);
        let r = self.run(&all);
        let v = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
        (r.code, v)
    }

    fn retests(&self) -> (i32, Value) {
        self.json(&["retests", "--base", "main"])
    }

    fn sha(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_owned()
    }
}

fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn status<'a>(v: &'a Value, retest: &str) -> &'a Value {
    &v["required"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["retest"] == retest)
        .unwrap_or_else(|| panic!("{retest} not required: {v:#}"))["status"]
}

/// The four ways a pull request could slip its own tracking change past the gate.
#[test]
fn a_pull_request_that_turns_the_rule_off_still_fails() {
    let repo = Repo::new();
    repo.pull_request(
        "checkout/pay.js",
        &format!("{SHEET}policy:\n  rules: {{retest-missing: off}}\n"),
    );
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    let missing = findings(&v, "retest-missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["severity"], "error");
    let weak = findings(&v, "governance-weakened");
    assert_eq!(weak.len(), 1, "{v:#}");
    assert_eq!(weak[0]["pointer"], "/policy/rules/retest-missing");
    assert_eq!(weak[0]["severity"], "warning");
    // lowering it to info is no way round either
    let repo = Repo::new();
    repo.pull_request(
        "checkout/pay.js",
        &format!("{SHEET}policy:\n  rules: {{retest-missing: info, governance-weakened: off}}\n"),
    );
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(findings(&v, "retest-missing")[0]["severity"], "error");
    assert_eq!(findings(&v, "governance-weakened").len(), 2, "{v:#}");
}

#[test]
fn a_pull_request_that_excludes_the_file_it_changes_still_fails() {
    let repo = Repo::new();
    repo.pull_request(
        "checkout/pay.js",
        &SHEET.replace("['checkout/**']", "['checkout/**', '!checkout/pay.js']"),
    );
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    let weak = findings(&v, "governance-weakened");
    assert_eq!(weak.len(), 1);
    assert_eq!(weak[0]["pointer"], "/components/checkout/paths/1");
    assert!(
        weak[0]["message"]
            .as_str()
            .unwrap()
            .contains("a path excluded"),
        "{weak:#?}"
    );
}

#[test]
fn a_pull_request_that_waives_its_own_finding_still_fails() {
    let repo = Repo::new();
    let waiver = "waivers:\n  - {rule: retest-missing, target: /retests/purchase-dedupe, reason: later, approved_by: tracking, expires: 2026-12-31}\n  - {rule: governance-weakened, reason: mine, approved_by: tracking, expires: 2026-12-31}\n";
    repo.pull_request("checkout/pay.js", &format!("{SHEET}{waiver}"));
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(findings(&v, "retest-missing").len(), 1, "{v:#}");
    assert_eq!(findings(&v, "governance-weakened").len(), 2, "{v:#}");
    // a waiver the base already had still applies
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "main"]);
    repo.write("governance.yaml", &format!("{SHEET}{waiver}"));
    repo.commit_all("waiver approved", "2026-11-02");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    repo.pull_request("checkout/pay.js", &format!("{SHEET}{waiver}"));
    let (code, v) = repo.retests();
    assert_eq!(code, 0, "{v:#}");
    assert!(findings(&v, "retest-missing").is_empty(), "{v:#}");
}

#[test]
fn a_pull_request_that_removes_the_trigger_still_fails() {
    let repo = Repo::new();
    repo.pull_request(
        "checkout/pay.js",
        &SHEET.replace("triggers: [checkout]", "triggers: []"),
    );
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    let because = &v["required"][0]["because"];
    assert!(
        because.as_array().unwrap().contains(&serde_json::json!([
            "checkout/pay.js",
            "checkout",
            "Purchase"
        ])),
        "{because:#}"
    );
    let weak = findings(&v, "governance-weakened");
    assert_eq!(weak.len(), 1);
    assert_eq!(weak[0]["pointer"], "/events/Purchase/triggers/0");
    assert!(
        weak[0]["message"]
            .as_str()
            .unwrap()
            .contains("(was governance.yaml:10 at main (merge base "),
        "{weak:#?}"
    );
    // the governance changes are in the report
    let gov = &v["governance"];
    assert_eq!(gov["weakening"], 1);
    assert_eq!(gov["changes"][0]["kind"], "removed");
    assert_eq!(gov["changes"][0]["item"], "checkout");
    let human = repo.run(&["retests", "--base", "main"]).stdout;
    assert!(
        human.contains("governance changes since main (merge base "),
        "{human}"
    );
    assert!(
        human.contains("! removed `checkout` from `triggers`"),
        "{human}"
    );
    let md = repo
        .run(&["retests", "--base", "main", "--format", "markdown"])
        .stdout;
    assert!(
        md.contains("Governance changes since `main (merge base "),
        "{md}"
    );
    assert!(md.contains(": 1, 1 weakening"), "{md}");
}

#[test]
fn the_retests_of_both_sheets_are_required() {
    let repo = Repo::new();
    // head swaps the event's retest: the base's is still required for this change
    let head = SHEET
        .replace("retests: [purchase-dedupe]", "retests: [checkout-smoke]")
        .replace(
            "  lead-check:",
            "  checkout-smoke: {title: Smoke, method: click, owner: tracking}\n  lead-check:",
        );
    repo.pull_request("checkout/pay.js", &head);
    repo.write(
        "records/smoke.yaml",
        "{retest: checkout-smoke, date: 2026-11-21, result: pass, by: tracking, evidence: ok}\n",
    );
    repo.commit_all("record the smoke test", "2026-11-21");
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "checkout-smoke"), "covered");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    // the base sheet's retest is covered by the same evidence as head's: a record only on
    // disk covers it for neither sheet
    repo.write(
        "records/dedupe.yaml",
        "{retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: ok}\n",
    );
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    repo.commit_all("record the dedupe test", "2026-11-21");
    let (code, v) = repo.retests();
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "covered");
}

/// The base sheet's retests are judged by the history like head's: a pass that entered the
/// branch before the change (the same day) covers a retest only the base sheet requires no
/// more than one head requires.
#[test]
fn a_retest_only_the_base_sheet_requires_needs_a_record_after_the_change() {
    let repo = Repo::new();
    repo.write(
        "records/dedupe-morning.yaml",
        "{retest: purchase-dedupe, date: 2026-11-20, result: pass, by: tracking, evidence: ok}\n",
    );
    repo.commit_all("record in the morning", "2026-11-20");
    let head = SHEET.replace("retests: [purchase-dedupe]", "retests: []");
    repo.pull_request("checkout/pay.js", &head);
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    repo.write(
        "records/dedupe-after.yaml",
        "{retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: ok}\n",
    );
    repo.commit_all("record after the change", "2026-11-21");
    let (code, v) = repo.retests();
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "covered");
}

#[test]
fn an_edit_of_an_events_parameters_requires_its_retests() {
    let repo = Repo::new();
    repo.write(
        "governance.yaml",
        &SHEET.replace(
            "value: {source_of_truth: shop, owner: tracking, required: true}",
            "value: {source_of_truth: shop, owner: tracking, required: true, note: gross}",
        ),
    );
    repo.commit_all("note", "2026-11-21");
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["events"], serde_json::json!(["Purchase"]));
    assert_eq!(
        v["required"][0]["because"],
        serde_json::json!([["governance.yaml", "Purchase"]])
    );
    assert_eq!(v["required"][0]["change_date"], "2026-11-21");
    // no governance change is weakening here
    assert!(findings(&v, "governance-weakened").is_empty());
    // a change of an event's meaning does not touch its contract
    let repo = Repo::new();
    repo.write(
        "governance.yaml",
        &SHEET.replace("  Lead:\n", "  Lead:\n    meaning: a form sent\n"),
    );
    repo.commit_all("meaning", "2026-11-21");
    let (code, v) = repo.retests();
    assert_eq!(code, 0, "{v:#}");
    assert!(v["required"].as_array().unwrap().is_empty());
}

#[test]
fn a_sheet_deleted_in_the_range_is_judged_by_its_base_version() {
    let repo = Repo::new();
    repo.git(&["rm", "-q", "governance.yaml"]);
    repo.write("checkout/pay.js", "v2\n");
    repo.commit_all("drop the sheet", "2026-11-20");
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    assert!(
        findings(&v, "governance-weakened")
            .iter()
            .any(|f| f["pointer"] == "/events/Purchase"),
        "{v:#}"
    );
    // moved away: the same
    let repo = Repo::new();
    repo.git(&["mv", "governance.yaml", "old.governance.yaml"]);
    repo.write("checkout/pay.js", "v2\n");
    repo.commit_all("move the sheet", "2026-11-20");
    let (code, v) = repo.retests();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
}

#[test]
fn a_sheet_new_in_the_range_is_judged_by_head_alone() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["rm", "-q", "governance.yaml"]);
    repo.commit_all("no sheet yet", "2026-11-02");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    repo.pull_request(
        "checkout/pay.js",
        &format!("{SHEET}policy:\n  rules: {{retest-missing: warning}}\n"),
    );
    let (code, v) = repo.retests();
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(findings(&v, "retest-missing")[0]["severity"], "warning");
    assert!(v.get("governance").is_none(), "{v:#}");
}

#[test]
fn a_base_sheet_that_does_not_parse_or_a_git_failure_is_exit_2() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "main"]);
    repo.write("governance.yaml", "version: 1\nevents: [\n");
    repo.commit_all("broken", "2026-11-02");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    repo.pull_request("checkout/pay.js", SHEET);
    for cmd in [
        &["retests", "--base", "main"][..],
        &["diff", "--base", "main"],
    ] {
        let r = repo.run(cmd);
        assert_eq!(r.code, 2, "{cmd:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("governance.yaml at main (merge base ")
                && r.stderr.contains("the sheet does not parse"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
    }
    let r = repo.run(&["diff", "--base", "no-such-branch"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown revision `no-such-branch`"),
        "{}",
        r.stderr
    );
    // a symlink where the sheet was is not read as a sheet
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["rm", "-q", "governance.yaml"]);
    std::os::unix::fs::symlink("README.md", repo.dir.join("governance.yaml")).unwrap();
    repo.commit_all("link", "2026-11-02");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    std::fs::remove_file(repo.dir.join("governance.yaml")).unwrap();
    repo.pull_request("checkout/pay.js", SHEET);
    let r = repo.run(&["diff", "--base", "main"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("is a symlink in git"), "{}", r.stderr);
}

/// A pull request with every kind of change, for the `diff` snapshots.
fn reviewed_repo() -> Repo {
    let repo = Repo::new();
    repo.write(
        "records/2026-11-01-lead-check.yaml",
        "{retest: lead-check, date: 2026-11-01, result: fail, by: tracking, evidence: no lead}\n",
    );
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_all("record", "2026-11-01");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    std::fs::remove_file(repo.dir.join("records/2026-11-01-lead-check.yaml")).unwrap();
    let mut head = SHEET
        .replace("triggers: [checkout]", "triggers: [checkout, forms]")
        .replace("pause: [budget, roas]", "pause: [budget]")
        .replace(
            "currency: {source_of_truth: shop, owner: tracking, required: true}",
            "currency: {source_of_truth: shop, owner: tracking, required: false}",
        )
        .replace("['forms/**']", "['forms/**', '!forms/legacy/**']")
        .replace("max_age: 30d", "max_age: 90d")
        .replace("  Lead:\n    owner: tracking\n", "  Lead:\n    owner: tracking\n    meaning: \"a form sent <img src=x onerror=alert(1)> @everyone [click](https://evil.example)\"\n");
    head.push_str("policy:\n  rules: {retest-failed: warning}\n");
    repo.pull_request("checkout/pay.js", &head);
    repo
}

fn stable(repo: &Repo, text: &str) -> String {
    let mb = repo.sha("main");
    text.replace(&mb[..12], "MERGEBASE")
        .replace(&repo.sha("feature")[..12], "HEADSHA")
}

#[test]
fn diff_human() {
    let repo = reviewed_repo();
    let r = repo.run(&["diff", "--base", "main"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!(stable(&repo, &r.stdout));
    // --fail-on warning makes a weakening change fail the run
    assert_eq!(
        repo.run(&["--fail-on", "warning", "diff", "--base", "main"])
            .code,
        1
    );
}

#[test]
fn diff_markdown() {
    let repo = reviewed_repo();
    let r = repo.run(&[
        "diff", "--base", "main", "--head", "feature", "--format", "markdown",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // nothing from the sheet is live markup: it is all in code spans
    for line in r.stdout.lines().filter(|l| l.contains("evil")) {
        let outside: String = line.split('`').step_by(2).collect();
        assert!(
            !outside.contains('<') && !outside.contains('@') && !outside.contains("]("),
            "{line}"
        );
    }
    insta::assert_snapshot!(stable(&repo, &r.stdout));
}

#[test]
fn diff_json() {
    let repo = reviewed_repo();
    let (code, v) = repo.json(&["diff", "--base", "main"]);
    assert_eq!(code, 0);
    assert_eq!(v["weakening"], 6, "{v:#}");
    assert_eq!(findings(&v, "governance-weakened").len(), 6);
    insta::assert_snapshot!(stable(&repo, &serde_json::to_string_pretty(&v).unwrap()));
}

/// The rule's fixtures: `base.yaml` at the merge base, `fail.yaml` / `pass.yaml` at head.
#[test]
fn governance_weakened_fires_on_its_fail_fixture_and_not_on_its_pass_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/governance-weakened");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    for (head, fires) in [("fail.yaml", true), ("pass.yaml", false)] {
        let repo = Repo::new();
        repo.git(&["checkout", "-q", "main"]);
        repo.write("governance.yaml", &read("base.yaml"));
        repo.commit_all("base", "2026-11-02");
        repo.git(&["checkout", "-q", "-B", "feature"]);
        repo.write("governance.yaml", &read(head));
        repo.commit_all("head", "2026-11-20");
        let (_, v) = repo.json(&["diff", "--base", "main"]);
        assert_eq!(
            !findings(&v, "governance-weakened").is_empty(),
            fires,
            "{head}: {v:#}"
        );
    }
}

#[test]
fn diff_of_a_sheet_deleted_or_new_in_the_range() {
    // deleted at head: every entry removed, judged by the base, shown at the base's lines
    let repo = Repo::new();
    repo.git(&["rm", "-q", "governance.yaml"]);
    repo.commit_all("drop", "2026-11-20");
    let (code, v) = repo.json(&["diff", "--base", "main", "--head", "feature"]);
    assert_eq!(code, 0, "{v:#}");
    let changes = v["changes"].as_array().unwrap();
    assert!(changes.iter().all(|c| c["kind"] == "removed"), "{v:#}");
    let purchase = findings(&v, "governance-weakened")
        .into_iter()
        .find(|f| f["pointer"] == "/events/Purchase")
        .cloned()
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(purchase["line"], 8);
    assert_eq!(
        repo.run(&[
            "--fail-on",
            "warning",
            "diff",
            "--base",
            "main",
            "--head",
            "feature"
        ])
        .code,
        1
    );
    // new at head: every entry added, nothing weakened
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["rm", "-q", "governance.yaml"]);
    repo.commit_all("no sheet yet", "2026-11-02");
    repo.git(&["checkout", "-q", "-B", "feature"]);
    repo.write(
        "governance.yaml",
        &format!("{SHEET}waivers:\n  - {{rule: event-owner, target: /events/Lead, reason: r, approved_by: tracking, expires: 2027-01-01}}\n"),
    );
    repo.commit_all("adopt govsheet", "2026-11-20");
    let (code, v) = repo.json(&["diff", "--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    assert!(
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "added")
    );
    assert_eq!(v["weakening"], 0);
    // absent on both sides: say so
    let r = repo.run(&["diff", "--base", "main", "--sheet", "other.yaml"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no sheet at main"), "{}", r.stderr);
}

#[test]
fn the_pre_push_range_is_judged_by_both_sheets_too() {
    let repo = Repo::new();
    repo.pull_request(
        "checkout/pay.js",
        &SHEET.replace("triggers: [checkout]", "triggers: []"),
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsheet"));
    cmd.args(["retests", "--format", "json"])
        .current_dir(&repo.dir)
        .env("GOVSHEET_TODAY", TODAY)
        .env("PRE_COMMIT_FROM_REF", "main")
        .env("PRE_COMMIT_TO_REF", "feature");
    git_env(&mut cmd, TODAY);
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    assert_eq!(findings(&v, "governance-weakened").len(), 1);
}

#[test]
fn diff_in_the_ci_formats_carries_the_findings() {
    let repo = reviewed_repo();
    let r = repo.run(&["diff", "--base", "main", "--format", "github"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("::warning file=governance.yaml,line=30,"),
        "{}",
        r.stdout
    );
    let r = repo.run(&["diff", "--base", "main", "--format", "sarif"]);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["runs"][0]["results"].as_array().unwrap().len(), 6);
    assert_eq!(
        v["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "governance-weakened"
    );
}
