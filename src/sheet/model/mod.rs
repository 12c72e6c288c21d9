//! The typed governance sheet: every field keeps its source span and JSON pointer, and the
//! strict date and duration formats of its values. Built from the span tree by
//! [`super::build`]. Its component graph ([`graph`]) is built from it once, on first use.

pub mod graph;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::yaml::Node;
use crate::source::{SourceFile, Span};

/// A value with the span of the YAML node it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

pub type Text = Spanned<compact_str::CompactString>;

impl Text {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A date as written, and the calendar date when it is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Date {
    pub raw: String,
    pub date: Option<NaiveDate>,
    pub span: Span,
}

/// One entry of an id-keyed map (`owners`, `events`, ...).
#[derive(Debug, Clone)]
pub struct Keyed<T> {
    pub id: Text,
    /// JSON pointer of the entry, e.g. `/events/Purchase`.
    pub pointer: String,
    /// Span of the entry's value.
    pub span: Span,
    pub item: T,
}

/// An ordered map of id -> entry with O(1) lookup.
#[derive(Debug, Clone)]
pub struct IdMap<T> {
    pub(super) entries: Vec<Keyed<T>>,
    pub(super) index: HashMap<String, usize>,
    /// Span of the whole section's key, when present.
    pub key_span: Option<Span>,
}

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            index: HashMap::new(),
            key_span: None,
        }
    }
}

impl<T> IdMap<T> {
    pub fn get(&self, id: &str) -> Option<&Keyed<T>> {
        self.index.get(id).map(|&i| &self.entries[i])
    }
    pub fn contains(&self, id: &str) -> bool {
        self.index.contains_key(id)
    }
    pub fn iter(&self) -> std::slice::Iter<'_, Keyed<T>> {
        self.entries.iter()
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.id.as_str())
    }
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

