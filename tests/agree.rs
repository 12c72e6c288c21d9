//! Issue 13, "one verdict everywhere": each disagreement the issue found between `check`,
//! `retests` and `doc`, replayed on one real throwaway git repository per case, with all three
//! commands run on it and their answers compared. Each test failed before the fix it names.

mod common;

use common::*;
use serde_json::Value;

/// A sheet with no finding of its own: one event, one component, one retest (`max_age` 30 days).
const SHEET: &str = r#"version: 1
records_dir: records
owners:
  tracking: {name: Tracking, role: tracking / engineering}
  commerce: {name: Commerce, role: commerce / checkout}
systems:
  orders: {kind: order-system, owner: commerce}
  pixel: {kind: browser, owner: tracking}
  capi: {kind: server, owner: tracking}
events:
  Purchase:
    meaning: A paid order confirmed by the payment provider, one per order
    owner: tracking
    browser: {system: pixel, fires_on: thank-you page}
    server: {system: capi, fires_on: orders/paid webhook}
    event_id: {logic: Both paths derive the id from the order id, format: "purchase-{order_id}", generated_by: orders}
    parameters:
      value: {source_of_truth: orders, owner: commerce, required: true}
      currency: {source_of_truth: orders, owner: commerce, required: true}
    triggers: [checkout]
    retests: [purchase-dedupe]
    rollback: {rule: Revert the last checkout change, pause: [budget, roas], resume_when: dedupe passes}
components:
  checkout: {owner: tracking, paths: ["checkout/**"]}
retests:
  purchase-dedupe:
    title: Purchase dedupe
    method: Place 3 test orders and compare event_id on both paths
    owner: tracking
    max_age: 30d
"#;

/// What the three commands say about the same repository, as of `today`.
struct Verdicts {
    check_code: i32,
    check: Value,
    retests_code: i32,
    retests: Value,
    doc: String,
}

impl Verdicts {
    fn of(repo: &Repo, today: &str) -> Verdicts {
        let check = repo.run(&["--today", today, "check", "--format", "json"]);
        let retests = repo.run(&[
            "--today", today, "retests", "--base", "main", "--format", "json",
        ]);
        let doc = repo.run(&["--today", today, "doc"]);
        assert_eq!(doc.code, 0, "doc: {}", doc.stderr);
        let json = |r: &Run, what: &str| -> Value {
            serde_json::from_str(&r.stdout)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}{}", r.stdout, r.stderr))
        };
        Verdicts {
            check_code: check.code,
            check: json(&check, "check"),
            retests_code: retests.code,
            retests: json(&retests, "retests"),
            doc: doc.stdout,
        }
    }

    /// `check`'s findings of one rule.
    fn check_findings(&self, rule: &str) -> Vec<&Value> {
        self.check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .collect()
    }

    /// The document's table row that starts with `start` (`| **Purchase** |`), with the
    /// Markdown escapes (`max\_age`) taken out.
    fn doc_row(&self, start: &str) -> String {
        self.doc
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no row {start:?} in\n{}", self.doc))
            .replace('\\', "")
    }
}

/// The sheet on `main`, a checkout change on the branch on 2026-11-18, and `records` (file
/// name, YAML text) committed after it on 2026-11-20.
fn repo(sheet: &str, records: &[(&str, &str)]) -> Repo {
    let repo = Repo::with_sheet(sheet);
    repo.change("checkout/pay.js", "2026-11-18");
    for (name, text) in records {
        repo.write(&format!("records/{name}.yaml"), text);
    }
    repo.commit_all("records", "2026-11-20");
    repo
}

