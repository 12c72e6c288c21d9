//! A change cannot weaken the gate that judges it. In a commit range whose merge base has the
//! sheet, the range is judged by both sheets, the one at the merge base and the one at head:
//!
//! - the required retests are the union of what each sheet requires for the changed files (a
//!   path excluded, a trigger or a retest removed in the range still counts);
//! - an event whose `browser`, `server`, `event_id`, `parameters` or `triggers` differ between
//!   the two sheets (or that only one of them has) is touched by the change, with the why-chain
//!   `sheet file -> event`;
//! - the range's own findings (`retest-missing`, `retest-failed`, `governance-weakened`) keep
//!   the stricter severity of the two sheets' `policy.rules`, and only the waivers the base
//!   sheet already had (same rule, target and expiry) apply to them;
//! - the sheet's changes are listed as governance changes ([`crate::diff`]).
//!
//! Pure: the CLI reads both sheets and the changed files and hands them in.

use serde::Serialize;

use super::{ChangedPath, Judging, Report, Status, graph::Direct};
use crate::diff::{self, Change, Side};
use crate::globs::Matcher;
use crate::policy::{self, Config, Policy};
use crate::sheet::Sheet;
use crate::sheet::model::{Spanned, Text, Waiver};
use crate::sheet::yaml::{Node, escape_pointer};

/// The rules whose findings are the range's own: judged by both sheets.
pub const RANGE_RULES: [&str; 3] = ["retest-missing", "retest-failed", diff::RULE];

/// The event fields whose change touches the event (its retests are required).
pub const CONTRACT_FIELDS: [&str; 5] = ["browser", "server", "event_id", "parameters", "triggers"];

/// The governance changes of a range, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct Governance {
    /// What the head sheet is compared with (`origin/main (merge base 1a2b3c4d5e6f)`).
    pub base: String,
    /// How many of the changes weaken the gate.
    pub weakening: usize,
    pub changes: Vec<Change>,
}

impl Governance {
    pub fn new(base: impl Into<String>, changes: Vec<Change>) -> Self {
        Governance {
            base: base.into(),
            weakening: diff::weakening(&changes).count(),
            changes,
        }
    }
}

fn field<'a>(sheet: &'a Sheet, event: &str, name: &str) -> Option<&'a Node> {
    let pointer = format!("/events/{}/{name}", escape_pointer(event));
    sheet
        .root
        .walk(&pointer)
        .map(|(_, n)| n)
        .filter(|n| !n.is_null())
}

/// The events whose contract the sheet change touches: head's order, then those only the base
/// sheet has.
pub fn touched_events(base: &Sheet, head: &Sheet) -> Vec<String> {
    let names = head
        .events
        .ids()
        .chain(base.events.ids().filter(|id| !head.events.contains(id)));
    names
        .filter(|name| {
            if !(base.events.contains(name) && head.events.contains(name)) {
                return true;
            }
            CONTRACT_FIELDS.iter().any(|f| {
                field(base, name, f).map(diff::canon) != field(head, name, f).map(diff::canon)
            })
        })
        .map(str::to_owned)
        .collect()
}

/// The `policy.rules` and waivers the range's findings are judged by.
pub struct RangeConfig {
    pub rules: Vec<(Text, Text)>,
    pub waivers: Vec<Waiver>,
}

impl RangeConfig {
    pub fn config<'a>(&'a self, head: &'a Sheet) -> Config<'a> {
        Config {
            source: &head.source,
            rules: &self.rules,
            waivers: &self.waivers,
        }
    }
}

fn same_waiver(a: &Waiver, b: &Waiver) -> bool {
    let t = |x: &Option<Text>| x.as_ref().map(|t| t.value.clone());
    t(&a.rule) == t(&b.rule)
        && t(&a.target) == t(&b.target)
        && a.expires.as_ref().map(|e| &e.raw) == b.expires.as_ref().map(|e| &e.raw)
}

