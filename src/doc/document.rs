//! Builds the format-neutral governance document from a sheet: Stop/Go, the signal incident router, event contract, rollback, parameter map, regression gate, retests, incidents, reviews, owners and the graph, all in sheet order.

use super::graph::{ELIDED, Graph, regression_gate};
use super::status::{
    self, EventStatus, Gate, PausedBy, RetestState, RetestStatus, ReviewState, StopReason,
    event_statuses, paused_conclusions, retest_status,
};
use super::{Block, Cell, DocOptions, Document, Inline, Table, Tone, route_anchor};
use crate::finding::Finding;
use crate::sheet::Sheet;
use crate::sheet::model::{Date, Spanned, Text};

/// How many error findings the Stop/Go table lists for one event before summing up the rest.
const MAX_FINDINGS_SHOWN: usize = 3;

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

fn code(s: impl Into<String>) -> Inline {
    Inline::Code(s.into())
}

/// A value the sheet should have but does not.
fn not_set() -> Inline {
    Inline::Badge(Tone::Warn, "not set".into())
}

/// A route id linking to its entry in the router section.
fn route_link(id: &str) -> Inline {
    match route_anchor(id) {
        Some(anchor) => Inline::Link(id.to_owned(), anchor),
        None => code(id),
    }
}

fn opt_text(t: Option<&Text>) -> Cell {
    match t {
        Some(t) if !t.value.trim().is_empty() => vec![text(t.value.trim())],
        _ => vec![not_set()],
    }
}

fn opt_plain(t: Option<&Text>) -> Cell {
    match t {
        Some(t) if !t.value.trim().is_empty() => vec![text(t.value.trim())],
        _ => vec![text("-")],
    }
}

/// A list of ids as code, comma separated.
fn ids<'a>(list: impl IntoIterator<Item = &'a str>) -> Cell {
    let mut out = Vec::new();
    for (i, id) in list.into_iter().enumerate() {
        if i > 0 {
            out.push(text(", "));
        }
        out.push(code(id));
    }
    out
}

fn id_list(list: Option<&Spanned<Vec<Text>>>) -> Cell {
    match list {
        Some(l) if !l.value.is_empty() => ids(l.value.iter().map(|t| t.value.as_str())),
        _ => vec![not_set()],
    }
}

/// An owner id with the owner's name, when the sheet declares one.
fn owner(sheet: &Sheet, id: Option<&Text>) -> Cell {
    let Some(id) = id.filter(|t| !t.value.trim().is_empty()) else {
        return vec![not_set()];
    };
    let mut cell = vec![code(id.value.as_str())];
    if let Some(name) = sheet
        .owners
        .get(&id.value)
        .and_then(|o| o.item.name.as_ref())
    {
        cell.push(text(format!(" ({})", name.value.trim())));
    }
    cell
}

fn date(d: Option<&Date>) -> String {
    d.map(|d| d.raw.clone()).unwrap_or_else(|| "-".into())
}

/// Join cells with line breaks.
fn lines(parts: Vec<Cell>) -> Cell {
    let mut out = Vec::new();
    for (i, p) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push(Inline::Break);
        }
        out.extend(p);
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How one retest stands, as a cell: a badge, the record's date and who ran it.
fn retest_state_cell(r: &RetestStatus<'_>) -> Cell {
    let mut cell = match &r.state {
        RetestState::Pass => vec![Inline::Badge(Tone::Good, "pass".into())],
        RetestState::NotNeeded => vec![Inline::Badge(Tone::Neutral, "not needed".into())],
        RetestState::Failed => vec![Inline::Badge(Tone::Bad, "failed".into())],
        RetestState::Stale { age_days, max_age } => vec![
            Inline::Badge(Tone::Bad, "expired".into()),
            text(format!(" {age_days} days old, max_age {max_age} days")),
        ],
        RetestState::Unreadable(result) => vec![
            Inline::Badge(Tone::Bad, "unreadable".into()),
            text(" result "),
            code(result.as_str()),
        ],
        RetestState::Missing => vec![Inline::Badge(Tone::Bad, "no record".into())],
        RetestState::Incomplete(what) => vec![
            Inline::Badge(Tone::Bad, "incomplete".into()),
            text(format!(" {what}")),
        ],
    };
    if let Some(rec) = r.latest {
        cell.push(text(format!(" {}", date(rec.date.as_ref()))));
        if let Some(by) = &rec.by {
            cell.push(text(" by "));
            cell.push(code(by.value.as_str()));
        }
    }
    cell
}

