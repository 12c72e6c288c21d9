//! The Stop/Go gate and the dates behind it: each retest's newest record, each event's gate, each review's schedule. Pure: the sheet, the findings and "today" in, verdicts out.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::finding::{Finding, Severity};
use crate::retest::coverage::Entered;
pub use crate::retest::state::{RetestState, RetestStatus, retest_status, retests_of_event};
use crate::retest::state::{records_by_retest, retest_status_of};
use crate::sheet::model::{Review, Sheet};
use crate::sheet::yaml::escape_pointer;

/// Go or Stop for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    Go,
    Stop,
}

/// Why an event is stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// An open (or monitoring) incident names the event.
    OpenIncident {
        id: String,
        status: String,
        opened: Option<String>,
        /// What it pauses, its route's when it writes none.
        paused: Vec<String>,
        /// The router route it follows, when the router declares it.
        route: Option<String>,
    },
    /// An error finding points at the event or inside it.
    Finding { rule: String, message: String },
    /// A retest of the event is not covering it today.
    Retest {
        id: String,
        state: RetestState,
        date: Option<String>,
    },
    /// No retest names the event at all, so nothing can show it passes the regression gate.
    NoRetest,
}

/// An event's gate with the reasons, and the retests that were looked at.
#[derive(Debug, Clone)]
pub struct EventStatus<'a> {
    pub event: String,
    pub gate: Gate,
    pub reasons: Vec<StopReason>,
    /// Every retest of the event (its own `retests`, then retests whose `events` name it).
    pub retests: Vec<RetestStatus<'a>>,
}

/// Whether a finding's pointer is the event's pointer or inside it.
fn points_into(finding: &Finding, event_pointer: &str) -> bool {
    finding.pointer == event_pointer
        || finding
            .pointer
            .strip_prefix(event_pointer)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The Stop/Go gate of one event as of today.
pub fn event_status<'a>(
    sheet: &'a Sheet,
    event: &str,
    findings: &[Finding],
    today: NaiveDate,
) -> EventStatus<'a> {
    event_status_in(sheet, &records_by_retest(sheet), event, findings, today)
}

/// [`event_status`] with the records grouped by retest once for every event.
fn event_status_in<'a>(
    sheet: &'a Sheet,
    by_retest: &HashMap<&str, Vec<Entered<'a>>>,
    event: &str,
    findings: &[Finding],
    today: NaiveDate,
) -> EventStatus<'a> {
    let mut reasons = Vec::new();
    for inc in sheet.incidents.iter().filter(|i| i.is_open()) {
        if inc.events.iter().any(|e| e.value == event) {
            let plan = sheet.incident_plan(inc);
            reasons.push(StopReason::OpenIncident {
                id: inc
                    .id
                    .as_ref()
                    .map(|t| t.value.to_string())
                    .unwrap_or_else(|| "(no id)".into()),
                status: inc
                    .status
                    .as_ref()
                    .map(|t| t.value.to_string())
                    .unwrap_or_else(|| "open".into()),
                opened: inc.opened.as_ref().map(|d| d.raw.clone()),
                paused: plan.paused.iter().map(|p| p.to_string()).collect(),
                route: plan.route.map(|r| r.id.value.to_string()),
            });
        }
    }
    let pointer = format!("/events/{}", escape_pointer(event));
    for f in findings {
        let same_file = f.file.is_empty() || f.file == sheet.source.name;
        if f.severity == Severity::Error && same_file && points_into(f, &pointer) {
            reasons.push(StopReason::Finding {
                rule: f.rule.clone(),
                message: f.message.clone(),
            });
        }
    }
    let retests: Vec<RetestStatus<'a>> = retests_of_event(sheet, event)
        .iter()
        .map(|id| {
            let records = by_retest.get(id.as_str()).map_or(&[][..], |v| &v[..]);
            retest_status_of(sheet, id, records, today)
        })
        .collect();
    if retests.is_empty() {
        reasons.push(StopReason::NoRetest);
    }
    for r in &retests {
        if !r.state.covers() {
            reasons.push(StopReason::Retest {
                id: r.id.clone(),
                state: r.state.clone(),
                date: r
                    .latest
                    .and_then(|l| l.date.as_ref())
                    .map(|d| d.raw.clone()),
            });
        }
    }
    EventStatus {
        event: event.to_owned(),
        gate: if reasons.is_empty() {
            Gate::Go
        } else {
            Gate::Stop
        },
        reasons,
        retests,
    }
}