/// Head's `policy.rules` with each range rule at the stricter of its two severities (`off`
/// is the lowest), and head's waivers that the base sheet already had.
pub fn range_config(policy: &Policy, base: &Sheet, head: &Sheet) -> RangeConfig {
    let mut rules: Vec<(Text, Text)> = head
        .policy
        .rules
        .iter()
        .filter(|(id, _)| !RANGE_RULES.contains(&id.value.as_str()))
        .cloned()
        .collect();
    let text = |s: &str| Spanned {
        value: s.into(),
        span: Default::default(),
    };
    for id in RANGE_RULES {
        let Some(info) = policy.rule(id) else {
            continue;
        };
        let strict = policy::effective(Some(base), info).max(policy::effective(Some(head), info));
        rules.push((text(id), text(strict.map_or("off", |s| s.as_str()))));
    }
    let waivers = head
        .waivers
        .iter()
        .filter(|w| base.waivers.iter().any(|b| same_waiver(b, w)))
        .cloned()
        .collect();
    RangeConfig { rules, waivers }
}

/// One side of a range: a sheet, its component globs, and the changed paths relative to its
/// component root.
pub struct Judge<'a> {
    pub sheet: &'a Sheet,
    pub matcher: &'a Matcher,
    pub changed: Vec<ChangedPath>,
}

/// Evaluate a range with both sheets, each against the same `judging` (the records of the
/// range with where each entered its history): a record covers a retest for both sheets or
/// for neither. `sheet_file` is the sheet as a changed path, positioned at the newest commit
/// that changed it (the why of events touched directly).
pub fn evaluate(
    head: Judge<'_>,
    base: Judge<'_>,
    sheet_file: ChangedPath,
    judging: Judging<'_>,
) -> Report {
    let touched = touched_events(base.sheet, head.sheet);
    let direct = Direct {
        file: sheet_file.path.clone(),
        events: touched,
    };
    let with_sheet = |mut changed: Vec<ChangedPath>| {
        if !direct.events.is_empty() && !changed.iter().any(|c| c.path == sheet_file.path) {
            changed.push(sheet_file.clone());
        }
        changed
    };
    let mut report = super::evaluate_with(
        head.sheet,
        head.matcher,
        with_sheet(head.changed),
        &direct,
        judging,
    );
    let from_base = super::evaluate_with(
        base.sheet,
        base.matcher,
        with_sheet(base.changed),
        &direct,
        judging,
    );
    merge(&mut report, from_base);
    report
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Covered => 0,
        Status::Missing => 1,
        Status::Failed => 2,
    }
}

fn union(into: &mut Vec<String>, more: Vec<String>) {
    for m in more {
        if !into.contains(&m) {
            into.push(m);
        }
    }
}

/// Add what the base sheet requires to head's report: new retests, new why-chains, and the
/// worse verdict of a retest both require.
pub fn merge(head: &mut Report, base: Report) {
    union(&mut head.changed_files, base.changed_files);
    head.changed_files.sort();
    union(&mut head.components, base.components);
    union(&mut head.events, base.events);
    for r in base.required {
        match head.required.iter_mut().find(|h| h.retest == r.retest) {
            None => head.required.push(r),
            Some(h) => {
                for w in r.because {
                    if !h.because.contains(&w) {
                        h.because.push(w);
                    }
                }
                h.because_not_shown += r.because_not_shown;
                if r.change_date > h.change_date {
                    h.change_date = r.change_date;
                }
                if rank(r.status) > rank(h.status) {
                    h.status = r.status;
                    h.record = r.record;
                    h.reason = r.reason;
                    h.max_age_days = r.max_age_days;
                }
            }
        }
    }
    for p in base.paused {
        match head.paused.iter_mut().find(|h| h.event == p.event) {
            None => head.paused.push(p),
            Some(h) => {
                union(&mut h.conclusions, p.conclusions);
                union(&mut h.until, p.until);
            }
        }
    }
    // A retest missing by either sheet keeps every event that wants it paused.
    let open: Vec<String> = head
        .required
        .iter()
        .filter(|r| r.status != Status::Covered)
        .map(|r| r.retest.clone())
        .collect();
    for p in &mut head.paused {
        p.until.retain(|u| open.contains(u));
    }
}

/// The governance changes from `base` to `head` and their `governance-weakened` findings.
pub fn governance(
    base: Side<'_>,
    head: Side<'_>,
    label: &str,
) -> (Governance, Vec<crate::finding::Finding>) {
    let changes = diff::diff(base, head);
    let findings = diff::findings(&changes, label);
    (Governance::new(label, changes), findings)
}

#[cfg(test)]
mod tests;
