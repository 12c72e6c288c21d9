//! One component graph, one "what a change requires": `retests` and the document's regression
//! gate answer the same question the same way on the same throwaway git repository, and a
//! retest that names an event in its own `events` is a retest of that event in both.

mod common;

use common::Repo;

/// `consent-check` is linked to Purchase and Lead only through its own `events`; Lead lists no
/// `retests` of its own.
const SHEET: &str = r#"version: 1
records_dir: records
owners:
  tracking: {name: Tracking}
events:
  Purchase:
    triggers: [checkout]
    retests: [purchase-dedupe]
    rollback: {rule: revert, pause: [budget, roas], resume_when: dedupe passes}
  ViewContent:
    triggers: [theme]
    retests: [smoke]
    rollback: {rule: revert, pause: [product-sets], resume_when: smoke passes}
  Lead:
    triggers: [checkout]
    rollback: {rule: revert, pause: [], resume_when: consent passes}
components:
  theme:
    paths: ['theme/**']
  checkout:
    paths: ['checkout/**']
    depends_on: [theme]
retests:
  purchase-dedupe: {title: Dedupe, method: place 3 orders, owner: tracking}
  smoke: {title: Smoke, method: click around, owner: tracking}
  consent-check: {title: Consent, method: deny consent and order, owner: tracking, events: [Purchase, Lead]}
"#;

/// The retest ids in the document's "Retests required" cell of `component`'s gate row.
fn gate_retests(markdown: &str, component: &str) -> Vec<String> {
    let start = format!("| **{component}**");
    let row = markdown
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("no gate row for {component}:\n{markdown}"));
    let cells: Vec<&str> = row.trim_matches('|').split(" | ").collect();
    let last = cells.last().copied().unwrap_or_default();
    last.split(", ")
        .map(|id| id.trim().trim_matches('`').to_owned())
        .filter(|id| !id.is_empty())
        .collect()
}

/// What `retests` requires for the range, by id.
fn required(repo: &Repo) -> (i32, Vec<String>, serde_json::Value) {
    let (code, v) = repo.json(&["--base", "main"]);
    let ids = v["required"]
        .as_array()
        .unwrap_or_else(|| panic!("no `required`: {v}"))
        .iter()
        .map(|r| r["retest"].as_str().unwrap_or_default().to_owned())
        .collect();
    (code, ids, v)
}

#[test]
fn retests_and_the_document_require_the_same_retests_for_a_change() {
    let repo = Repo::with_sheet(SHEET);
    repo.change("checkout/pay.js", "2026-11-20");
    repo.commit_record("dedupe", "purchase-dedupe", "2026-11-21", "2026-11-21");

    // `retests`: the retest linked to Purchase only by its `events` is required, and missing.
    let (code, ids, report) = required(&repo);
    assert_eq!(ids, ["purchase-dedupe", "consent-check"], "{report}");
    assert_eq!(code, 1, "consent-check has no record: {report}");
    let consent = &report["required"][1];
    assert_eq!(consent["status"], "missing", "{report}");
    assert_eq!(
        consent["because"],
        serde_json::json!([
            ["checkout/pay.js", "checkout", "Purchase"],
            ["checkout/pay.js", "checkout", "Lead"]
        ])
    );

    // `doc`: the regression gate of the changed component lists the same retests.
    let doc = repo.run(&["doc", "--format", "markdown"]);
    assert_eq!(doc.code, 0, "{}", doc.stderr);
    assert_eq!(gate_retests(&doc.stdout, "checkout"), ids);

    // A change to `theme` reaches `checkout` through depends_on: the same answer again.
    repo.change("theme/layout.liquid", "2026-11-22");
    let (_, ids, report) = required(&repo);
    assert_eq!(
        ids,
        ["purchase-dedupe", "smoke", "consent-check"],
        "{report}"
    );
    let doc = repo.run(&["doc", "--format", "markdown"]);
    assert_eq!(gate_retests(&doc.stdout, "theme"), ids);
}

#[test]
fn a_retest_named_only_by_its_events_is_not_unused_and_is_drawn() {
    let repo = Repo::with_sheet(SHEET);
    let check = repo.run(&["check", "--format", "json"]);
    assert!(
        !check.stdout.contains("unused-retest"),
        "consent-check verifies Purchase through its `events`: {}",
        check.stdout
    );
    // Lead has a retest (`consent-check`), as the document's Stop/Go counts it.
    assert!(
        !check.stdout.contains("event `Lead` has no retest"),
        "{}",
        check.stdout
    );
    assert!(
        check.stdout.contains("event `Lead` has no owner"),
        "the rules ran over Lead: {}",
        check.stdout
    );
    let graph = repo.run(&["graph", "--format", "mermaid"]);
    assert_eq!(graph.code, 0, "{}", graph.stderr);
    assert!(
        graph.stdout.contains("e_Purchase --> r_consent_check"),
        "{}",
        graph.stdout
    );
}
