//! `govsheet verify`: captured Pixel and Conversions API events against Meta's rules, the sheet and the orders, streaming.

pub mod event;
pub mod lines;
pub mod orders;
pub mod report;
pub mod routes;
pub mod rules;
pub mod scan;
mod sink;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::io::{self, BufRead, Read};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::finding::{Finding, Severity};
use crate::sheet::Sheet;
pub use event::Side;
use event::{Captured, Issue, PayloadContext, type_name};
pub use orders::{ColumnMap, OrderBook, OrdersError, RowIssue};
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
/// A Purchase whose event_time is further than this from the order's paid time is reported.
pub const MAX_PAID_TIME_OFFSET_SECONDS: i64 = 3600;
/// Findings kept per rule by default; the rest are counted.
pub const DEFAULT_MAX_PER_RULE: usize = 50;
/// Sample ids listed in a rate finding.
const SAMPLES: usize = 5;

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

/// One side of a dedupe key: what the pair and reuse checks compare. Sentinels keep it small:
/// the index holds one of these per event_id, so its size is the run's memory.
#[derive(Debug, Clone, Copy)]
struct SideRec {
    count: u32,
    file: u32,
    line: u32,
    reused: bool,
    currency: [u8; 3],
    time: i64,
    value: f64,
    content: u64,
    order: u64,
}

const NO_TIME: i64 = i64::MIN;
const NONE_HASH: u64 = 0;

impl SideRec {
    const EMPTY: SideRec = SideRec {
        count: 0,
        file: 0,
        line: 0,
        reused: false,
        currency: [0; 3],
        time: NO_TIME,
        value: f64::NAN,
        content: NONE_HASH,
        order: NONE_HASH,
    };

    fn present(&self) -> bool {
        self.count > 0
    }
}

#[derive(Debug, Clone, Copy)]
struct Pair {
    browser: SideRec,
    server: SideRec,
}

impl Pair {
    fn side(&mut self, side: Side) -> &mut SideRec {
        match side {
            Side::Browser => &mut self.browser,
            Side::Server => &mut self.server,
        }
    }
}

fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish().max(1)
}

fn currency_code(c: &Option<String>) -> [u8; 3] {
    match c.as_deref().map(str::as_bytes) {
        Some(&[a, b, c]) => [a, b, c],
        Some(_) => [b'?'; 3],
        None => [0; 3],
    }
}

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

#[derive(Debug, Clone, Default)]
struct OrderHits {
    purchases: u32,
    ids: Vec<u64>,
}

