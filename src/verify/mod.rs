//! `govsheet verify`: captured Pixel and Conversions API events against Meta's rules, the sheet and the orders, streaming.

mod dedupe;
pub mod event;
mod ingest;
pub mod lines;
pub mod orders;
mod reconcile;
pub mod report;
pub mod routes;
pub mod scan;
mod sink;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::finding::{Finding, Severity};
/// The rule ids of verify live with the registry that describes them.
pub use crate::policy::verify_rules as rules;
use crate::sheet::Sheet;
use dedupe::Pair;
use event::Issue;
pub use event::Side;
pub use orders::{ColumnMap, OrderBook, OrdersError, RowIssue};
use reconcile::OrdersState;
pub use report::{EventRow, OrderFigures, Paused, VerifyReport};
use sink::Sink;

/// A capture line longer than this is a `payload-shape` finding and is skipped unread.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// A request body (one JSON document) larger than this is not read.
pub const MAX_BODY_BYTES: usize = 64 << 20;
/// Meta accepts at most this many events in one request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;
/// Meta deduplicates a browser and a server event only within this many seconds.
pub const DEDUPE_WINDOW_SECONDS: i64 = 48 * 3600;
pub const DEFAULT_MIN_DEDUPE_RATE: f64 = 0.9;
pub const DEFAULT_MAX_VALUE_DRIFT: f64 = 0.01;
/// A Purchase whose `event_time` is further than this from the order's paid time is reported.
pub const MAX_PAID_TIME_OFFSET_SECONDS: i64 = 3600;
/// Findings kept per rule by default; the rest are counted.
pub const DEFAULT_MAX_PER_RULE: usize = 50;

/// How a run is configured.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub today: NaiveDate,
    pub test_capture: bool,
    pub max_per_rule: usize,
}

/// The index of an input file in the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileId(u32);

/// Counts for one event name.
#[derive(Debug, Clone, Default)]
struct Stats {
    name: String,
    server: u64,
    browser: u64,
    server_ids: u64,
    browser_ids: u64,
    server_no_id: u64,
    browser_no_id: u64,
    reused: u64,
    errors: u64,
}

/// The streaming verifier: feed it inputs, then [`Verifier::finish`].
pub struct Verifier<'a> {
    sheet: Option<&'a Sheet>,
    opts: Options,
    files: Vec<String>,
    sink: Sink,
    names: HashMap<String, u32>,
    stats: Vec<Stats>,
    index: HashMap<(u32, Box<str>), Pair>,
    orders: Option<OrdersState>,
    browser_given: bool,
    no_id_counter: u64,
    buf: Vec<u8>,
    /// The sheet's `policy.rules` (the one place overrides are applied).
    overrides: crate::policy::Overrides<'a>,
    first_server: Option<u32>,
}