fn stop_reason(reason: &StopReason) -> Cell {
    match reason {
        StopReason::OpenIncident {
            id,
            status,
            opened,
            paused,
            route,
        } => {
            let mut c = vec![text("incident "), code(id.as_str())];
            c.push(text(format!(" is {status}")));
            if let Some(o) = opened {
                c.push(text(format!(" since {o}")));
            }
            if !paused.is_empty() {
                c.push(text("; paused: "));
                c.extend(ids(paused.iter().map(String::as_str)));
            }
            if let Some(r) = route {
                c.push(text("; route "));
                c.push(route_link(r));
            }
            c
        }
        StopReason::Finding { rule, message } => {
            vec![
                text("rule "),
                code(rule.as_str()),
                text(format!(": {message}")),
            ]
        }
        StopReason::Retest { id, state, date } => {
            vec![
                text("retest "),
                code(id.as_str()),
                text(format!(" {}", state.why(date.as_deref()))),
            ]
        }
        StopReason::NoRetest => vec![text("no retest verifies this event")],
    }
}

fn header(sheet: &Sheet, opts: &DocOptions<'_>) -> Vec<Block> {
    let mut facts = Vec::new();
    if let Some(d) = &sheet.info.dataset {
        facts.push(vec![
            Inline::Strong("Dataset:".into()),
            text(" "),
            code(d.value.trim()),
        ]);
    }
    if let Some(p) = &sheet.info.platform {
        facts.push(vec![
            Inline::Strong("Platform:".into()),
            text(format!(" {}", p.value.trim())),
        ]);
    }
    let mut from = vec![
        Inline::Strong("Source:".into()),
        text(" generated by govsheet from "),
        code(opts.sheet_name),
        text("; edit the sheet, not this document"),
    ];
    if opts.show_date {
        from.push(text(format!(". {}{}", super::AS_OF, opts.today)));
    }
    facts.push(from);
    let mut blocks = vec![Block::Para(lines(facts))];
    if let Some(d) = &sheet.info.description
        && !d.value.trim().is_empty()
    {
        blocks.push(Block::Para(vec![text(d.value.trim())]));
    }
    blocks
}