struct OrdersState {
    file: String,
    book: OrderBook,
    hits: Vec<OrderHits>,
    figures: OrderFigures,
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
        self.names.insert(name.to_string(), i);
        self.stats.push(Stats {
            name: name.to_string(),
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

    /// The orders to reconcile Purchases against, with the problems found in their rows.
    pub fn set_orders(&mut self, file: FileId, book: OrderBook, issues: Vec<RowIssue>) {
        let name = self.file_name(file.0).to_string();
        for r in issues {
            self.push_issue(file.0, r.line, None, r.issue);
        }
        let threshold = self.max_value_drift("Purchase");
        self.orders = Some(OrdersState {
            file: name,
            hits: vec![OrderHits::default(); book.len()],
            figures: OrderFigures {
                event: "Purchase".into(),
                orders: book.len() as u64,
                paid_orders: book.orders.iter().filter(|o| o.paid).count() as u64,
                unreconciled: book.unreadable_rows as u64,
                max_value_drift: threshold,
                ..OrderFigures::default()
            },
            book,
        });
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

    /// Read one capture: JSON Lines (one event, or one request body, per line) or one request
    /// body document spread over several lines. Lines are read with a bounded buffer.
    pub fn feed<R: BufRead>(&mut self, side: Side, file: FileId, mut reader: R) -> io::Result<()> {
        match side {
            Side::Browser => self.browser_given = true,
            Side::Server => {
                self.first_server.get_or_insert(file.0);
            }
        }
        let f = file.0;
        let mut buf = std::mem::take(&mut self.buf);
        let mut line_no = 0usize;
        let mut first = true;
        let result = loop {
            let info = match lines::read_bounded(&mut reader, &mut buf, MAX_LINE_BYTES) {
                Ok(Some(i)) => i,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            };
            line_no += 1;
            if info.too_long {
                first = false;
                self.shape(
                    f,
                    line_no,
                    None,
                    format!(
                        "line {line_no} is {} bytes, longer than the {} limit; skipped",
                        info.len,
                        crate::sheet::yaml::human_bytes(MAX_LINE_BYTES)
                    ),
                );
                continue;
            }
            let mut text: &[u8] = &buf;
            if first && text.starts_with(b"\xEF\xBB\xBF") {
                text = &text[3..];
            }
            if text.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if first {
                first = false;
                if serde_json::from_slice::<serde::de::IgnoredAny>(text).is_err()
                    && !looks_like_event_line(text)
                {
                    let mut doc = text.to_vec();
                    break self.feed_document(side, f, line_no, &mut doc, &mut reader);
                }
            }
            self.feed_line(side, file, line_no, text);
        };
        self.buf = buf;
        result?;
        if first {
            self.shape(f, 1, None, format!("{} holds no events", self.file_name(f)));
        }
        Ok(())
    }

    /// One JSON Lines line: an event, or a whole request body.
    pub fn feed_line(&mut self, side: Side, file: FileId, line: usize, text: &[u8]) {
        let f = file.0;
        if let Err(e) = std::str::from_utf8(text) {
            self.shape(
                f,
                line,
                None,
                format!(
                    "line {line} is not valid UTF-8 (invalid byte at byte {})",
                    e.valid_up_to() + 1
                ),
            );
            return;
        }
        match serde_json::from_slice::<Value>(text) {
            Ok(v) => self.value(side, f, line, None, v),
            Err(e) => self.shape(
                f,
                line,
                None,
                format!("line {line} is not valid JSON: {}", json_error(&e)),
            ),
        }
    }

    fn feed_document<R: BufRead>(
        &mut self,
        side: Side,
        f: u32,
        first_line: usize,
        doc: &mut Vec<u8>,
        reader: &mut R,
    ) -> io::Result<()> {
        doc.push(b'\n');
        let limit = (MAX_BODY_BYTES + 1).saturating_sub(doc.len()) as u64;
        reader.take(limit).read_to_end(doc)?;
        if doc.len() > MAX_BODY_BYTES {
            self.shape(
                f,
                first_line,
                None,
                format!(
                    "the request body is larger than {}; it was not read",
                    crate::sheet::yaml::human_bytes(MAX_BODY_BYTES)
                ),
            );
            return Ok(());
        }
        if let Err(e) = std::str::from_utf8(doc) {
            let at = e.valid_up_to();
            let line = first_line + doc[..at].iter().filter(|&&b| b == b'\n').count();
            self.shape(
                f,
                line,
                None,
                format!("the request body is not valid UTF-8 (invalid byte on line {line})"),
            );
            return Ok(());
        }
        match serde_json::from_slice::<Value>(doc) {
            Ok(v) => {
                let lines: Vec<usize> = scan::data_element_lines(doc)
                    .into_iter()
                    .map(|l| l + first_line - 1)
                    .collect();
                self.value(side, f, first_line, Some(&lines), v);
            }
            Err(e) => {
                let line = first_line + e.line().saturating_sub(1);
                self.shape(
                    f,
                    line,
                    None,
                    format!("the request body is not valid JSON: {}", json_error(&e)),
                );
            }
        }
        Ok(())
    }

    /// A parsed JSON value from a capture: a request body or an event.
    fn value(
        &mut self,
        side: Side,
        f: u32,
        line: usize,
        element_lines: Option<&[usize]>,
        v: Value,
    ) {
        let Value::Object(obj) = v else {
            self.shape(
                f,
                line,
                None,
                format!(
                    "{} found where an event object or a request body belongs",
                    type_name(&v)
                ),
            );
            return;
        };
        if !obj.contains_key("data") {
            self.event(side, f, line, None, &obj);
            return;
        }
        let mut obj = obj;
        if obj.contains_key("test_event_code") && !self.opts.test_capture {
            self.push_issue(
                f,
                line,
                Some("/test_event_code".into()),
                event::test_code_issue("the request body carries a test_event_code"),
            );
        }
        let data = obj.remove("data").unwrap_or(Value::Null);
        let Value::Array(items) = data else {
            self.shape(
                f,
                line,
                Some("/data".into()),
                format!("`data` is {}, not a list of events", type_name(&data)),
            );
            return;
        };
        if items.len() > MAX_EVENTS_PER_REQUEST {
            self.shape(f, line, Some("/data".into()), format!("the request holds {} events; Meta accepts at most {MAX_EVENTS_PER_REQUEST} and rejects the whole request", items.len()));
        }
        if items.is_empty() {
            self.shape(
                f,
                line,
                Some("/data".into()),
                "`data` is an empty list".into(),
            );
        }
        for (i, item) in items.into_iter().enumerate() {
            let at = element_lines
                .and_then(|l| l.get(i))
                .copied()
                .unwrap_or(line);
            let pointer = format!("/data/{i}");
            match item {
                Value::Object(o) => self.event(side, f, at, Some(pointer), &o),
                other => self.shape(
                    f,
                    at,
                    Some(pointer),
                    format!("data/{i} is {}, not an event object", type_name(&other)),
                ),
            }
        }
    }

    /// One event object: the payload rules, the sheet rules, then the dedupe index and orders.
    fn event(
        &mut self,
        side: Side,
        f: u32,
        line: usize,
        pointer: Option<String>,
        obj: &Map<String, Value>,
    ) {
        let c = event::capture(obj);
        let mut issues = Vec::new();
        if c.name.is_none() {
            let at = pointer
                .as_deref()
                .map_or(String::new(), |p| format!(" ({})", &p[1..]));
            issues.push(Issue::new(
                rules::PAYLOAD_SHAPE,
                format!("event{at} has no event_name"),
            ));
        }
        if side == Side::Server {
            let ctx = PayloadContext {
                today: self.opts.today,
                test_capture: self.opts.test_capture,
            };
            issues.extend(event::check_server(obj, &c, &ctx));
        }
        if let Some(sheet) = self.sheet {
            issues.extend(event::check_against_sheet(obj, &c, side, sheet));
        }
        let idx = c.name.as_deref().map(|n| self.intern(n));
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count() as u64;
        for issue in issues {
            self.push_issue(f, line, pointer.clone(), issue);
        }
        let Some(idx) = idx else { return };
        let st = &mut self.stats[idx as usize];
        st.errors += errors;
        match side {
            Side::Browser => st.browser += 1,
            Side::Server => st.server += 1,
        }
        self.index_event(side, f, line, idx, &c);
        if side == Side::Server && c.name.as_deref() == Some("Purchase") && self.orders.is_some() {
            self.match_order(f, line, &c);
        }
    }

    fn index_event(&mut self, side: Side, f: u32, line: usize, idx: u32, c: &Captured) {
        let Some(id) = c.event_id.as_deref() else {
            let st = &mut self.stats[idx as usize];
            match side {
                Side::Browser => st.browser_no_id += 1,
                Side::Server => st.server_no_id += 1,
            }
            return;
        };
        let rec = SideRec {
            count: 1,
            file: f,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            reused: false,
            currency: currency_code(&c.currency),
            time: c.time.unwrap_or(NO_TIME),
            value: c.value.unwrap_or(f64::NAN),
            content: c.content_ids.as_ref().map_or(NONE_HASH, hash_of),
            order: c
                .order_id
                .as_ref()
                .map_or(NONE_HASH, |o| hash_of(o.as_str())),
        };
        let pair = self.index.entry((idx, id.into())).or_insert(Pair {
            browser: SideRec::EMPTY,
            server: SideRec::EMPTY,
        });
        let slot = pair.side(side);
        if !slot.present() {
            *slot = rec;
            let st = &mut self.stats[idx as usize];
            match side {
                Side::Browser => st.browser_ids += 1,
                Side::Server => st.server_ids += 1,
            }
            return;
        }
        slot.count = slot.count.saturating_add(1);
        let other_action = if slot.order != NONE_HASH && rec.order != NONE_HASH {
            slot.order != rec.order
        } else {
            slot.order == NONE_HASH && rec.order == NONE_HASH && slot.time != rec.time
        };
        if other_action && !slot.reused {
            slot.reused = true;
            let (first_file, first_line) = (slot.file, slot.line);
            let st = &mut self.stats[idx as usize];
            st.reused += 1;
            st.errors += 1;
            let name = st.name.clone();
            let what = if rec.order != NONE_HASH {
                "order_id"
            } else {
                "event_time"
            };
            let issue = Issue::new(
                rules::DEDUPE_ID_REUSED,
                format!("{} {name} event_id `{}` is reused by another business action (a different {what} than at {}:{first_line})", side.as_str(), short(id), self.file_name(first_file)),
            )
            .help("one business action gets one event_id; build it from the action's own id (e.g. purchase-{order_id}), never a constant or a session id");
            self.push_issue(f, line, None, issue);
        }
    }

    fn match_order(&mut self, f: u32, line: usize, c: &Captured) {
        let id = c.event_id.as_deref().map_or_else(
            || "without event_id".to_string(),
            |i| format!("`{}`", short(i)),
        );
        let Some(state) = self.orders.as_mut() else {
            return;
        };
        let mut issues = Vec::new();
        let found = c.order_id.as_deref().and_then(|o| state.book.find(o));
        match (found, c.order_id.as_deref()) {
            (None, order) => {
                state.figures.purchases_without_order += 1;
                let msg = match order {
                    Some(o) => format!(
                        "Purchase {id}: order `{}` is not in {}",
                        short(o),
                        state.file
                    ),
                    None => format!("Purchase {id} has no custom_data.order_id to match an order"),
                };
                issues.push(Issue::new(rules::ORDER_RECONCILIATION, msg).help("a Purchase that matches no paid order is counted by Meta but not by the business: check for test orders, double fires or a wrong order_id"));
            }
            (Some(i), _) => {
                state.figures.purchases_matched += 1;
                let order = &state.book.orders[i];
                let hits = &mut state.hits[i];
                hits.purchases += 1;
                let h = match c.event_id.as_deref() {
                    Some(e) => hash_of(e),
                    None => {
                        self.no_id_counter += 1;
                        hash_of(&("\0no-id", self.no_id_counter))
                    }
                };
                if !hits.ids.contains(&h) {
                    hits.ids.push(h);
                }
                let currency_ok = match (&order.currency, &c.currency) {
                    (Some(a), Some(b)) if a != b => {
                        state.figures.currency_mismatches += 1;
                        issues.push(
                            Issue::new(
                                rules::ORDER_RECONCILIATION,
                                format!(
                                    "Purchase {id}: currency {b} differs from order {}'s {a}",
                                    order.id
                                ),
                            )
                            .help(
                                "currency comes from the order system; send the order's currency",
                            ),
                        );
                        false
                    }
                    _ => true,
                };
                if let (true, Some(total), Some(v)) = (currency_ok, order.value, c.value) {
                    let drift = (v - total).abs();
                    if drift > state.figures.max_drift {
                        state.figures.max_drift = drift;
                    }
                    if drift > state.figures.max_value_drift + 1e-9 {
                        state.figures.value_drift += 1;
                        issues.push(Issue::new(rules::ORDER_RECONCILIATION, format!("Purchase {id}: value {v} differs from order {}'s total {total} by {drift:.2}, more than {}", order.id, state.figures.max_value_drift)).help("value comes from the order system: check discounts, tax, shipping and the payment app"));
                    }
                }
                if let (Some(paid), Some(t)) = (order.time, c.time)
                    && t.abs_diff(paid) > MAX_PAID_TIME_OFFSET_SECONDS.unsigned_abs()
                {
                    state.figures.time_offsets += 1;
                    issues.push(Issue::new(rules::ORDER_RECONCILIATION, format!("Purchase {id}: event_time is {} minutes from order {}'s paid time", t.abs_diff(paid) / 60, order.id)).severity(Severity::Warning).help("event_time is the time of the payment, not the time the event was processed or retried"));
                }
            }
        }
        let errors = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .count() as u64;
        if let Some(&i) = self.names.get("Purchase") {
            self.stats[i as usize].errors += errors;
        }
        for issue in issues {
            self.push_issue(f, line, None, issue);
        }
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
        let mut samples: Vec<(BTreeSet<String>, BTreeSet<String>)> =
            vec![Default::default(); rows.len()];
        let index = std::mem::take(&mut self.index);
        let mut parity_issues = Vec::new();
        for ((idx, id), pair) in &index {
            let row = &mut rows[*idx as usize];
            let (b, s) = (&pair.browser, &pair.server);
            match (b.present(), s.present()) {
                (true, true) => {
                    row.pairs += 1;
                    if b.time != NO_TIME
                        && s.time != NO_TIME
                        && b.time.abs_diff(s.time) > DEDUPE_WINDOW_SECONDS.unsigned_abs()
                    {
                        row.outside_window += 1;
                        let hours = b.time.abs_diff(s.time) as f64 / 3600.0;
                        parity_issues.push((*idx, s.file, s.line, Issue::new(rules::DEDUPE_WINDOW, format!("{} `{}`: browser and server event_time differ by {hours:.1} hours, outside Meta's 48-hour dedupe window (browser at {}:{})", row.event, short(id), self.file_name(b.file), b.line)).help("send the server event within 48 hours of the browser event, with the business action's time")));
                    } else {
                        row.deduplicated += 1;
                    }
                    let tol = self.thresholds(&row.event).1;
                    let mut diffs = Vec::new();
                    match (b.value.is_nan(), s.value.is_nan()) {
                        (false, false) if (b.value - s.value).abs() > tol + 1e-9 => {
                            diffs.push(format!("value {} vs {}", b.value, s.value))
                        }
                        (true, false) | (false, true) => {
                            diffs.push("value on one side only".to_string())
                        }
                        _ => {}
                    }
                    if b.currency != s.currency {
                        diffs.push(format!(
                            "currency {} vs {}",
                            code_text(b.currency),
                            code_text(s.currency)
                        ));
                    }
                    if b.content != s.content {
                        diffs.push(if b.content == NONE_HASH || s.content == NONE_HASH {
                            "content_ids on one side only".to_string()
                        } else {
                            "content_ids differ".to_string()
                        });
                    }
                    if !diffs.is_empty() {
                        row.parity_mismatches += 1;
                        parity_issues.push((*idx, s.file, s.line, Issue::new(rules::PARAMETER_PARITY, format!("{} `{}`: browser and server differ: {} (browser at {}:{})", row.event, short(id), diffs.join(", "), self.file_name(b.file), b.line)).help("both paths must read value, currency and content_ids from the same source of truth")));
                    }
                }
                (true, false) => {
                    row.unpaired_browser += 1;
                    keep_sample(&mut samples[*idx as usize].0, id);
                }
                (false, true) => {
                    row.unpaired_server += 1;
                    keep_sample(&mut samples[*idx as usize].1, id);
                }
                (false, false) => {}
            }
        }
        drop(index);
        parity_issues.sort_by(|a, b| (a.1, a.2, &a.3.message).cmp(&(b.1, b.2, &b.3.message)));
        for (idx, file, line, issue) in parity_issues {
            self.stats[idx as usize].errors += 1;
            self.push_issue(file, line as usize, None, issue);
        }
        for (i, row) in rows.iter_mut().enumerate() {
            let st = &self.stats[i];
            row.unpaired_browser += st.browser_no_id;
            row.unpaired_server += st.server_no_id;
            let both_paths = match self.sheet.and_then(|sh| sh.events.get(&row.event)) {
                Some(e) => e.item.browser.is_some() && e.item.server.is_some(),
                None => row.browser > 0 && row.server > 0,
            };
            if !self.browser_given || !both_paths {
                continue;
            }
            let larger = (st.browser_ids + st.browser_no_id).max(st.server_ids + st.server_no_id);
            if larger == 0 {
                continue;
            }
            let rate = row.deduplicated as f64 / larger as f64;
            row.dedupe_rate = Some(rate);
            if rate + 1e-12 < row.min_dedupe_rate {
                let (b, s) = &samples[i];
                let list = |set: &BTreeSet<String>| {
                    set.iter()
                        .map(|x| format!("`{x}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let mut look = Vec::new();
                if !b.is_empty() {
                    look.push(format!("browser only: {}", list(b)));
                }
                if !s.is_empty() {
                    look.push(format!("server only: {}", list(s)));
                }
                let looks = if look.is_empty() {
                    String::new()
                } else {
                    format!("; look at {}", look.join("; "))
                };
                let msg = format!(
                    "{} dedupe rate {rate:.3} is below {} ({} deduplicated pairs of {larger} events on the larger side; {} browser and {} server events unpaired){looks}",
                    row.event,
                    row.min_dedupe_rate,
                    row.deduplicated,
                    row.unpaired_browser,
                    row.unpaired_server
                );
                self.stats[i].errors += 1;
                let issue = Issue::new(rules::DEDUPE_RATE, msg).help("unpaired events are counted twice or not deduplicated: compare the event_id each path builds for one action");
                self.push_sheet_issue(&row.event, "min_dedupe_rate", issue);
            }
        }
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
                    .map(|p| p.value.iter().map(|t| t.value.clone()).collect::<Vec<_>>())
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
                .map_or(String::new(), |i| self.file_name(i).to_string());
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

    fn finish_orders(&mut self) -> Option<OrderFigures> {
        let mut state = self.orders.take()?;
        let file = self
            .files
            .iter()
            .position(|f| *f == state.file)
            .unwrap_or(0) as u32;
        let mut issues = Vec::new();
        for (order, hits) in state.book.orders.iter().zip(&state.hits) {
            if order.unreadable {
                // Its row is already an `orders-row` error; it is matched with nothing.
                state.figures.unreconciled += 1;
            } else if hits.purchases > 0 {
                state.figures.orders_matched += 1;
            } else if order.paid {
                state.figures.orders_without_purchase += 1;
                issues.push((order.line, Issue::new(rules::ORDER_RECONCILIATION, format!("order {} has no Purchase", order_label(order))).help("the server path missed a paid order: check the order's outbox or webhook delivery")));
            }
            if hits.ids.len() > 1 {
                state.figures.duplicate_orders += 1;
                issues.push((order.line, Issue::new(rules::ORDER_RECONCILIATION, format!("order {} was sent as {} Purchases with different event_ids", order_label(order), hits.ids.len())).help("one order is one Purchase: a retry or a second sender must reuse the order's event_id")));
            }
        }
        let errors = issues.len() as u64;
        if let Some(&i) = self.names.get("Purchase") {
            self.stats[i as usize].errors += errors;
        } else if errors > 0 {
            let i = self.intern("Purchase");
            self.stats[i as usize].errors += errors;
        }
        for (line, issue) in issues {
            self.push_issue(file, line, None, issue);
        }
        Some(state.figures)
    }
}

fn order_label(o: &orders::Order) -> String {
    match &o.name {
        Some(n) if *n != o.id => format!("#{n} (id {})", o.id),
        _ => o.id.clone(),
    }
}

fn keep_sample(set: &mut BTreeSet<String>, id: &str) {
    if set.len() < SAMPLES {
        set.insert(short(id));
    } else if let Some(last) = set.iter().next_back().cloned()
        && id < last.as_str()
    {
        set.remove(&last);
        set.insert(short(id));
    }
}

fn code_text(c: [u8; 3]) -> String {
    if c == [0; 3] {
        "none".into()
    } else {
        String::from_utf8_lossy(&c).into_owned()
    }
}

fn short(s: &str) -> String {
    crate::finding::shorten(s, 60)
}

/// serde_json's message without its own " at line L column C" suffix (the finding has it).
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let msg = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    format!("{msg} (column {})", e.column())
}

/// A first line that does not parse but is plainly one event: keep reading it as JSON Lines.
fn looks_like_event_line(text: &[u8]) -> bool {
    let t = text.trim_ascii();
    t.starts_with(b"{")
        && t.len() > 1
        && (contains(t, b"\"event_name\"")
            || contains(t, b"\"event\"")
            || contains(t, b"\"data\"") && t.ends_with(b"}"))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests;