/// Why: "two record files of the same retest and day, one `fail` and one `pass`: `retests`
/// takes the pass, `doc` prints failed". Now all three say failed (on a tie, fail wins).
#[test]
fn a_fail_and_a_pass_of_the_same_day_fail_in_every_command() {
    let repo = repo(
        SHEET,
        &[
            (
                "a-fail",
                "{retest: purchase-dedupe, date: 2026-11-20, result: fail, by: tracking, evidence: two Purchases per order}\n",
            ),
            (
                "b-pass",
                "{retest: purchase-dedupe, date: 2026-11-20, result: pass, by: tracking, evidence: one Purchase per order}\n",
            ),
        ],
    );
    let v = Verdicts::of(&repo, TODAY);
    assert_eq!(status(&v.retests, "purchase-dedupe"), "failed");
    assert_eq!(v.retests_code, 1);
    let row = v.doc_row("| **Purchase** |");
    assert!(
        row.contains("**Stop**") && row.contains("retest `purchase-dedupe` failed on 2026-11-20"),
        "{row}"
    );
    let stale = v.check_findings("retest-stale");
    assert_eq!(stale.len(), 1, "{:#}", v.check);
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("retest `purchase-dedupe` failed on 2026-11-20: event `Purchase` is Stop"),
        "{}",
        stale[0]
    );
    assert_eq!(stale[0]["severity"], "warning");
    assert_eq!(
        v.check_code, 0,
        "a warning: exit 0 at the default --fail-on"
    );
}