impl<'a> Verifier<'a> {
    pub fn new(sheet: Option<&'a Sheet>, opts: Options) -> Self {
        let mut v = Verifier {
            sheet,
            opts,
            files: Vec::new(),
            sink: Sink::new(opts.max_per_rule),
            names: HashMap::new(),
            stats: Vec::new(),
            index: HashMap::new(),
            orders: None,
            browser_given: false,
            no_id_counter: 0,
            buf: Vec::new(),
            overrides: crate::policy::Overrides::of(sheet.map_or(&[], |s| &s.policy.rules)),
            first_server: None,
        };
        if let Some(s) = sheet {
            for e in &s.events {
                v.intern(e.id.as_str());
            }
        }
        v
    }

    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.names.get(name) {
            return i;
        }
        let i = self.stats.len() as u32;
        self.names.insert(name.to_owned(), i);
        self.stats.push(Stats {
            name: name.to_owned(),
            ..Stats::default()
        });
        i
    }

    /// Register an input file by the name findings should show.
    pub fn add_file(&mut self, name: impl Into<String>) -> FileId {
        self.files.push(name.into());
        FileId(self.files.len() as u32 - 1)
    }

    fn file_name(&self, f: u32) -> &str {
        self.files.get(f as usize).map_or("", String::as_str)
    }

    fn thresholds(&self, name: &str) -> (f64, f64) {
        let v = self
            .sheet
            .and_then(|s| s.events.get(name))
            .map(|e| &e.item.verify);
        (
            v.and_then(|v| v.min_dedupe_rate.as_ref())
                .map_or(DEFAULT_MIN_DEDUPE_RATE, |s| s.value),
            v.and_then(|v| v.max_value_drift.as_ref())
                .map_or(DEFAULT_MAX_VALUE_DRIFT, |s| s.value),
        )
    }

    fn max_value_drift(&self, name: &str) -> f64 {
        self.thresholds(name).1
    }

    /// Apply the sheet's `policy.rules`: `None` when the rule is off.
    fn configure(&self, mut issue: Issue) -> Option<Issue> {
        issue.severity = self.overrides.severity(issue.rule, issue.severity)?;
        Some(issue)
    }

    fn push_issue(&mut self, file: u32, line: usize, pointer: Option<String>, issue: Issue) {
        let Some(issue) = self.configure(issue) else {
            return;
        };
        let mut f = Finding::new(issue.rule, issue.severity, issue.message).at_line(
            self.file_name(file),
            line,
            1,
        );
        if let Some(h) = issue.help {
            f = f.with_help(h);
        }
        if let Some(p) = pointer {
            f.pointer = p;
        }
        self.sink.push(file, line as u64, f);
    }

    fn shape(&mut self, file: u32, line: usize, pointer: Option<String>, message: String) {
        self.push_issue(
            file,
            line,
            pointer,
            Issue::new(rules::PAYLOAD_SHAPE, message),
        );
    }

    /// Reconcile and build the report.
    pub fn finish(mut self) -> VerifyReport {
        let mut rows: Vec<EventRow> = self
            .stats
            .iter()
            .map(|s| {
                let (min_rate, _) = self.thresholds(&s.name);
                let declared = self.sheet.and_then(|sh| sh.events.get(&s.name));
                EventRow {
                    event: s.name.clone(),
                    declared: declared.is_some(),
                    server: s.server,
                    browser: s.browser,
                    ids_reused: s.reused,
                    min_dedupe_rate: min_rate,
                    ..EventRow::default()
                }
            })
            .collect();
        self.pair_rows(&mut rows);
        let order_figures = self.finish_orders();
        for (i, row) in rows.iter_mut().enumerate() {
            row.errors = self.stats[i].errors;
        }
        let mut paused = Vec::new();
        if let Some(sheet) = self.sheet {
            for row in &rows {
                if row.errors == 0 || !row.declared {
                    continue;
                }
                let conclusions = sheet
                    .events
                    .get(&row.event)
                    .and_then(|e| e.item.rollback.as_ref())
                    .and_then(|r| r.pause.as_ref())
                    .map(|p| {
                        p.value
                            .iter()
                            .map(|t| t.value.to_string())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                paused.push(Paused {
                    event: row.event.clone(),
                    conclusions,
                });
            }
        }
        let rows: Vec<EventRow> = rows
            .into_iter()
            .filter(|r| r.declared || r.server + r.browser > 0)
            .collect();
        let mut findings = self.sink.into_findings(&self.files);
        crate::finding::sort(&mut findings);
        let routes = match self.sheet {
            Some(sheet) => routes::apply(sheet, &mut findings),
            None => Vec::new(),
        };
        VerifyReport {
            sheet: self.sheet.map(|s| s.source.name.clone()),
            files: self.files,
            events: rows,
            orders: order_figures,
            paused,
            routes,
            findings,
        }
    }

    /// A finding about an event as a whole, placed at its sheet entry when there is one.
    fn push_sheet_issue(&mut self, event: &str, key: &str, issue: Issue) {
        let Some(issue) = self.configure(issue) else {
            return;
        };
        let Some(sheet) = self.sheet else {
            // No sheet to point at: name the first server capture, without a line.
            let mut f = Finding::new(issue.rule, issue.severity, issue.message);
            f.file = self
                .first_server
                .map_or(String::new(), |i| self.file_name(i).to_owned());
            if let Some(h) = issue.help {
                f = f.with_help(h);
            }
            self.sink.push_unlimited(f);
            return;
        };
        let (pointer, span) = match sheet.events.get(event) {
            Some(e) => {
                let p = format!("{}/verify/{key}", e.pointer);
                match sheet.span_of(&p) {
                    Some(s) => (p, Some(s)),
                    None => (e.pointer.clone(), Some(e.id.span)),
                }
            }
            None => (String::new(), None),
        };
        let mut f = Finding::new(issue.rule, issue.severity, issue.message).at(
            &sheet.source,
            pointer,
            span,
        );
        if let Some(h) = issue.help {
            f = f.with_help(h);
        }
        self.sink.push_unlimited(f);
    }
}

fn short(s: &str) -> String {
    crate::finding::shorten(s, 60)
}

#[cfg(test)]
mod tests;
