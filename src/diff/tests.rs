use super::*;
use crate::sheet;

const BASE: &str = "\
version: 1
owners:
  tracking: {name: Tracking}
events:
  Purchase:
    owner: tracking
    triggers: [checkout, theme]
    retests: [purchase-dedupe]
    parameters:
      value: {source_of_truth: shop, required: true}
      currency: {source_of_truth: shop, required: true}
    rollback: {rule: revert, pause: [budget, roas], resume_when: passes}
    verify: {min_dedupe_rate: 0.9, max_value_drift: 0.02}
  Lead:
    owner: tracking
components:
  checkout: {paths: ['checkout/**'], retests: [smoke]}
  theme: {paths: ['theme/**'], depends_on: [checkout]}
retests:
  purchase-dedupe: {owner: tracking, max_age: 30d}
  smoke: {owner: tracking}
records:
  - {retest: smoke, date: 2026-11-01, result: fail, by: tracking, evidence: broken}
policy:
  rules: {unused-retest: error}
  packs: [team.yaml]
";

fn load(text: &str) -> Sheet {
    sheet::load("governance.yaml", text.as_bytes().to_vec())
        .sheet
        .expect("the test sheet parses")
}

fn changes(base: &str, head: &str) -> Vec<Change> {
    let (b, h) = (load(base), load(head));
    diff(
        Side {
            sheet: &b,
            present: true,
        },
        Side {
            sheet: &h,
            present: true,
        },
    )
}

fn lines(cs: &[Change]) -> Vec<String> {
    cs.iter()
        .map(|c| match &c.weakens {
            Some(why) => format!("WEAK {} {}: {why}", c.pointer, c.describe()),
            None => format!("{} {}", c.pointer, c.describe()),
        })
        .collect()
}

#[test]
fn the_same_sheet_reformatted_has_no_change() {
    let reformatted = BASE
        .replace("[checkout, theme]", "[theme, checkout]")
        .replace(
            "  Lead:\n    owner: tracking\n",
            "  Lead:\n    owner: tracking\n    meaning:\n",
        );
    assert!(changes(BASE, &reformatted).is_empty());
    assert!(changes(BASE, BASE).is_empty());
}

#[test]
fn each_weakening_change_is_marked_and_the_rest_are_not() {
    let mut head = BASE
        .replace("[checkout, theme]", "[theme, server]")
        .replace("['checkout/**']", "['checkout/**', '!checkout/pay.js']")
        .replace(
            "value: {source_of_truth: shop, required: true}",
            "value: {source_of_truth: shop, required: false}",
        )
        .replace("pause: [budget, roas]", "pause: [budget]")
        .replace("min_dedupe_rate: 0.9", "min_dedupe_rate: 0.5")
        .replace("max_age: 30d", "max_age: 52w")
        .replace(
            "unused-retest: error",
            "unused-retest: warning, retest-missing: off",
        )
        .replace("packs: [team.yaml]", "packs: []")
        .replace(
            "  - {retest: smoke, date: 2026-11-01, result: fail, by: tracking, evidence: broken}\n",
            "",
        )
        .replace(
            "  Lead:\n    owner: tracking\n",
            "  Lead:\n    owner: media\n",
        );
    head.push_str("waivers:\n  - {rule: retest-missing, target: /retests/smoke, reason: r, approved_by: tracking, expires: 2027-01-01}\n");
    let got = lines(&changes(BASE, &head));
    let want = [
        "/events/Purchase/triggers/1 added `server` to `triggers` of event `Purchase`",
        "WEAK /events/Purchase/triggers/0 removed `checkout` from `triggers` of event `Purchase`: ",
        "WEAK /events/Purchase/parameters/value/required changed",
        "WEAK /events/Purchase/rollback/pause/1 removed `roas`",
        "WEAK /events/Purchase/verify/min_dedupe_rate changed",
        "/events/Lead/owner changed `owner` of event `Lead`: `tracking` -> `media`",
        "WEAK /components/checkout/paths/1 added `!checkout/pay.js`",
        "WEAK /retests/purchase-dedupe/max_age changed",
        "WEAK /policy/rules/unused-retest changed",
        "WEAK /policy/rules/retest-missing added",
        "WEAK /policy/packs/0 removed `team.yaml`",
        "WEAK /waivers/0 added `{rule: retest-missing, target: /retests/smoke, reason: r",
        "WEAK /records/0 removed `{retest: smoke, date: 2026-11-01, result: fail, by: tracking, evidence: broken}` from records",
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for w in want {
        let w = w.trim_end_matches(": ");
        assert!(
            got.iter().any(|g| g.starts_with(w)),
            "no change like {w:?} in {got:#?}"
        );
    }
}

#[test]
fn an_event_removed_from_a_retest_s_events_weakens() {
    // A retest whose `events` name an event is one of that event's retests (sheet::graph).
    let base = BASE.replace(
        "smoke: {owner: tracking}",
        "smoke: {owner: tracking, events: [Purchase, Lead]}",
    );
    let head = base.replace("events: [Purchase, Lead]", "events: [Lead]");
    let got = lines(&changes(&base, &head));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with("WEAK /retests/smoke/events/0 removed `Purchase`"),
        "{got:#?}"
    );
    let got = lines(&changes(&head, &base));
    assert!(!got.iter().any(|g| g.starts_with("WEAK")), "{got:#?}");
}