/// Why: "a `not-needed` record without notes: `check` says ok, `doc` shows Go, `retests` says
/// MISSING with a misleading 'no record of this retest'". The one answer (sheet-format.md,
/// records): such a record covers nothing, and each command says it is the missing notes.
#[test]
fn a_not_needed_record_without_notes_covers_nothing_in_every_command() {
    let repo = repo(
        SHEET,
        &[(
            "skip",
            "{retest: purchase-dedupe, date: 2026-11-20, result: not-needed, by: tracking, evidence: copy change only}\n",
        )],
    );
    let v = Verdicts::of(&repo, TODAY);
    let why = "a not-needed on 2026-11-20 has no notes";
    // retests: missing, and it says why rather than "no record"
    assert_eq!(status(&v.retests, "purchase-dedupe"), "missing");
    let finding = v.retests["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "retest-missing")
        .unwrap_or_else(|| panic!("{:#}", v.retests));
    let text = finding.to_string();
    assert!(
        text.contains(why) && !text.contains("no record of this retest"),
        "{finding:#}"
    );
    // doc: Stop, for that record
    let row = v.doc_row("| **Purchase** |");
    assert!(row.contains("**Stop**") && row.contains(why), "{row}");
    // check: the incomplete record is an error, and the event it leaves Stop a warning
    assert_eq!(
        v.check_findings("record-evidence").len(),
        1,
        "{:#}",
        v.check
    );
    let stale = v.check_findings("retest-stale");
    assert_eq!(stale.len(), 1, "{:#}", v.check);
    assert!(
        stale[0]["message"].as_str().unwrap().contains(why),
        "{}",
        stale[0]
    );
    assert_eq!(v.check_code, 1);
}

/// Why: "`check --today` a date when every retest is past its `max_age`: exit 0 with no word
/// of it, while `doc` says 0 Go, 5 Stop". Now `check` warns for each (exit 0 at the default
/// `--fail-on error`, 1 with `--fail-on warning`, as cli.md says for warnings).
#[test]
fn a_retest_past_its_max_age_is_stale_in_every_command() {
    let repo = repo(
        SHEET,
        &[(
            "pass",
            "{retest: purchase-dedupe, date: 2026-11-20, result: pass, by: tracking, evidence: one Purchase per order}\n",
        )],
    );
    // the day before it expires, all three agree it covers
    let v = Verdicts::of(&repo, "2026-12-20");
    assert_eq!(status(&v.retests, "purchase-dedupe"), "covered");
    assert!(v.doc_row("| **Purchase** |").contains("**Go**"));
    assert!(v.check_findings("retest-stale").is_empty(), "{:#}", v.check);

    let later = "2027-01-15";
    let v = Verdicts::of(&repo, later);
    assert_eq!(status(&v.retests, "purchase-dedupe"), "missing");
    let reason = required(&v.retests, "purchase-dedupe").to_string();
    assert!(
        reason.contains("56 days old; max_age is 30 days"),
        "{reason}"
    );
    assert!(v.doc.contains("1 event: 0 Go, 1 Stop"), "{}", v.doc);
    let expired = "last passed 2026-11-20, 56 days ago (max_age 30 days)";
    assert!(v.doc_row("| **Purchase** |").contains(expired));
    let stale = v.check_findings("retest-stale");
    assert_eq!(stale.len(), 1, "{:#}", v.check);
    assert!(
        stale[0]["message"].as_str().unwrap().contains(expired),
        "{}",
        stale[0]
    );
    let declared = SHEET
        .lines()
        .position(|l| l == "  purchase-dedupe:")
        .unwrap()
        + 1;
    assert_eq!(stale[0]["line"], declared, "at the retest's declaration");
    assert_eq!(v.check_code, 0);
    let strict = repo.run(&["--today", later, "check", "--fail-on", "warning"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
}

/// Why: "the document shows Purchase as Stop for an open incident and, on the same page,
/// `budget` as usable, although Purchase's `rollback.pause` holds `budget`". A conclusion a
/// Stop event's rollback pauses is paused in the document, in `check` and in `retests`.
#[test]
fn a_stopped_event_pauses_its_conclusions_in_every_command() {
    let sheet = format!(
        "{SHEET}incidents:\n  - {{id: spike, opened: 2026-11-21, events: [Purchase], paused: [product-sets], owner: tracking, status: open}}\n"
    );
    let repo = repo(
        &sheet,
        &[(
            "fail",
            "{retest: purchase-dedupe, date: 2026-11-20, result: fail, by: tracking, evidence: two Purchases per order}\n",
        )],
    );
    let v = Verdicts::of(&repo, TODAY);
    // doc: Purchase is Stop, and so every conclusion it pauses, saying which event and why
    assert!(v.doc_row("| **Purchase** |").contains("**Stop**"));
    for c in ["budget", "roas"] {
        let row = v.doc_row(&format!("| `{c}` |"));
        assert!(
            row.contains("**paused** by")
                && row.contains("event **Purchase** (Stop: incident `spike` is open"),
            "{row}"
        );
    }
    assert!(v.doc_row("| `product-sets` |").contains("incident `spike`"));
    assert!(v.doc_row("| `creative-winners` |").contains("**usable**"));
    // check: the incident and the stale retest name the same conclusions
    let incident = v.check_findings("incident-open");
    assert_eq!(incident.len(), 1, "{:#}", v.check);
    assert!(
        incident[0]["message"]
            .as_str()
            .unwrap()
            .contains("conclusions `product-sets`, `budget`, `roas` are paused"),
        "{}",
        incident[0]
    );
    let stale = v.check_findings("retest-stale");
    assert!(
        stale[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("event `Purchase` is Stop and conclusions `budget`, `roas` are paused"),
        "{}",
        stale[0]
    );
    // retests: the same pause, until the failed retest passes
    let paused = &v.retests["paused"][0];
    assert_eq!(paused["event"], "Purchase");
    assert_eq!(strs(&paused["conclusions"]), ["budget", "roas"]);
    assert_eq!(strs(&paused["until"]), ["purchase-dedupe"]);
    assert_eq!(strs(&v.retests["incidents"][0]["paused"]), ["product-sets"]);
}

/// The clean case: a pass after the change covers in all three, and nothing is paused.
#[test]
fn a_pass_after_the_change_is_go_in_every_command() {
    let repo = repo(
        SHEET,
        &[(
            "pass",
            "{retest: purchase-dedupe, date: 2026-11-20, result: pass, by: tracking, evidence: one Purchase per order}\n",
        )],
    );
    let v = Verdicts::of(&repo, TODAY);
    assert_eq!(v.check["findings"], serde_json::json!([]), "{:#}", v.check);
    assert_eq!(v.check_code, 0);
    assert_eq!(status(&v.retests, "purchase-dedupe"), "covered");
    assert_eq!(v.retests_code, 0);
    assert!(v.doc_row("| **Purchase** |").contains("**Go**"));
    assert!(v.doc_row("| `budget` |").contains("**usable**"));
}
