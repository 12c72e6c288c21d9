use super::*;
use crate::retest::{History, coverage};
use crate::sheet;
use chrono::NaiveDate;

const BASE: &str = "\
version: 1
events:
  Purchase:
    triggers: [checkout]
    retests: [dedupe]
    parameters:
      value: {source_of_truth: shop, required: true}
  Lead:
    triggers: [forms]
    retests: [lead-check]
components:
  checkout: {paths: ['checkout/**']}
  forms: {paths: ['forms/**']}
retests:
  dedupe: {owner: tracking}
  lead-check: {owner: tracking}
waivers:
  - {rule: retest-missing, target: /retests/lead-check, reason: r, approved_by: tracking, expires: 2027-01-01}
";

fn load(text: &str) -> Sheet {
    sheet::load("governance.yaml", text.as_bytes().to_vec())
        .sheet
        .expect("the test sheet parses")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn run(base: &str, head: &str, files: &[&str]) -> Report {
    let (b, h) = (load(base), load(head));
    let (bm, _) = Matcher::new(&b.components);
    let (hm, _) = Matcher::new(&h.components);
    let changed: Vec<ChangedPath> = files
        .iter()
        .map(|f| ChangedPath::new(*f, Some(day(20))))
        .collect();
    evaluate(
        Judge {
            sheet: &h,
            matcher: &hm,
            changed: changed.clone(),
        },
        Judge {
            sheet: &b,
            matcher: &bm,
            changed,
        },
        ChangedPath::new("governance.yaml", Some(day(20))),
        Judging {
            // Head's records, no history: the same evidence for both sheets.
            records: &coverage::without_history(&h.records),
            history: &History::default(),
            default_date: day(25),
            today: day(25),
        },
    )
}

fn ids(r: &Report) -> Vec<&str> {
    r.required.iter().map(|r| r.retest.as_str()).collect()
}

#[test]
fn a_trigger_removed_or_a_path_excluded_in_the_range_still_requires_the_retest() {
    let no_trigger = BASE.replace("triggers: [checkout]", "triggers: []");
    let r = run(BASE, &no_trigger, &["checkout/pay.js", "governance.yaml"]);
    assert!(ids(&r).contains(&"dedupe"), "{:?}", ids(&r));
    let excluded = BASE.replace("['checkout/**']", "['checkout/**', '!checkout/pay.js']");
    let r = run(BASE, &excluded, &["checkout/pay.js", "governance.yaml"]);
    assert_eq!(ids(&r), ["dedupe"]);
    assert_eq!(r.required[0].status, Status::Missing);
    assert_eq!(r.components, ["checkout"]);
}

#[test]
fn an_event_whose_parameters_changed_is_touched_through_the_sheet() {
    let head = BASE.replace("required: true", "required: false");
    let r = run(BASE, &head, &["governance.yaml"]);
    assert_eq!(ids(&r), ["dedupe"]);
    let why = &r.required[0].because[0];
    assert_eq!(why.files, ["governance.yaml"]);
    assert!(why.components.is_empty());
    assert_eq!(why.event.as_deref(), Some("Purchase"));
    assert_eq!(r.required[0].change_date, "2026-11-20");
    // a change elsewhere in the event (its meaning) touches nothing
    let head = BASE.replace("  Lead:\n", "  Lead:\n    meaning: a form sent\n");
    assert!(touched_events(&load(BASE), &load(&head)).is_empty());
    assert!(run(BASE, &head, &["governance.yaml"]).required.is_empty());
}

#[test]
fn the_stricter_severity_and_only_the_bases_waivers_judge_the_range() {
    let head = BASE.replace(
        "waivers:\n",
        "policy:\n  rules: {retest-missing: off, retest-failed: warning, event-owner: warning}\nwaivers:\n  - {rule: retest-missing, target: /retests/dedupe, reason: r, approved_by: tracking, expires: 2027-01-01}\n",
    );
    let (b, h) = (load(BASE), load(&head));
    let c = range_config(policy::core(), &b, &h);
    let rules: Vec<(&str, &str)> = c
        .rules
        .iter()
        .map(|(a, b)| (a.value.as_str(), b.value.as_str()))
        .collect();
    assert_eq!(
        rules,
        [
            ("event-owner", "warning"),
            ("retest-missing", "error"),
            ("retest-failed", "error"),
            ("governance-weakened", "warning"),
        ]
    );
    assert_eq!(c.waivers.len(), 1);
    assert_eq!(
        c.waivers[0].target.as_ref().unwrap().value,
        "/retests/lead-check"
    );
    // a severity raised in the range counts
    let raised = BASE.replace(
        "waivers:\n",
        "policy: {rules: {governance-weakened: error}}\nwaivers:\n",
    );
    let c = range_config(policy::core(), &b, &load(&raised));
    assert!(
        c.rules
            .iter()
            .any(|(a, b)| a.value == "governance-weakened" && b.value == "error")
    );
}