/// The gate of every event, in sheet order.
pub fn event_statuses<'a>(
    sheet: &'a Sheet,
    findings: &[Finding],
    today: NaiveDate,
) -> Vec<EventStatus<'a>> {
    let by_retest = records_by_retest(sheet);
    sheet
        .events
        .iter()
        .map(|e| event_status_in(sheet, &by_retest, &e.id.value, findings, today))
        .collect()
}

/// What pauses a conclusion: an open incident that lists it (or whose route does), or a
/// stopped event whose `rollback.pause` holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum PausedBy {
    Incident(String),
    /// A Stop event, with its reasons (the first says why).
    Event {
        event: String,
        reasons: Vec<StopReason>,
    },
}

/// Every conclusion of the sheet (its `conclusions`, or the built-in ones) with what pauses it
/// today, in the sheet's order: a conclusion paused by an open incident or by a Stop event is
/// not usable. `statuses` are [`event_statuses`] of the same sheet and day.
pub fn paused_conclusions(
    sheet: &Sheet,
    statuses: &[EventStatus<'_>],
) -> Vec<(String, String, Vec<PausedBy>)> {
    let open: Vec<_> = sheet
        .incidents
        .iter()
        .filter(|i| i.is_open())
        .map(|i| (i, sheet.incident_plan(i)))
        .collect();
    sheet
        .conclusion_list()
        .into_iter()
        .map(|(id, desc)| {
            let mut by: Vec<PausedBy> = open
                .iter()
                .filter(|(_, plan)| plan.paused.contains(&id.as_str()))
                .map(|(i, _)| {
                    PausedBy::Incident(
                        i.id.as_ref()
                            .map_or_else(|| "(no id)".to_owned(), |t| t.value.to_string()),
                    )
                })
                .collect();
            for st in statuses.iter().filter(|s| s.gate == Gate::Stop) {
                if crate::retest::state::rollback_pauses(sheet, [st.event.as_str()])
                    .contains(&id.as_str())
                {
                    by.push(PausedBy::Event {
                        event: st.event.clone(),
                        reasons: st.reasons.clone(),
                    });
                }
            }
            (id, desc, by)
        })
        .collect()
}

/// Whether a review is on schedule as of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    /// Weekly or monthly and within its period.
    OnSchedule { days_since: i64 },
    /// Weekly more than 7 days ago, or monthly more than 31.
    Overdue { days_since: i64, period: i64 },
    /// Weekly or monthly with no readable `last` date.
    NeverDone,
    /// A cadence without a fixed period (`every-release`, `every-incident`).
    EventDriven,
}