fn stop_go(sheet: &Sheet, statuses: &[EventStatus<'_>], today: chrono::NaiveDate) -> Vec<Block> {
    let stops = statuses.iter().filter(|s| s.gate == Gate::Stop).count();
    let summary = if statuses.is_empty() {
        "The sheet declares no events.".to_owned()
    } else {
        format!(
            "{}: {} Go, {} Stop. An event is stopped while an incident on it is open, a rule \
             fails on it, or one of its retests failed, expired or was never recorded; do not \
             base optimization decisions on a stopped event.",
            plural(statuses.len(), "event", "events"),
            statuses.len() - stops,
            stops
        )
    };
    let rows = statuses
        .iter()
        .map(|s| {
            let badge = match s.gate {
                Gate::Go => Inline::Badge(Tone::Good, "Go".into()),
                Gate::Stop => Inline::Badge(Tone::Bad, "Stop".into()),
            };
            let why = if s.reasons.is_empty() {
                lines(
                    s.retests
                        .iter()
                        .map(|r| {
                            let mut c = vec![code(r.id.as_str()), text(": ")];
                            c.extend(retest_state_cell(r));
                            c
                        })
                        .collect(),
                )
            } else {
                let mut shown_findings = 0;
                let mut hidden = 0;
                let mut parts = Vec::new();
                for r in &s.reasons {
                    if matches!(r, StopReason::Finding { .. }) {
                        if shown_findings == MAX_FINDINGS_SHOWN {
                            hidden += 1;
                            continue;
                        }
                        shown_findings += 1;
                    }
                    parts.push(stop_reason(r));
                }
                if hidden > 0 {
                    parts.push(vec![text(format!(
                        "and {} (run govsheet check)",
                        plural(hidden, "more error", "more errors")
                    ))]);
                }
                lines(parts)
            };
            let pointer = format!("/events/{}", crate::sheet::yaml::escape_pointer(&s.event));
            let mut why = why;
            for w in waivers_at(sheet, &pointer, today) {
                why.push(Inline::Break);
                why.extend(w);
            }
            vec![vec![Inline::Strong(s.event.clone())], vec![badge], why]
        })
        .collect();
    vec![
        Block::Heading("Stop or Go", "stop-or-go"),
        Block::Para(vec![text(summary)]),
        Block::Table(Table {
            head: vec!["Event", "Gate", "Why"],
            rows,
        }),
    ]
}

fn send_path(path: Option<&crate::sheet::model::SendPath>) -> Cell {
    match path {
        None => vec![text("-")],
        Some(p) => {
            let mut c = match &p.system {
                Some(s) => vec![code(s.value.as_str())],
                None => vec![not_set()],
            };
            if let Some(f) = &p.fires_on {
                c.push(Inline::Break);
                c.push(text(f.value.trim()));
            }
            c
        }
    }
}

fn events(sheet: &Sheet) -> Vec<Block> {
    let rows = sheet
        .events
        .iter()
        .map(|e| {
            let ev = &e.item;
            let event_id = match &ev.event_id {
                None if ev.browser.is_none() || ev.server.is_none() => {
                    vec![text("one path only: nothing to deduplicate")]
                }
                None => vec![not_set()],
                Some(id) => {
                    let mut parts = vec![opt_text(id.logic.as_ref())];
                    if let Some(f) = &id.format {
                        parts.push(vec![text("format "), code(f.value.trim())]);
                    }
                    if let Some(g) = &id.generated_by {
                        parts.push(vec![text("generated by "), code(g.value.as_str())]);
                    }
                    lines(parts)
                }
            };
            vec![
                vec![Inline::Strong(e.id.value.to_string())],
                opt_text(ev.meaning.as_ref()),
                send_path(ev.browser.as_ref()),
                send_path(ev.server.as_ref()),
                event_id,
                owner(sheet, ev.owner.as_ref()),
            ]
        })
        .collect();
    vec![
        Block::Heading("Event contract", "events"),
        Block::Para(vec![text(
            "What each event means as a business action, where the browser and the server send \
             it from, and how both paths share one event_id so Meta deduplicates them.",
        )]),
        Block::Table(Table {
            head: vec![
                "Event",
                "Business meaning",
                "Browser source",
                "Server source",
                "event_id logic",
                "Owner",
            ],
            rows,
        }),
    ]
}

/// The waivers whose target is `pointer` or inside it, each as "waived: rule `r` at
/// `target`, approved by `o` until DATE: reason", shown next to what they waive.
fn waivers_at(sheet: &Sheet, pointer: &str, today: chrono::NaiveDate) -> Vec<Cell> {
    sheet
        .waivers
        .iter()
        .filter(|w| {
            w.target.as_ref().is_some_and(|t| {
                let t = t.value.as_str();
                t == pointer
                    || t.strip_prefix(pointer)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .map(|w| waiver_line(w, today))
        .collect()
}

/// One waiver in a line: its rule, target, approver, expiry (and whether it still holds) and
/// reason.
fn waiver_line(w: &crate::sheet::model::Waiver, today: chrono::NaiveDate) -> Cell {
    let rule = w.rule.as_ref().map_or("-", |r| r.value.as_str());
    let mut c = vec![
        Inline::Badge(Tone::Warn, "waived".into()),
        text(" rule "),
        code(rule),
    ];
    if let Some(t) = w.target.as_ref().filter(|t| !t.value.is_empty()) {
        c.push(text(" at "));
        c.push(code(t.value.as_str()));
    }
    c.push(text(", approved by "));
    c.extend(match &w.approved_by {
        Some(a) if !a.value.trim().is_empty() => vec![code(a.value.as_str())],
        _ => vec![not_set()],
    });
    match w.expires.as_ref() {
        Some(e) => match e.date {
            Some(d) if d < today => c.push(text(format!(", expired {}", e.raw))),
            Some(_) => c.push(text(format!(", until {}", e.raw))),
            None => c.push(text(format!(", unreadable expiry `{}`", e.raw))),
        },
        None => c.push(text(", no expiry (it hides nothing)")),
    }
    c.push(text(": "));
    c.extend(opt_text(w.reason.as_ref()));
    c
}

fn waivers(sheet: &Sheet, opts: &DocOptions<'_>) -> Vec<Block> {
    let mut blocks = vec![
        Block::Heading("Waivers", "waivers"),
        Block::Para(vec![text(
            "Accepted exceptions to a rule: each hides the rule's findings at its target until \
             it expires. Each is also shown next to the event or retest it waives.",
        )]),
    ];
    if sheet.waivers.is_empty() {
        blocks.push(Block::Para(vec![text("The sheet waives no rule.")]));
        return blocks;
    }
    let rows = sheet
        .waivers
        .iter()
        .map(|w| {
            let target = match w.target.as_ref().filter(|t| !t.value.is_empty()) {
                Some(t) => vec![code(t.value.as_str())],
                None => vec![text("the whole sheet")],
            };
            let expires = match w.expires.as_ref() {
                Some(e) => match e.date {
                    Some(d) if d < opts.today => vec![
                        Inline::Badge(Tone::Bad, "expired".into()),
                        text(format!(" {}", e.raw)),
                    ],
                    Some(_) => vec![text(e.raw.clone())],
                    None => vec![Inline::Badge(Tone::Warn, "unreadable".into())],
                },
                None => vec![not_set()],
            };
            vec![
                vec![code(w.rule.as_ref().map_or("-", |r| r.value.as_str()))],
                target,
                owner(sheet, w.approved_by.as_ref()),
                opt_text(w.reason.as_ref()),
                expires,
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        head: vec!["Rule", "Waives", "Approved by", "Why", "Expires"],
        rows,
    }));
    blocks
}

/// What pauses a conclusion, and why: an open incident, or a stopped event with its first
/// reason.
fn paused_by(p: &PausedBy) -> Cell {
    match p {
        PausedBy::Incident(id) => vec![text("incident "), code(id.as_str())],
        PausedBy::Event { event, reasons } => {
            let mut c = vec![
                text("event "),
                Inline::Strong(event.clone()),
                text(" (Stop: "),
            ];
            if let Some(first) = reasons.first() {
                c.extend(stop_reason(first));
            }
            if reasons.len() > 1 {
                c.push(text(format!(
                    "; and {}",
                    plural(reasons.len() - 1, "more reason", "more reasons")
                )));
            }
            c.push(text(")"));
            c
        }
    }
}

fn rollback(sheet: &Sheet, statuses: &[EventStatus<'_>]) -> Vec<Block> {
    let rows = sheet
        .events
        .iter()
        .map(|e| {
            let rb = e.item.rollback.as_ref();
            vec![
                vec![Inline::Strong(e.id.value.to_string())],
                opt_text(rb.and_then(|r| r.rule.as_ref())),
                id_list(rb.and_then(|r| r.pause.as_ref())),
                opt_text(rb.and_then(|r| r.resume_when.as_ref())),
            ]
        })
        .collect();
    let conclusions = paused_conclusions(sheet, statuses)
        .into_iter()
        .map(|(id, desc, by)| {
            let state = if by.is_empty() {
                vec![Inline::Badge(Tone::Good, "usable".into())]
            } else {
                let mut c = vec![Inline::Badge(Tone::Bad, "paused".into()), text(" by ")];
                for (i, p) in by.iter().enumerate() {
                    if i > 0 {
                        c.push(text("; "));
                    }
                    c.extend(paused_by(p));
                }
                c
            };
            let desc = if desc.trim().is_empty() {
                vec![text("-")]
            } else {
                vec![text(desc.trim())]
            };
            vec![vec![code(id.as_str())], desc, state]
        })
        .collect();
    vec![
        Block::Heading("Rollback and paused conclusions", "rollback"),
        Block::Para(vec![text(
            "When an event breaks: what to revert, which optimization conclusions to pause first, \
             and the evidence that lets decisions resume. A conclusion is paused while an open \
             incident lists it or an event whose rollback pauses it is stopped.",
        )]),
        Block::Table(Table {
            head: vec!["Event", "Rollback rule", "Pause first", "Resume when"],
            rows,
        }),
        Block::Table(Table {
            head: vec!["Conclusion", "Decisions it covers", "Now"],
            rows: conclusions,
        }),
    ]
}

fn parameters(sheet: &Sheet) -> Vec<Block> {
    let mut rows = Vec::new();
    for e in &sheet.events {
        for p in &e.item.parameters {
            let prm = &p.item;
            let required = match prm.required.as_ref().map(|r| r.value) {
                Some(true) => vec![Inline::Strong("yes".into())],
                Some(false) => vec![text("no")],
                None => vec![text("-")],
            };
            let mut note = Vec::new();
            if let Some(n) = prm.note.as_ref().filter(|n| !n.value.trim().is_empty()) {
                note.push(vec![text(n.value.trim())]);
            }
            if let Some(c) = &prm.consent {
                note.push(vec![
                    Inline::Strong("Consent:".into()),
                    text(format!(" {}", c.value.trim())),
                ]);
            }
            let note = if note.is_empty() {
                vec![text("-")]
            } else {
                lines(note)
            };
            let system = match &prm.source_of_truth {
                Some(s) => vec![code(s.value.as_str())],
                None => vec![not_set()],
            };
            rows.push(vec![
                vec![text(e.id.value.as_str())],
                vec![code(p.id.value.as_str())],
                system,
                owner(sheet, prm.owner.as_ref()),
                required,
                note,
            ]);
        }
    }
    let mut blocks = vec![
        Block::Heading("Parameter source of truth", "parameters"),
        Block::Para(vec![text(
            "The system of record of every parameter: where to debug when a value drifts.",
        )]),
    ];
    if rows.is_empty() {
        blocks.push(Block::Para(vec![text("No event declares parameters.")]));
    } else {
        blocks.push(Block::Table(Table {
            head: vec![
                "Event",
                "Parameter",
                "System of record",
                "Owner",
                "Required",
                "Note",
            ],
            rows,
        }));
    }
    blocks
}

fn chain_cell(chain: &[String]) -> Cell {
    let mut c = Vec::new();
    for (i, id) in chain.iter().enumerate() {
        if i > 0 {
            c.push(text(" → "));
        }
        if id == ELIDED {
            c.push(text(ELIDED));
        } else {
            c.push(code(id.as_str()));
        }
    }
    c
}

fn more(n: usize) -> Cell {
    vec![text(format!("and {n} more"))]
}

fn gate(sheet: &Sheet) -> Vec<Block> {
    let rows = regression_gate(sheet)
        .into_iter()
        .map(|row| {
            let comp = sheet.components.get(&row.component);
            let item = comp.map(|c| &c.item);
            let mut name = vec![vec![Inline::Strong(row.component.clone())]];
            if let Some(d) = item.and_then(|i| i.description.as_ref()) {
                name.push(vec![text(d.value.trim())]);
            }
            if !row.built_from.is_empty() {
                let mut c = vec![text("depends on ")];
                c.extend(ids(row.built_from.iter().map(String::as_str)));
                if row.built_from_more > 0 {
                    c.push(text(format!(" and {} more", row.built_from_more)));
                }
                name.push(c);
            }
            name.push(vec![text("owner ")]);
            if let Some(last) = name.last_mut() {
                last.extend(owner(sheet, item.and_then(|i| i.owner.as_ref())));
            }
            let paths = match item.and_then(|i| i.paths.as_ref()) {
                Some(p) if !p.value.is_empty() => lines(
                    p.value
                        .iter()
                        .map(|t| vec![code(t.value.as_str())])
                        .collect(),
                ),
                _ => vec![not_set()],
            };
            let reaches = if row.reaches.is_empty() {
                vec![text("-")]
            } else {
                let mut parts: Vec<Cell> = row
                    .reaches
                    .iter()
                    .map(|c| chain_cell(c.get(1..).unwrap_or_default()))
                    .collect();
                if row.reaches_more > 0 {
                    parts.push(more(row.reaches_more));
                }
                lines(parts)
            };
            let events = if row.events.is_empty() {
                vec![text("-")]
            } else {
                lines(
                    row.events
                        .iter()
                        .map(|(ev, chain)| {
                            let mut c = vec![Inline::Strong(ev.clone())];
                            if let Some(via) = chain.get(1..).filter(|v| !v.is_empty()) {
                                c.push(text(" via "));
                                c.extend(chain_cell(via));
                            }
                            c
                        })
                        .collect(),
                )
            };
            let retests = if row.retests.is_empty() {
                vec![Inline::Badge(Tone::Warn, "none".into())]
            } else {
                ids(row.retests.iter().map(String::as_str))
            };
            vec![
                lines(name),
                paths,
                opt_text(item.and_then(|i| i.risk.as_ref())),
                reaches,
                events,
                retests,
            ]
        })
        .collect::<Vec<_>>();
    let mut blocks = vec![
        Block::Heading("Regression gate", "regression-gate"),
        Block::Para(vec![text(
            "A change to a component's files is a change to every component that depends on it \
             (transitively), and triggers the events that list any of them. Every retest in the \
             last column must be run and recorded before the change ships.",
        )]),
    ];
    if rows.is_empty() {
        blocks.push(Block::Para(vec![text("The sheet declares no components.")]));
    } else {
        blocks.push(Block::Table(Table {
            head: vec![
                "Component",
                "Paths",
                "Risk",
                "Also changes",
                "Events triggered",
                "Retests required",
            ],
            rows,
        }));
    }
    blocks
}

fn retests(sheet: &Sheet, opts: &DocOptions<'_>) -> Vec<Block> {
    let rows = sheet
        .retests
        .iter()
        .map(|r| {
            let st = retest_status(sheet, &r.id.value, opts.today);
            let mut name = vec![vec![code(r.id.value.as_str())]];
            if let Some(t) = &r.item.title {
                name.push(vec![Inline::Strong(t.value.trim().to_owned())]);
            }
            let max_age = match r.item.max_age.as_ref() {
                None => vec![text("-")],
                Some(m) => match m.value {
                    Some(d) => vec![text(plural(d as usize, "day", "days"))],
                    None => vec![Inline::Badge(Tone::Warn, "unreadable".into())],
                },
            };
            let events = match r.item.events.as_ref() {
                Some(l) if !l.value.is_empty() => ids(l.value.iter().map(|t| t.value.as_str())),
                _ => vec![text("-")],
            };
            let mut latest = vec![retest_state_cell(&st)];
            if let Some(rec) = st.latest {
                if let Some(e) = rec.evidence.as_ref().filter(|e| !e.value.trim().is_empty()) {
                    latest.push(vec![text(e.value.trim())]);
                }
                if let Some(n) = rec.notes.as_ref().filter(|n| !n.value.trim().is_empty()) {
                    latest.push(vec![
                        Inline::Strong("Notes:".into()),
                        text(format!(" {}", n.value.trim())),
                    ]);
                }
                if let Some(c) = &rec.commit {
                    latest.push(vec![text("commit "), code(c.value.as_str())]);
                }
            }
            latest.extend(waivers_at(sheet, &r.pointer, opts.today));
            vec![
                lines(name),
                opt_text(r.item.method.as_ref()),
                owner(sheet, r.item.owner.as_ref()),
                events,
                max_age,
                lines(latest),
            ]
        })
        .collect::<Vec<_>>();
    let mut blocks = vec![
        Block::Heading("Retests", "retests"),
        Block::Para(vec![text(
            "How each retest is run, by whom, and its newest record. A record older than the \
             retest's max_age no longer covers it.",
        )]),
    ];
    if rows.is_empty() {
        blocks.push(Block::Para(vec![text("The sheet declares no retests.")]));
    } else {
        blocks.push(Block::Table(Table {
            head: vec![
                "Retest",
                "Method",
                "Owner",
                "Events",
                "Max age",
                "Latest record",
            ],
            rows,
        }));
    }
    blocks
}

fn incidents(sheet: &Sheet) -> Vec<Block> {
    let mut list: Vec<_> = sheet.incidents.iter().collect();
    list.sort_by_key(|i| !i.is_open());
    let rows = list
        .into_iter()
        .map(|i| {
            let status = i.status.as_ref().map_or("open", |s| s.value.as_str());
            let badge = if i.is_open() {
                Inline::Badge(Tone::Bad, status.to_owned())
            } else {
                Inline::Badge(Tone::Neutral, status.to_owned())
            };
            let mut head = vec![vec![code(
                i.id.as_ref().map_or("(no id)", |t| t.value.as_str()),
            )]];
            head.push(vec![badge]);
            head.push(vec![text(format!("opened {}", date(i.opened.as_ref())))]);
            if let Some(r) = &i.resolved {
                head.push(vec![text(format!("resolved {}", r.raw))]);
            }
            let mut what = vec![opt_plain(i.symptom.as_ref())];
            if let Some(s) = &i.suspected_change {
                what.push(vec![
                    Inline::Strong("Suspected change:".into()),
                    text(" "),
                    code(s.value.as_str()),
                ]);
            }
            let plan = sheet.incident_plan(i);
            match (plan.route, &i.route) {
                (Some(r), _) => head.push(vec![text("route "), route_link(r.id.as_str())]),
                (None, Some(r)) => head.push(vec![
                    text("route "),
                    code(r.as_str()),
                    text(" (not in the router)"),
                ]),
                (None, None) => {}
            }
            let mut action = Vec::new();
            for (label, value) in [
                ("First action:", plan.first_action),
                ("Fix:", i.fix.as_ref()),
                ("Resume when:", i.resume_when.as_ref()),
            ] {
                if let Some(v) = value.filter(|v| !v.value.trim().is_empty()) {
                    action.push(vec![
                        Inline::Strong(label.into()),
                        text(format!(" {}", v.value.trim())),
                    ]);
                }
            }
            let action = if action.is_empty() {
                vec![text("-")]
            } else {
                lines(action)
            };
            let events = if i.events.is_empty() {
                vec![text("-")]
            } else {
                ids(i.events.iter().map(|t| t.value.as_str()))
            };
            let paused = if plan.paused.is_empty() {
                vec![text("-")]
            } else {
                ids(plan.paused.iter().copied())
            };
            vec![
                lines(head),
                events,
                paused,
                lines(what),
                action,
                owner(sheet, i.owner.as_ref()),
            ]
        })
        .collect::<Vec<_>>();
    let open = sheet.incidents.iter().filter(|i| i.is_open()).count();
    let mut blocks = vec![Block::Heading("Incident log", "incidents")];
    if rows.is_empty() {
        blocks.push(Block::Para(vec![text("No incident recorded.")]));
    } else {
        blocks.push(Block::Para(vec![text(format!(
            "{}, {} open. Open incidents come first; their paused conclusions must not be \
             used until they are resolved.",
            plural(rows.len(), "incident", "incidents"),
            open
        ))]));
        blocks.push(Block::Table(Table {
            head: vec![
                "Incident",
                "Events",
                "Paused",
                "Symptom",
                "Action and resume",
                "Owner",
            ],
            rows,
        }));
    }
    blocks
}

/// The signal incident router: for each symptom what to pause first, the first check and
/// the tempting wrong move, with the open incidents that follow each route.
fn router(sheet: &Sheet) -> Vec<Block> {
    let mut blocks = vec![Block::Heading("Signal incident router", "router")];
    if sheet.router.is_empty() {
        blocks.push(Block::Para(vec![text(
            "The sheet has no router: add router routes (symptom, first action, what to \
             pause first, what not to do, owner) so whoever is on call knows what to stop.",
        )]));
        return blocks;
    }
    blocks.push(Block::Para(vec![text(
        "When you see one of these symptoms: pause the listed conclusions first, then do the \
         first action, and do not make the tempting move. govsheet incident open ROUTE \
         writes the incident file.",
    )]));
    for r in &sheet.router {
        let route = &r.item;
        let id = r.id.value.as_str();
        blocks.push(Block::SubHeading(format!("Route: {id}"), route_anchor(id)));
        let mut parts = Vec::new();
        let field = |label: &str, value: Cell| {
            let mut c = vec![Inline::Strong(label.into()), text(" ")];
            c.extend(value);
            c
        };
        parts.push(field("Symptom:", opt_text(route.symptom.as_ref())));
        if let Some(cause) = route
            .likely_cause
            .as_ref()
            .filter(|t| !t.value.trim().is_empty())
        {
            parts.push(field("Likely cause:", vec![text(cause.value.trim())]));
        }
        if let Some(events) = route.events.as_ref().filter(|e| !e.value.is_empty()) {
            parts.push(field(
                "Events:",
                ids(events.value.iter().map(|t| t.value.as_str())),
            ));
        }
        let mut pause = vec![Inline::Badge(Tone::Bad, "pause first".into()), text(" ")];
        pause.extend(id_list(route.pause.as_ref()));
        parts.push(pause);
        parts.push(field(
            "First action:",
            opt_text(route.first_action.as_ref()),
        ));
        if let Some(d) = route.do_not.as_ref().filter(|t| !t.value.trim().is_empty()) {
            parts.push(field("Do not:", vec![text(d.value.trim())]));
        }
        parts.push(field("Owner:", owner(sheet, route.owner.as_ref())));
        if let Some(d) = route.detect.as_ref().filter(|d| !d.value.is_empty()) {
            parts.push(field(
                "Detected by verify:",
                ids(d.value.iter().map(|t| t.value.as_str())),
            ));
        }
        let open: Vec<&str> = sheet
            .incidents
            .iter()
            .filter(|i| i.is_open())
            .filter(|i| i.route.as_ref().is_some_and(|x| x.value == id))
            .map(|i| i.id.as_ref().map_or("(no id)", |t| t.value.as_str()))
            .collect();
        if !open.is_empty() {
            let mut c = vec![Inline::Badge(Tone::Bad, "open".into()), text(" ")];
            c.extend(ids(open));
            parts.push(c);
        }
        blocks.push(Block::Para(lines(parts)));
    }
    blocks
}

fn reviews(sheet: &Sheet, opts: &DocOptions<'_>) -> Vec<Block> {
    let rows = sheet
        .reviews
        .iter()
        .map(|r| {
            let state = match status::review_state(r, opts.today) {
                ReviewState::OnSchedule { days_since } => vec![
                    Inline::Badge(Tone::Good, "on schedule".into()),
                    text(format!(
                        " {} ago",
                        plural(days_since.max(0) as usize, "day", "days")
                    )),
                ],
                ReviewState::Overdue { days_since, period } => vec![
                    Inline::Badge(Tone::Bad, "overdue".into()),
                    text(format!(
                        " {days_since} days since the last one (every {period})"
                    )),
                ],
                ReviewState::NeverDone => vec![Inline::Badge(Tone::Bad, "never done".into())],
                ReviewState::EventDriven => vec![text("when it happens")],
            };
            vec![
                vec![Inline::Strong(
                    r.cadence
                        .as_ref()
                        .map_or("-", |c| c.value.as_str())
                        .to_owned(),
                )],
                opt_text(r.scope.as_ref()),
                owner(sheet, r.owner.as_ref()),
                vec![text(date(r.last.as_ref()))],
                state,
            ]
        })
        .collect::<Vec<_>>();
    let mut blocks = vec![Block::Heading("Review calendar", "reviews")];
    if rows.is_empty() {
        blocks.push(Block::Para(vec![text("No review is scheduled.")]));
    } else {
        blocks.push(Block::Para(vec![text(
            "A weekly review more than 7 days old, or a monthly one more than 31, is overdue.",
        )]));
        blocks.push(Block::Table(Table {
            head: vec!["Cadence", "Scope", "Owner", "Last", "State"],
            rows,
        }));
    }
    blocks
}

fn people(sheet: &Sheet) -> Vec<Block> {
    let mut blocks = vec![Block::Heading("Owners and systems", "owners")];
    let owners = sheet
        .owners
        .iter()
        .map(|o| {
            vec![
                vec![code(o.id.value.as_str())],
                opt_plain(o.item.name.as_ref()),
                opt_plain(o.item.role.as_ref()),
                opt_plain(o.item.contact.as_ref()),
            ]
        })
        .collect::<Vec<_>>();
    if !owners.is_empty() {
        blocks.push(Block::Table(Table {
            head: vec!["Owner", "Name", "Role", "Contact"],
            rows: owners,
        }));
    }
    let systems = sheet
        .systems
        .iter()
        .map(|s| {
            vec![
                vec![code(s.id.value.as_str())],
                opt_plain(s.item.kind.as_ref()),
                owner(sheet, s.item.owner.as_ref()),
                opt_plain(s.item.description.as_ref()),
            ]
        })
        .collect::<Vec<_>>();
    if !systems.is_empty() {
        blocks.push(Block::Table(Table {
            head: vec!["System", "Kind", "Owner", "Description"],
            rows: systems,
        }));
    }
    if blocks.len() == 1 {
        blocks.push(Block::Para(vec![text(
            "The sheet declares no owners or systems.",
        )]));
    }
    blocks
}

fn graph(sheet: &Sheet) -> Vec<Block> {
    vec![
        Block::Heading("Dependency graph", "graph"),
        Block::Para(vec![text(
            "An arrow reads \"a change here requires\": component → component that depends on \
             it → event it triggers → retest. Dashed arrows are retests a component requires \
             whatever the events.",
        )]),
        Block::Graph(Graph::of(sheet)),
    ]
}

/// Build the document of a sheet.
pub fn build(sheet: &Sheet, findings: &[Finding], opts: DocOptions<'_>) -> Document {
    let title = sheet
        .info
        .name
        .as_ref()
        .map(|n| n.value.trim().to_owned())
        .filter(|n| !n.is_empty())
        .map_or_else(
            || "Signal governance sheet".to_owned(),
            |n| format!("{n}: signal governance sheet"),
        );
    let statuses = event_statuses(sheet, findings, opts.today);
    let mut blocks = header(sheet, &opts);
    blocks.extend(stop_go(sheet, &statuses, opts.today));
    blocks.extend(router(sheet));
    blocks.extend(events(sheet));
    blocks.extend(rollback(sheet, &statuses));
    blocks.extend(parameters(sheet));
    blocks.extend(gate(sheet));
    blocks.extend(retests(sheet, &opts));
    blocks.extend(incidents(sheet));
    blocks.extend(waivers(sheet, &opts));
    blocks.extend(reviews(sheet, &opts));
    blocks.extend(people(sheet));
    blocks.extend(graph(sheet));
    Document { title, blocks }
}

/// The section headings with their anchors, for a table of contents.
pub fn sections(doc: &Document) -> Vec<(&'static str, &'static str)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(t, a) => Some((*t, *a)),
            _ => None,
        })
        .collect()
}