#[test]
fn strengthening_changes_do_not_weaken() {
    let head = BASE
        .replace("[checkout, theme]", "[checkout, theme, server]")
        .replace("min_dedupe_rate: 0.9", "min_dedupe_rate: 0.95")
        .replace("max_value_drift: 0.02", "max_value_drift: 0.01")
        .replace("max_age: 30d", "max_age: 2w")
        .replace("unused-retest: error", "unused-retest: error, event-owner: error")
        .replace("pause: [budget, roas]", "pause: [budget, roas, product-sets]")
        .replace("['checkout/**']", "['checkout/**', 'apps/**']")
        .replace(
            "records:\n",
            "records:\n  - {retest: smoke, date: 2026-11-20, result: pass, by: tracking, evidence: fixed}\n",
        );
    let cs = changes(BASE, &head);
    assert!(!cs.is_empty());
    let weak: Vec<_> = weakening(&cs).map(Change::describe).collect();
    assert!(weak.is_empty(), "{weak:#?}");
}

#[test]
fn removals_name_the_base_place_and_anchor_at_the_head_parent() {
    let head = BASE.replace("[checkout, theme]", "[theme]");
    let cs = changes(BASE, &head);
    assert_eq!(cs.len(), 1);
    let c = &cs[0];
    assert_eq!(c.kind, Kind::Removed);
    assert_eq!(c.item.as_deref(), Some("checkout"));
    assert_eq!(c.base.as_ref().unwrap().line, 7);
    // the list is still there at head: the finding points at it
    assert_eq!(c.head.as_ref().unwrap().line, 7);
    let f = findings(&cs, "main");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "governance-weakened");
    assert_eq!(f[0].severity, crate::finding::Severity::Warning);
    assert_eq!(f[0].pointer, "/events/Purchase/triggers/0");
    assert_eq!(f[0].line(), Some(7));
    assert!(
        f[0].message
            .starts_with("removed `checkout` from `triggers` of event `Purchase` (was governance.yaml:7 at main): a trigger removed"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_removed_event_is_one_change_and_a_new_event_is_one() {
    let head = BASE.replace(
        "  Lead:\n    owner: tracking\n",
        "  Signup:\n    owner: tracking\n",
    );
    let got = lines(&changes(BASE, &head));
    assert_eq!(
        got,
        [
            "/events/Signup added event `Signup`",
            "WEAK /events/Lead removed event `Lead`: an event removed: its triggers, retests and rollback no longer gate any change",
        ]
    );
}

#[test]
fn a_sheet_absent_at_the_base_is_all_added_and_weakens_nothing() {
    let empty = load("{}");
    let head = load(BASE);
    let with_waiver = load(&format!(
        "{BASE}waivers:\n  - {{rule: event-owner, target: /events/Lead, reason: r, approved_by: tracking, expires: 2027-01-01}}\n"
    ));
    let cs = diff(
        Side {
            sheet: &empty,
            present: false,
        },
        Side {
            sheet: &with_waiver,
            present: true,
        },
    );
    assert!(cs.iter().all(|c| c.kind == Kind::Added));
    assert!(cs.iter().any(|c| c.pointer == "/events/Purchase"));
    assert!(weakening(&cs).next().is_none());
    // absent at head: everything removed, anchored in the base sheet
    let cs = diff(
        Side {
            sheet: &head,
            present: true,
        },
        Side {
            sheet: &empty,
            present: false,
        },
    );
    assert!(
        cs.iter()
            .all(|c| c.kind == Kind::Removed && c.head.is_none())
    );
    let f = findings(&cs, "main");
    assert!(f.iter().any(|f| f.pointer == "/events/Purchase"));
    assert!(f.iter().all(|f| f.line().is_some_and(|l| l > 1)));
}

#[test]
fn control_characters_are_escaped_in_descriptions() {
    let head = BASE.replace("owner: media", "").replace(
        "  Lead:\n    owner: tracking\n",
        "  Lead:\n    owner: \"x\\u001b[31mred\\nfake\"\n",
    );
    let cs = changes(BASE, &head);
    let d = cs[0].describe();
    assert!(!d.chars().any(char::is_control), "{d:?}");
    assert!(d.contains("\\u{1b}[31mred\\nfake"), "{d}");
}
