//! Building the typed sheet from the span tree: every field keeps its source span and JSON
//! pointer; a value of the wrong type is left out (the JSON Schema step reports it); the only
//! findings made here are impossible calendar dates. Also the records and incidents of
//! `records_dir` and `incidents_dir` files.

use std::sync::Arc;

use super::model::{
    Component, Conclusion, Date, Event, EventId, IdMap, Incident, Keyed, Owner, Parameter,
    PolicyConfig, Record, Retest, Review, Rollback, Route, SendPath, Sheet, SheetInfo, Spanned,
    System, Text, VerifyThresholds, Waiver, parse_date, parse_duration_days,
};
use super::yaml::{Node, Value, escape_pointer};
use crate::finding::{Finding, RuleId};
use crate::source::SourceFile;

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
            raw: raw.to_owned(),
            date,
            span: node.span,
        })
    }

    fn id_map<T>(
        &mut self,
        root: &Node,
        section: &str,
        item: impl FnMut(&mut Self, &Node, &str) -> T,
    ) -> IdMap<T> {
        self.id_map_of(root.entry(section), "", section, item)
    }

    /// [`Self::id_map`] of a `section` entry already looked up, at pointers under `prefix`.
    fn id_map_of<T>(
        &mut self,
        entry: Option<(&Node, &Node)>,
        prefix: &str,
        section: &str,
        mut item: impl FnMut(&mut Self, &Node, &str) -> T,
    ) -> IdMap<T> {
        let mut map = IdMap::default();
        let Some((key, node)) = entry else {
            return map;
        };
        map.key_span = Some(key.span);
        let Some(entries) = node.as_map() else {
            return map;
        };
        for (k, v) in entries {
            let id = k.key_text();
            let pointer = format!("{prefix}/{section}/{}", escape_pointer(&id));
            let value = item(self, v, &pointer);
            if map.index.contains_key(&id) {
                continue;
            }
            map.index.insert(id.clone(), map.entries.len());
            map.entries.push(Keyed {
                id: Spanned {
                    value: id.into(),
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
            .entry("parameters")
            .map(|entry| {
                self.id_map_of(Some(entry), pointer, "parameters", |_, v, _| Parameter {
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
                })
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
    let (mut sheet, findings) = build_from(source, &root);
    sheet.root = root;
    (sheet, findings)
}

/// [`build`] reading the tree by reference, so that another thread can check it against the
/// schema meanwhile: the sheet's `root` is left `null`, the caller moves the tree in.
pub fn build_from(source: &Arc<SourceFile>, root: &Node) -> (Sheet, Vec<Finding>) {
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
    let owners = b.id_map(root, "owners", |_, n, _| Owner {
        name: text(n.get("name")),
        contact: text(n.get("contact")),
        role: text(n.get("role")),
    });
    let systems = b.id_map(root, "systems", |_, n, _| System {
        kind: text(n.get("kind")),
        owner: text(n.get("owner")),
        description: text(n.get("description")),
    });
    let conclusions = root.get("conclusions").map(|_| {
        b.id_map(root, "conclusions", |_, n, _| Conclusion {
            description: text(n.get("description")),
        })
    });
    let events = b.id_map(root, "events", |b, n, p| b.event(n, p));
    let components = b.id_map(root, "components", |_, n, _| Component {
        description: text(n.get("description")),
        owner: text(n.get("owner")),
        risk: text(n.get("risk")),
        paths: texts(n.get("paths")),
        depends_on: texts(n.get("depends_on")),
        retests: texts(n.get("retests")),
    });
    let retests = b.id_map(root, "retests", |_, n, _| Retest {
        title: text(n.get("title")),
        method: text(n.get("method")),
        owner: text(n.get("owner")),
        events: texts(n.get("events")),
        max_age: text(n.get("max_age")).map(|t| Spanned {
            value: parse_duration_days(&t.value),
            span: t.span,
        }),
    });
    let router = b.id_map(root, "router", |_, n, _| Route {
        symptom: text(n.get("symptom")),
        likely_cause: text(n.get("likely_cause")),
        events: texts(n.get("events")),
        first_action: text(n.get("first_action")),
        pause: texts(n.get("pause")),
        do_not: text(n.get("do_not")),
        owner: text(n.get("owner")),
        detect: texts(n.get("detect")),
    });
    let records = b.list(root, "records", record);
    let incidents = b.list(root, "incidents", incident);
    let reviews = b.list(root, "reviews", |b, n, pointer| Review {
        span: n.span,
        cadence: text(n.get("cadence")),
        scope: text(n.get("scope")),
        owner: text(n.get("owner")),
        last: b.date(n.get("last"), format!("{pointer}/last")),
        pointer,
    });
    let waivers = b.list(root, "waivers", |b, n, pointer| Waiver {
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
        root: Node {
            value: Value::Null,
            span: root.span,
        },
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
    build_file_items(source, root, record)
}

/// Like [`build_records`], for one `incidents_dir` file.
pub fn build_incidents(source: &Arc<SourceFile>, root: &Node) -> (Vec<Incident>, Vec<Finding>) {
    build_file_items(source, root, incident)
}

/// The items of one file that holds an item (a map, at the empty pointer) or a list of them
/// (at `/N`); list entries that are not maps are left out (the schema step reports them).
fn build_file_items<T>(
    source: &Arc<SourceFile>,
    root: &Node,
    item: fn(&mut Builder<'_>, &Node, String) -> T,
) -> (Vec<T>, Vec<Finding>) {
    let mut b = Builder {
        source,
        findings: Vec::new(),
    };
    let items = match &root.value {
        Value::Map(_) => vec![item(&mut b, root, String::new())],
        Value::Seq(s) => s
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_map().is_some())
            .map(|(i, n)| item(&mut b, n, format!("/{i}")))
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
}
