//! The typed governance sheet, built from the span tree so that every field keeps its source
//! span and JSON pointer.
//!
//! Building is lenient: a value of the wrong type is left out here (the JSON Schema step
//! reports it), so one broken field never hides the findings about the rest. The only
//! findings made here are the ones the schema cannot see: impossible calendar dates.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::source::{SourceFile, Span};
use super::yaml::{Node, Value, escape_pointer};
use crate::finding::{Finding, RuleId};

/// A value with the span of the YAML node it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

pub type Text = Spanned<String>;

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
    entries: Vec<Keyed<T>>,
    index: HashMap<String, usize>,
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
    pub file_roots: std::collections::HashMap<String, Node>,
    /// The component graph, built on first use (see [`Sheet::graph`]).
    pub(crate) graph: std::sync::OnceLock<super::graph::Graph>,
}

impl Sheet {
    /// The component graph of the sheet, built the first time a command asks for it and then
    /// shared by every reader (`check`'s built-ins, `retests`, `doc`, `graph`): once per sheet.
    pub fn graph(&self) -> &super::graph::Graph {
        self.graph.get_or_init(|| super::graph::Graph::of(self))
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
                        .map(|t| t.value.clone())
                        .unwrap_or_default();
                    (k.id.value.clone(), d)
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

/// Builds the model; collects the date findings it makes on the way.
struct Builder<'a> {
    source: &'a Arc<SourceFile>,
    findings: Vec<Finding>,
}

fn text(node: Option<&Node>) -> Option<Text> {
    let node = node?;
    match &node.value {
        Value::Str(s) => Some(Spanned {
            value: s.clone(),
            span: node.span,
        }),
        _ => None,
    }
}

fn texts(node: Option<&Node>) -> Option<Spanned<Vec<Text>>> {
    let node = node?;
    let items = node.as_seq()?;
    Some(Spanned {
        value: items.iter().filter_map(|n| text(Some(n))).collect(),
        span: node.span,
    })
}

fn number(node: Option<&Node>) -> Option<Spanned<f64>> {
    let node = node?;
    let value = match node.value {
        Value::Int(i) => i as f64,
        Value::Float(f) => f,
        _ => return None,
    };
    Some(Spanned {
        value,
        span: node.span,
    })
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

impl Builder<'_> {
    fn date(&mut self, node: Option<&Node>, pointer: String) -> Option<Date> {
        let node = node?;
        let raw = node.as_str()?;
        let date = parse_date(raw);
        let shape_ok = raw.len() == 10
            && raw.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if date.is_none() && shape_ok {
            // The schema checks the shape; only the calendar can tell 2026-02-30 is no date.
            self.findings.push(
                Finding::of(RuleId::Schema, format!("`{raw}` is not a calendar date"))
                    .at(self.source, pointer, Some(node.span))
                    .with_help("dates are YYYY-MM-DD and must exist in the calendar"),
            );
        }
        Some(Date {
            raw: raw.to_string(),
            date,
            span: node.span,
        })
    }

    fn id_map<T>(
        &mut self,
        root: &Node,
        section: &str,
        mut item: impl FnMut(&mut Self, &Node, &str) -> T,
    ) -> IdMap<T> {
        let mut map = IdMap::default();
        let Some((key, node)) = root.entry(section) else {
            return map;
        };
        map.key_span = Some(key.span);
        let Some(entries) = node.as_map() else {
            return map;
        };
        for (k, v) in entries {
            let id = k.key_text();
            let pointer = format!("/{section}/{}", escape_pointer(&id));
            let value = item(self, v, &pointer);
            if map.index.contains_key(&id) {
                continue;
            }
            map.index.insert(id.clone(), map.entries.len());
            map.entries.push(Keyed {
                id: Spanned {
                    value: id,
                    span: k.span,
                },
                pointer,
                span: v.span,
                item: value,
            });
        }
        map
    }

    fn send_path(node: Option<&Node>) -> Option<SendPath> {
        let node = node?;
        node.as_map()?;
        Some(SendPath {
            span: node.span,
            system: text(node.get("system")),
            fires_on: text(node.get("fires_on")),
        })
    }

    fn event(&mut self, n: &Node, pointer: &str) -> Event {
        let event_id = n
            .get("event_id")
            .filter(|e| e.as_map().is_some())
            .map(|e| EventId {
                span: e.span,
                logic: text(e.get("logic")),
                format: text(e.get("format")),
                generated_by: text(e.get("generated_by")),
            });
        let parameters = n
            .get("parameters")
            .map(|p| {
                let wrapper = Node {
                    value: Value::Map(vec![(
                        Node {
                            value: Value::Str("parameters".into()),
                            span: p.span,
                        },
                        p.clone(),
                    )]),
                    span: p.span,
                };
                let mut map = self.id_map(&wrapper, "parameters", |_, v, _| Parameter {
                    source_of_truth: text(v.get("source_of_truth")),
                    owner: text(v.get("owner")),
                    required: v.get("required").and_then(|r| match r.value {
                        Value::Bool(b) => Some(Spanned {
                            value: b,
                            span: r.span,
                        }),
                        _ => None,
                    }),
                    note: text(v.get("note")),
                    consent: text(v.get("consent")),
                });
                map.key_span = n.entry("parameters").map(|(k, _)| k.span);
                for e in &mut map.entries {
                    e.pointer = format!("{pointer}{}", e.pointer);
                }
                map
            })
            .unwrap_or_default();
        let rollback = n
            .get("rollback")
            .filter(|r| r.as_map().is_some())
            .map(|r| Rollback {
                span: r.span,
                rule: text(r.get("rule")),
                pause: texts(r.get("pause")),
                resume_when: text(r.get("resume_when")),
            });
        let verify = n
            .get("verify")
            .map(|v| VerifyThresholds {
                min_dedupe_rate: number(v.get("min_dedupe_rate")),
                max_value_drift: number(v.get("max_value_drift")),
            })
            .unwrap_or_default();
        Event {
            meaning: text(n.get("meaning")),
            owner: text(n.get("owner")),
            browser: Self::send_path(n.get("browser")),
            server: Self::send_path(n.get("server")),
            event_id,
            parameters,
            triggers: texts(n.get("triggers")),
            retests: texts(n.get("retests")),
            rollback,
            verify,
        }
    }

    fn list<T>(
        &mut self,
        root: &Node,
        section: &str,
        mut item: impl FnMut(&mut Self, &Node, String) -> T,
    ) -> Vec<T> {
        let Some(items) = root.get(section).and_then(Node::as_seq) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_map().is_some())
            .map(|(i, n)| item(self, n, format!("/{section}/{i}")))
            .collect()
    }
}