impl<'a, T> IntoIterator for &'a IdMap<T> {
    type Item = &'a Keyed<T>;
    type IntoIter = std::slice::Iter<'a, Keyed<T>>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

#[derive(Debug, Clone, Default)]
pub struct SheetInfo {
    pub name: Option<Text>,
    pub dataset: Option<Text>,
    pub platform: Option<Text>,
    pub description: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct Owner {
    pub name: Option<Text>,
    pub contact: Option<Text>,
    pub role: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct System {
    pub kind: Option<Text>,
    pub owner: Option<Text>,
    pub description: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct Conclusion {
    pub description: Option<Text>,
}

/// A browser or server path of an event.
#[derive(Debug, Clone, Default)]
pub struct SendPath {
    pub span: Span,
    pub system: Option<Text>,
    pub fires_on: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct EventId {
    pub span: Span,
    pub logic: Option<Text>,
    pub format: Option<Text>,
    pub generated_by: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct Parameter {
    pub source_of_truth: Option<Text>,
    pub owner: Option<Text>,
    pub required: Option<Spanned<bool>>,
    pub note: Option<Text>,
    pub consent: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct Rollback {
    pub span: Span,
    pub rule: Option<Text>,
    pub pause: Option<Spanned<Vec<Text>>>,
    pub resume_when: Option<Text>,
}

#[derive(Debug, Clone, Default)]
pub struct VerifyThresholds {
    pub min_dedupe_rate: Option<Spanned<f64>>,
    pub max_value_drift: Option<Spanned<f64>>,
}

#[derive(Debug, Clone, Default)]
pub struct Event {
    pub meaning: Option<Text>,
    pub owner: Option<Text>,
    pub browser: Option<SendPath>,
    pub server: Option<SendPath>,
    pub event_id: Option<EventId>,
    pub parameters: IdMap<Parameter>,
    pub triggers: Option<Spanned<Vec<Text>>>,
    pub retests: Option<Spanned<Vec<Text>>>,
    pub rollback: Option<Rollback>,
    pub verify: VerifyThresholds,
}

#[derive(Debug, Clone, Default)]
pub struct Component {
    pub description: Option<Text>,
    pub owner: Option<Text>,
    pub risk: Option<Text>,
    pub paths: Option<Spanned<Vec<Text>>>,
    pub depends_on: Option<Spanned<Vec<Text>>>,
    pub retests: Option<Spanned<Vec<Text>>>,
}

#[derive(Debug, Clone, Default)]
pub struct Retest {
    pub title: Option<Text>,
    pub method: Option<Text>,
    pub owner: Option<Text>,
    pub events: Option<Spanned<Vec<Text>>>,
    pub max_age: Option<Spanned<Option<u32>>>,
}

/// Evidence that a retest was run. Records may come from other files than the sheet.
#[derive(Debug, Clone)]
pub struct Record {
    pub source: Arc<SourceFile>,
    pub pointer: String,
    pub span: Span,
    pub retest: Option<Text>,
    pub date: Option<Date>,
    pub result: Option<Text>,
    pub by: Option<Text>,
    pub evidence: Option<Text>,
    pub events: Vec<Text>,
    pub commit: Option<Text>,
    pub notes: Option<Text>,
}

/// One route of the signal incident router: what someone sees, what to check first, what to
/// pause first and the tempting wrong move.
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub symptom: Option<Text>,
    pub likely_cause: Option<Text>,
    pub events: Option<Spanned<Vec<Text>>>,
    pub first_action: Option<Text>,
    pub pause: Option<Spanned<Vec<Text>>>,
    pub do_not: Option<Text>,
    pub owner: Option<Text>,
    /// Verify rule ids whose findings indicate this symptom.
    pub detect: Option<Spanned<Vec<Text>>>,
}

impl Route {
    /// The conclusion ids to pause first.
    pub fn pause_ids(&self) -> Vec<&str> {
        self.pause
            .as_ref()
            .map(|p| p.value.iter().map(Text::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether a finding of this verify rule indicates the route's symptom.
    pub fn detects(&self, rule: &str) -> bool {
        self.detect
            .as_ref()
            .is_some_and(|d| d.value.iter().any(|t| t.value == rule))
    }
}

#[derive(Debug, Clone)]
pub struct Incident {
    pub source: Arc<SourceFile>,
    pub pointer: String,
    pub span: Span,
    pub id: Option<Text>,
    pub opened: Option<Date>,
    pub events: Vec<Text>,
    pub symptom: Option<Text>,
    pub suspected_change: Option<Text>,
    pub first_action: Option<Text>,
    /// The conclusion ids as written; see [`Sheet::incident_plan`] for what is paused.
    pub paused: Vec<Text>,
    /// Whether the incident writes `paused` itself (an explicit `[]` included).
    pub paused_set: bool,
    pub owner: Option<Text>,
    pub status: Option<Text>,
    pub resolved: Option<Date>,
    pub fix: Option<Text>,
    pub resume_when: Option<Text>,
    /// The router route it follows (`route: ID`).
    pub route: Option<Text>,
}

impl Incident {
    pub fn is_open(&self) -> bool {
        self.status.as_ref().is_none_or(|s| s.value != "resolved")
    }
}

#[derive(Debug, Clone)]
pub struct Review {
    pub pointer: String,
    pub span: Span,
    pub cadence: Option<Text>,
    pub scope: Option<Text>,
    pub owner: Option<Text>,
    pub last: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Waiver {
    pub pointer: String,
    pub span: Span,
    pub rule: Option<Text>,
    pub target: Option<Text>,
    pub reason: Option<Text>,
    pub approved_by: Option<Text>,
    pub expires: Option<Date>,
}

#[derive(Debug, Clone, Default)]
pub struct PolicyConfig {
    /// rule id -> `off` | `info` | `warning` | `error`
    pub rules: Vec<(Text, Text)>,
    pub packs: Vec<Text>,
}

/// The conclusions a sheet without a `conclusions` section can pause.
pub const BUILTIN_CONCLUSIONS: [(&str, &str); 4] = [
    ("budget", "budget scaling and allocation decisions"),
    (
        "roas",
        "ROAS- and CPA-based decisions, including creative decisions read from ROAS",
    ),
    (
        "product-sets",
        "product set, catalog and SKU-level scaling decisions",
    ),
    ("creative-winners", "declaring creative winners and losers"),
];

/// A parsed governance sheet.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub source: Arc<SourceFile>,
    pub root: Node,
    pub version: Option<Spanned<i64>>,
    pub info: SheetInfo,
    /// Optional `root`: the folder component paths are relative to, relative to the sheet.
    pub root_dir: Option<Text>,
    pub owners: IdMap<Owner>,
    pub systems: IdMap<System>,
    /// `None` when the section is absent: the built-in set applies.
    pub conclusions: Option<IdMap<Conclusion>>,
    pub events: IdMap<Event>,
    pub components: IdMap<Component>,
    pub retests: IdMap<Retest>,
    pub records: Vec<Record>,
    pub records_dir: Option<Text>,
    pub incidents: Vec<Incident>,
    pub incidents_dir: Option<Text>,
    /// The signal incident router.
    pub router: IdMap<Route>,
    pub reviews: Vec<Review>,
    pub waivers: Vec<Waiver>,
    pub policy: PolicyConfig,
    /// The trees of the `records_dir` / `incidents_dir` files, by file name, as the loader
    /// parsed them (so the policy rules over `/records/*` do not parse them again).
    pub file_roots: HashMap<String, Node>,
    /// The component graph, built on first use (see [`Sheet::graph`]).
    pub(crate) graph: std::sync::OnceLock<graph::Graph>,
}

impl Sheet {
    /// The component graph of the sheet, built the first time a command asks for it and then
    /// shared by every reader (`check`'s built-ins, `retests`, `doc`, `graph`): once per sheet.
    pub fn graph(&self) -> &graph::Graph {
        self.graph.get_or_init(|| graph::Graph::of(self))
    }

    /// Whether a conclusion id exists (declared, or built-in when none are declared).
    pub fn has_conclusion(&self, id: &str) -> bool {
        match &self.conclusions {
            Some(c) => c.contains(id),
            None => BUILTIN_CONCLUSIONS.iter().any(|(b, _)| *b == id),
        }
    }

    /// Every conclusion id with its description, declared or built-in.
    pub fn conclusion_list(&self) -> Vec<(String, String)> {
        match &self.conclusions {
            Some(c) => c
                .iter()
                .map(|k| {
                    let d = k
                        .item
                        .description
                        .as_ref()
                        .map(|t| t.value.to_string())
                        .unwrap_or_default();
                    (k.id.value.to_string(), d)
                })
                .collect(),
            None => BUILTIN_CONCLUSIONS
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    /// What an incident pauses and does first: what it writes itself, or, for what it does
    /// not write, the route it names. The one answer `check`, `doc`, `retests` and `verify`
    /// read.
    pub fn incident_plan<'a>(&'a self, inc: &'a Incident) -> IncidentPlan<'a> {
        let route = inc.route.as_ref().and_then(|r| self.router.get(r.as_str()));
        let paused = if inc.paused_set {
            inc.paused.iter().map(Text::as_str).collect()
        } else {
            route.map(|r| r.item.pause_ids()).unwrap_or_default()
        };
        let own_action = inc
            .first_action
            .as_ref()
            .filter(|t| !t.value.trim().is_empty());
        let first_action = own_action.or_else(|| {
            route
                .and_then(|r| r.item.first_action.as_ref())
                .filter(|t| !t.value.trim().is_empty())
        });
        IncidentPlan {
            paused,
            paused_from_route: !inc.paused_set && route.is_some(),
            first_action,
            route,
        }
    }

    /// The routes whose `detect` names a verify rule, in sheet order.
    pub fn routes_detecting<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a Keyed<Route>> {
        self.router.iter().filter(move |r| r.item.detects(rule))
    }

    /// The source span of the node at a JSON pointer, preferring the key for map entries.
    pub fn span_of(&self, pointer: &str) -> Option<Span> {
        let (key, value) = self.root.walk(pointer)?;
        Some(key.map_or(value.span, |k| k.span))
    }
}

/// What an incident pauses and does first, with its route's defaults applied
/// ([`Sheet::incident_plan`]).
#[derive(Debug, Clone)]
pub struct IncidentPlan<'a> {
    /// The conclusion ids paused while the incident is open.
    pub paused: Vec<&'a str>,
    /// `paused` comes from the route (the incident does not write it).
    pub paused_from_route: bool,
    pub first_action: Option<&'a Text>,
    /// The route the incident names, when the router declares it.
    pub route: Option<&'a Keyed<Route>>,
}

/// Parse `Nd` / `Nw` into days.
pub fn parse_duration_days(s: &str) -> Option<u32> {
    let (num, unit) = s.split_at(s.len().checked_sub(1)?);
    let n: u32 = num.parse().ok()?;
    match unit {
        "d" => Some(n),
        "w" => n.checked_mul(7),
        _ => None,
    }
}

/// Parse a strict `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::build::build;
    use crate::sheet::yaml::parse;

    #[test]
    fn incidents_take_what_they_do_not_write_from_their_route() {
        let text = "version: 1\nrouter:\n  spike: {first_action: sample 10 orders, pause: [budget, roas], detect: [dedupe-rate]}\nincidents:\n  - {id: a, route: spike}\n  - {id: b, route: spike, paused: [], first_action: call the agency}\n  - {id: c, route: spike, paused: [product-sets]}\n  - {id: d, route: nowhere}\n  - {id: e, paused: [budget]}\n";
        let src = SourceFile::new("g.yaml", text);
        let (sheet, _) = build(&src, parse(text).unwrap());
        let plans: Vec<_> = sheet
            .incidents
            .iter()
            .map(|i| {
                let p = sheet.incident_plan(i);
                (
                    p.paused,
                    p.first_action.map(|t| t.value.as_str()),
                    p.route.map(|r| r.id.value.as_str()),
                    p.paused_from_route,
                )
            })
            .collect();
        assert_eq!(
            plans,
            [
                (
                    vec!["budget", "roas"],
                    Some("sample 10 orders"),
                    Some("spike"),
                    true
                ),
                (vec![], Some("call the agency"), Some("spike"), false),
                (
                    vec!["product-sets"],
                    Some("sample 10 orders"),
                    Some("spike"),
                    false
                ),
                (vec![], None, None, false),
                (vec!["budget"], None, None, false),
            ]
        );
        let ids: Vec<&str> = sheet
            .routes_detecting("dedupe-rate")
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(ids, ["spike"]);
        assert_eq!(sheet.routes_detecting("parameter-parity").count(), 0);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_days("30d"), Some(30));
        assert_eq!(parse_duration_days("2w"), Some(14));
        assert_eq!(parse_duration_days("w"), None);
        assert_eq!(parse_duration_days(""), None);
    }
}