/// The schedule state of one review as of today.
pub fn review_state(review: &Review, today: NaiveDate) -> ReviewState {
    let period = match review.cadence.as_ref().map(|c| c.value.as_str()) {
        Some("weekly") => 7,
        Some("monthly") => 31,
        _ => return ReviewState::EventDriven,
    };
    match review.last.as_ref().and_then(|d| d.date) {
        None => ReviewState::NeverDone,
        Some(last) => {
            let days_since = (today - last).num_days();
            if days_since > period {
                ReviewState::Overdue { days_since, period }
            } else {
                ReviewState::OnSchedule { days_since }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::load;

    fn sheet(text: &str) -> Sheet {
        load("g.yaml", text.as_bytes().to_vec()).sheet.unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        crate::sheet::model::parse_date(s).unwrap()
    }

    const BASE: &str = "version: 1
events:
  Purchase:
    retests: [dedupe]
  Lead:
    retests: [lead-check]
retests:
  dedupe: {title: d, max_age: 30d}
  lead-check: {title: l}
  overlap: {title: o, events: [Purchase]}
";

    #[test]
    fn newest_record_decides_and_future_records_do_not_count() {
        let s = sheet(&format!(
            "{BASE}records:
  - {{retest: dedupe, date: 2026-11-01, result: fail, by: t, evidence: e}}
  - {{retest: dedupe, date: 2026-11-10, result: pass, by: t, evidence: e}}
  - {{retest: dedupe, date: 2026-12-01, result: fail, by: t, evidence: e}}
"
        ));
        let st = retest_status(&s, "dedupe", day("2026-11-25"));
        assert_eq!(st.state, RetestState::Pass);
        assert_eq!(st.latest.unwrap().date.as_ref().unwrap().raw, "2026-11-10");
        let st = retest_status(&s, "dedupe", day("2026-12-02"));
        assert_eq!(st.state, RetestState::Failed);
    }

    #[test]
    fn the_document_picks_the_record_retests_would_pick() {
        // regression: a pass listed after a fail of the same day made the event Go, while
        // retests (a tie: fail wins) failed it
        let s = sheet(&format!(
            "{BASE}records:
  - {{retest: dedupe, date: 2026-11-20, result: fail, by: t, evidence: e}}
  - {{retest: dedupe, date: 2026-11-20, result: pass, by: t, evidence: e}}
  - {{retest: lead-check, date: 2026-11-20, result: pass, by: t, evidence: e}}
  - {{retest: lead-check, date: 2026-11-21, result: fail, by: t}}
  - {{retest: overlap, date: 2026-11-21, result: passed, by: t, evidence: e}}
"
        ));
        let today = day("2026-11-25");
        assert_eq!(
            retest_status(&s, "dedupe", today).state,
            RetestState::Failed
        );
        // a record without evidence covers nothing, but a fail without it still fails: the
        // older pass never decides over it, in the document as in retests
        let lead = retest_status(&s, "lead-check", today);
        assert_eq!(lead.state, RetestState::Failed);
        assert_eq!(
            lead.latest.unwrap().date.as_ref().unwrap().raw,
            "2026-11-21"
        );
        assert_eq!(
            retest_status(&s, "overlap", today).state,
            RetestState::Unreadable("passed".into())
        );
    }

    #[test]
    fn max_age_makes_a_pass_stale() {
        let s = sheet(&format!(
            "{BASE}records:\n  - {{retest: dedupe, date: 2026-10-01, result: pass, by: t, evidence: e}}\n"
        ));
        assert_eq!(
            retest_status(&s, "dedupe", day("2026-10-31")).state,
            RetestState::Pass
        );
        assert_eq!(
            retest_status(&s, "dedupe", day("2026-11-01")).state,
            RetestState::Stale {
                age_days: 31,
                max_age: 30
            }
        );
    }

    #[test]
    fn stop_reasons_cover_incidents_findings_and_retests() {
        let s = sheet(&format!(
            "{BASE}records:
  - {{retest: dedupe, date: 2026-11-20, result: pass, by: t, evidence: e}}
  - {{retest: overlap, date: 2026-11-20, result: not-needed, by: t, evidence: e, notes: x}}
  - {{retest: lead-check, date: 2026-11-20, result: fail, by: t, evidence: e}}
incidents:
  - {{id: spike, events: [Purchase], status: monitoring, paused: [budget]}}
  - {{id: old, events: [Lead], status: resolved}}
"
        ));
        let today = day("2026-11-25");
        let purchase = event_status(&s, "Purchase", &[], today);
        assert_eq!(purchase.gate, Gate::Stop);
        assert_eq!(
            purchase
                .retests
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["dedupe", "overlap"]
        );
        assert!(matches!(
            &purchase.reasons[..],
            [StopReason::OpenIncident { id, .. }] if id == "spike"
        ));
        let lead = event_status(&s, "Lead", &[], today);
        assert!(matches!(
            &lead.reasons[..],
            [StopReason::Retest { id, state: RetestState::Failed, .. }] if id == "lead-check"
        ));

        let mut finding = Finding::new("event-owner", Severity::Error, "no owner");
        finding.pointer = "/events/Purchase/owner".into();
        let mut other = Finding::new("event-owner", Severity::Error, "no owner");
        other.pointer = "/events/PurchaseX".into();
        let mut warning = Finding::new("x", Severity::Warning, "w");
        warning.pointer = "/events/Purchase".into();
        let s2 = sheet(&format!(
            "{BASE}records:
  - {{retest: dedupe, date: 2026-11-20, result: pass, by: t, evidence: e}}
  - {{retest: overlap, date: 2026-11-20, result: pass, by: t, evidence: e}}
"
        ));
        assert_eq!(event_status(&s2, "Purchase", &[], today).gate, Gate::Go);
        let st = event_status(&s2, "Purchase", &[finding, other, warning], today);
        assert_eq!(
            st.reasons,
            [StopReason::Finding {
                rule: "event-owner".into(),
                message: "no owner".into()
            }]
        );
    }

    /// Issue 13: the document showed Purchase as Stop and, on the same page, `budget` usable
    /// although Purchase's `rollback.pause` holds it.
    #[test]
    fn a_stopped_event_pauses_its_rollback_conclusions() {
        let s = sheet(
            "version: 1
events:
  Purchase:
    retests: [dedupe]
    rollback: {rule: r, pause: [budget], resume_when: w}
  Lead:
    retests: [dedupe]
    rollback: {rule: r, pause: [roas], resume_when: w}
retests:
  dedupe: {title: d}
records:
  - {retest: dedupe, date: 2026-11-20, result: pass, by: t, evidence: e}
incidents:
  - {id: spike, events: [Purchase], status: open, paused: [product-sets]}
",
        );
        let today = day("2026-11-25");
        let statuses = event_statuses(&s, &[], today);
        let paused = paused_conclusions(&s, &statuses);
        let of = |id: &str| paused.iter().find(|(c, _, _)| c == id).unwrap().2.clone();
        assert!(matches!(
            &of("budget")[..],
            [PausedBy::Event { event, reasons }]
                if event == "Purchase" && matches!(reasons[0], StopReason::OpenIncident { .. })
        ));
        assert_eq!(of("product-sets"), [PausedBy::Incident("spike".into())]);
        // Lead is Go: its conclusion stays usable
        assert!(of("roas").is_empty());
    }

    #[test]
    fn an_event_without_retests_is_stopped() {
        let s = sheet("version: 1\nevents:\n  Lead: {owner: x}\n");
        let st = event_status(&s, "Lead", &[], day("2026-11-25"));
        assert_eq!(st.reasons, [StopReason::NoRetest]);
    }

    #[test]
    fn reviews_are_overdue_after_their_period() {
        let s = sheet(
            "version: 1
reviews:
  - {cadence: weekly, last: 2026-11-18}
  - {cadence: weekly, last: 2026-11-17}
  - {cadence: monthly, last: 2026-10-25}
  - {cadence: monthly, last: 2026-10-24}
  - {cadence: monthly}
  - {cadence: every-release, last: 2020-01-01}
",
        );
        let today = day("2026-11-25");
        let states: Vec<_> = s.reviews.iter().map(|r| review_state(r, today)).collect();
        assert_eq!(
            states,
            [
                ReviewState::OnSchedule { days_since: 7 },
                ReviewState::Overdue {
                    days_since: 8,
                    period: 7
                },
                ReviewState::OnSchedule { days_since: 31 },
                ReviewState::Overdue {
                    days_since: 32,
                    period: 31
                },
                ReviewState::NeverDone,
                ReviewState::EventDriven,
            ]
        );
    }
}