/// Build a record from a YAML map found at `pointer` in `source`.
fn record(b: &mut Builder<'_>, n: &Node, pointer: String) -> Record {
    Record {
        source: Arc::clone(b.source),
        span: n.span,
        retest: text(n.get("retest")),
        date: b.date(n.get("date"), format!("{pointer}/date")),
        result: text(n.get("result")),
        by: text(n.get("by")),
        evidence: text(n.get("evidence")),
        events: texts(n.get("events")).map(|t| t.value).unwrap_or_default(),
        commit: text(n.get("commit")),
        notes: text(n.get("notes")),
        pointer,
    }
}

fn incident(b: &mut Builder<'_>, n: &Node, pointer: String) -> Incident {
    Incident {
        source: Arc::clone(b.source),
        span: n.span,
        id: text(n.get("id")),
        opened: b.date(n.get("opened"), format!("{pointer}/opened")),
        events: texts(n.get("events")).map(|t| t.value).unwrap_or_default(),
        symptom: text(n.get("symptom")),
        suspected_change: text(n.get("suspected_change")),
        first_action: text(n.get("first_action")),
        paused: texts(n.get("paused")).map(|t| t.value).unwrap_or_default(),
        paused_set: n.get("paused").is_some_and(|p| p.as_seq().is_some()),
        owner: text(n.get("owner")),
        status: text(n.get("status")),
        resolved: b.date(n.get("resolved"), format!("{pointer}/resolved")),
        fix: text(n.get("fix")),
        resume_when: text(n.get("resume_when")),
        route: text(n.get("route")),
        pointer,
    }
}

/// Build the typed sheet from its span tree. Returns the calendar-date findings too.
pub fn build(source: &Arc<SourceFile>, root: Node) -> (Sheet, Vec<Finding>) {
    let mut b = Builder {
        source,
        findings: Vec::new(),
    };
    let info = root
        .get("sheet")
        .map(|s| SheetInfo {
            name: text(s.get("name")),
            dataset: text(s.get("dataset")),
            platform: text(s.get("platform")),
            description: text(s.get("description")),
        })
        .unwrap_or_default();
    let owners = b.id_map(&root, "owners", |_, n, _| Owner {
        name: text(n.get("name")),
        contact: text(n.get("contact")),
        role: text(n.get("role")),
    });
    let systems = b.id_map(&root, "systems", |_, n, _| System {
        kind: text(n.get("kind")),
        owner: text(n.get("owner")),
        description: text(n.get("description")),
    });
    let conclusions = root.get("conclusions").map(|_| {
        b.id_map(&root, "conclusions", |_, n, _| Conclusion {
            description: text(n.get("description")),
        })
    });
    let events = b.id_map(&root, "events", |b, n, p| b.event(n, p));
    let components = b.id_map(&root, "components", |_, n, _| Component {
        description: text(n.get("description")),
        owner: text(n.get("owner")),
        risk: text(n.get("risk")),
        paths: texts(n.get("paths")),
        depends_on: texts(n.get("depends_on")),
        retests: texts(n.get("retests")),
    });
    let retests = b.id_map(&root, "retests", |_, n, _| Retest {
        title: text(n.get("title")),
        method: text(n.get("method")),
        owner: text(n.get("owner")),
        events: texts(n.get("events")),
        max_age: text(n.get("max_age")).map(|t| Spanned {
            value: parse_duration_days(&t.value),
            span: t.span,
        }),
    });
    let router = b.id_map(&root, "router", |_, n, _| Route {
        symptom: text(n.get("symptom")),
        likely_cause: text(n.get("likely_cause")),
        events: texts(n.get("events")),
        first_action: text(n.get("first_action")),
        pause: texts(n.get("pause")),
        do_not: text(n.get("do_not")),
        owner: text(n.get("owner")),
        detect: texts(n.get("detect")),
    });
    let records = b.list(&root, "records", record);
    let incidents = b.list(&root, "incidents", incident);
    let reviews = b.list(&root, "reviews", |b, n, pointer| Review {
        span: n.span,
        cadence: text(n.get("cadence")),
        scope: text(n.get("scope")),
        owner: text(n.get("owner")),
        last: b.date(n.get("last"), format!("{pointer}/last")),
        pointer,
    });
    let waivers = b.list(&root, "waivers", |b, n, pointer| Waiver {
        span: n.span,
        rule: text(n.get("rule")),
        target: text(n.get("target")),
        reason: text(n.get("reason")),
        approved_by: text(n.get("approved_by")),
        expires: b.date(n.get("expires"), format!("{pointer}/expires")),
        pointer,
    });
    let policy = root
        .get("policy")
        .map(|p| PolicyConfig {
            rules: p
                .get("rules")
                .and_then(Node::as_map)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((text(Some(k))?, text(Some(v))?)))
                        .collect()
                })
                .unwrap_or_default(),
            packs: texts(p.get("packs")).map(|t| t.value).unwrap_or_default(),
        })
        .unwrap_or_default();
    let version = root.get("version").and_then(|v| match v.value {
        Value::Int(i) => Some(Spanned {
            value: i,
            span: v.span,
        }),
        _ => None,
    });
    let sheet = Sheet {
        source: Arc::clone(source),
        version,
        info,
        root_dir: text(root.get("root")),
        owners,
        systems,
        conclusions,
        events,
        components,
        retests,
        records,
        records_dir: text(root.get("records_dir")),
        incidents,
        incidents_dir: text(root.get("incidents_dir")),
        router,
        reviews,
        waivers,
        policy,
        root,
        file_roots: std::collections::HashMap::new(),
        graph: std::sync::OnceLock::new(),
    };
    (sheet, b.findings)
}

/// The inline `records` of a sheet already parsed to a node tree (pointers `/records/N`), without
/// building the rest of the sheet: how the history reads a sheet at an older commit.
pub fn build_sheet_records(source: &Arc<SourceFile>, root: &Node) -> Vec<Record> {
    let mut b = Builder {
        source,
        findings: Vec::new(),
    };
    b.list(root, "records", record)
}

/// Parse the items of one `records_dir` file (a record or a list of records) already parsed
/// to a node tree. Returns the calendar-date findings too.
pub fn build_records(source: &Arc<SourceFile>, root: &Node) -> (Vec<Record>, Vec<Finding>) {
    let mut b = Builder {
        source,
        findings: Vec::new(),
    };
    let items = match &root.value {
        Value::Map(_) => vec![record(&mut b, root, String::new())],
        Value::Seq(s) => s
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_map().is_some())
            .map(|(i, n)| record(&mut b, n, format!("/{i}")))
            .collect(),
        _ => Vec::new(),
    };
    (items, b.findings)
}

/// Like [`build_records`], for one `incidents_dir` file.
pub fn build_incidents(source: &Arc<SourceFile>, root: &Node) -> (Vec<Incident>, Vec<Finding>) {
    let mut b = Builder {
        source,
        findings: Vec::new(),
    };
    let items = match &root.value {
        Value::Map(_) => vec![incident(&mut b, root, String::new())],
        Value::Seq(s) => s
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_map().is_some())
            .map(|(i, n)| incident(&mut b, n, format!("/{i}")))
            .collect(),
        _ => Vec::new(),
    };
    (items, b.findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::yaml::parse;

    #[test]
    fn builds_events_with_spans_and_pointers() {
        let text = "version: 1\nevents:\n  Purchase:\n    owner: tracking\n    parameters:\n      value: {source_of_truth: orders, required: true}\n";
        let src = SourceFile::new("g.yaml", text);
        let (sheet, findings) = build(&src, parse(text).unwrap());
        assert!(findings.is_empty());
        let ev = sheet.events.get("Purchase").unwrap();
        assert_eq!(ev.pointer, "/events/Purchase");
        let owner = ev.item.owner.as_ref().unwrap();
        assert_eq!(&text[owner.span.start..owner.span.end()], "tracking");
        let p = ev.item.parameters.get("value").unwrap();
        assert_eq!(p.pointer, "/events/Purchase/parameters/value");
        assert!(p.item.required.as_ref().unwrap().value);
    }

    #[test]
    fn impossible_dates_are_schema_findings() {
        let text = "version: 1\nreviews:\n  - cadence: weekly\n    last: 2026-02-30\n";
        let src = SourceFile::new("g.yaml", text);
        let (sheet, findings) = build(&src, parse(text).unwrap());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].pointer, "/reviews/0/last");
        assert_eq!(findings[0].line(), Some(4));
        assert!(sheet.reviews[0].last.as_ref().unwrap().date.is_none());
    }

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
