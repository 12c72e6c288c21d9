//! The YAML step: text -> a tree of [`Node`]s that keeps the byte span of every key and value.
//!
//! Parsing is done once, by serde-saphyr, with explicit budgets against alias bombs, deep
//! nesting and oversized documents, YAML 1.2 booleans only (`no`/`off` stay strings) and
//! duplicate keys as errors. This module knows nothing about governance sheets.

use std::fmt;
use std::sync::{Mutex, PoisonError, mpsc};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

use super::source::Span;

/// The largest sheet (or record file) govsheet reads, in bytes.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// The most YAML nodes (scalars, sequences, mappings) one file may hold.
pub const MAX_NODES: usize = 2_000_000;
/// The deepest nesting of sequences and mappings accepted. A sheet needs about eight.
pub const MAX_DEPTH: usize = 64;
/// The most alias (`*name`) uses one file may hold.
pub const MAX_ALIASES: usize = 1_000;
/// The most events an alias may replay in one file (the billion-laughs guard).
pub const MAX_REPLAYED_EVENTS: usize = 100_000;

/// Stack of the parsing thread.
const PARSE_STACK_BYTES: usize = 64 * 1024 * 1024;

/// One YAML node: a value and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A YAML value. Maps keep their source order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Why the text is not a YAML document govsheet can use.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    /// Where the problem is, when the parser knows.
    pub span: Option<Span>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The entry of a map under a string key.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The text a key is known by: strings as they are, other scalars as YAML spells them.
    pub fn key_text(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) | Value::Map(_) => "<complex key>".into(),
        }
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// Walk a JSON pointer (`/events/Purchase/owner`). Returns the key node and the value node
    /// of the last step (the key is `None` for list items and the root).
    pub fn walk(&self, pointer: &str) -> Option<(Option<&Node>, &Node)> {
        let mut key = None;
        let mut node = self;
        if pointer.is_empty() {
            return Some((None, node));
        }
        for raw in pointer.strip_prefix('/')?.split('/') {
            let seg = unescape_pointer(raw);
            match &node.value {
                Value::Map(m) => {
                    let (k, v) = m.iter().find(|(k, _)| k.key_text() == seg)?;
                    key = Some(k);
                    node = v;
                }
                Value::Seq(s) => {
                    node = s.get(seg.parse::<usize>().ok()?)?;
                    key = None;
                }
                _ => return None,
            }
        }
        Some((key, node))
    }

    /// Convert to JSON (keys become strings) for the JSON Schema step.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::Seq(s) => J::Array(s.iter().map(Node::to_json).collect()),
            // A key with no value (`owner:`) counts as absent: whether it must be there is the
            // policies' question, not a type error.
            Value::Map(m) => J::Object(
                m.iter()
                    .filter(|(_, v)| !v.is_null())
                    .map(|(k, v)| (k.key_text(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Escape one JSON pointer segment (`~` -> `~0`, `/` -> `~1`).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

pub fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn options() -> Options {
    let mut budget = Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_events = MAX_NODES * 3;
    budget.max_aliases = MAX_ALIASES;
    budget.max_anchors = MAX_ALIASES;
    budget.max_documents = 1;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    budget.max_recorded_anchor_events = MAX_REPLAYED_EVENTS;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.strict_booleans = true;
    // YAML 1.2: continuation lines of flow collections and quoted scalars must be indented
    // more than their block (yaml-test-suite 9C9N, QB6E, DK95).
    options.strict_indentation = true;
    options.duplicate_keys = DuplicateKeyPolicy::Error;
    options.alias_limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    options
}

/// Parse YAML text into a [`Node`] tree. An empty document (or one holding only comments)
/// is a `Null` node at the start of the file.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(SyntaxError {
            message: format!(
                "the file is {}; the limit is {}",
                human_bytes(text.len()),
                human_bytes(MAX_FILE_BYTES)
            ),
            span: None,
        });
    }
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Node {
            value: Value::Null,
            span: Span::new(0, 0),
        });
    }
    // Deserializing recurses once per nesting level, and debug builds use large frames: parse
    // on a thread whose stack fits MAX_DEPTH levels whatever thread the caller is on.
    let Some(parsed) = parse_on_worker(text) else {
        return Err(SyntaxError {
            message: "the YAML parser could not run (out of memory or threads)".into(),
            span: None,
        });
    };
    parsed.map_err(|e| {
        let span = e.location().and_then(|l| {
            let s = l.span();
            s.byte_offset()
                .map(|o| Span::new(o as usize, s.byte_len().unwrap_or(0) as usize))
        });
        let raw = e.without_snippet().to_string();
        let span = span.or_else(|| {
            line_col_in(&raw)
                .and_then(|(l, c)| offset_of(text, l, c))
                .map(|o| Span::new(o, 0))
        });
        SyntaxError {
            message: clean_message(&raw),
            span,
        }
    })
}

type ParseResult = Result<Node, serde_saphyr::Error>;

/// Run serde-saphyr on the one parse thread of the process (started on first use, with a
/// stack of `PARSE_STACK_BYTES`). A thread per file cost about 0.25 ms of system time each,
/// seconds for a `records_dir` of 10,000 files. `None` when the thread cannot be started or
/// died while parsing (the caller reports that the parser could not run, never a pass).
fn parse_on_worker(text: &str) -> Option<ParseResult> {
    type Job = (String, mpsc::Sender<ParseResult>);
    static WORKER: Mutex<Option<mpsc::Sender<Job>>> = Mutex::new(None);
    let mut worker = WORKER.lock().unwrap_or_else(PoisonError::into_inner);
    if worker.is_none() {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("yaml-parse".into())
            .stack_size(PARSE_STACK_BYTES)
            .spawn(move || {
                for (text, reply) in rx {
                    let _ = reply.send(serde_saphyr::from_str_with_options::<Node>(
                        &text,
                        options(),
                    ));
                }
            })
            .ok()?;
        *worker = Some(tx);
    }
    let (reply_tx, reply_rx) = mpsc::channel();
    let sent = worker
        .as_ref()
        .is_some_and(|tx| tx.send((text.to_owned(), reply_tx)).is_ok());
    let result = if sent { reply_rx.recv().ok() } else { None };
    if result.is_none() {
        // The thread is gone (it panicked): start a new one next time.
        *worker = None;
    }
    result
}

/// "... at line 3, column 7" -> (3, 7)
fn line_col_in(message: &str) -> Option<(usize, usize)> {
    let idx = message.find("line ")?;
    let rest = &message[idx + 5..];
    let line: usize = rest
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let cidx = rest.find("column ")?;
    let col: usize = rest[cidx + 7..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some((line, col))
}

fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2).map(|(i, _)| i + 1)?
    };
    let line_text = text[start..].split('\n').next().unwrap_or("");
    Some(
        start
            + line_text
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(line_text.len(), |(i, _)| i),
    )
}

/// serde-saphyr prefixes messages with "error: line L column C: "; the finding carries the
/// location itself, so keep only the message.
fn clean_message(raw: &str) -> String {
    let first = raw.lines().next().unwrap_or(raw).trim();
    let mut msg = first.strip_prefix("error:").unwrap_or(first).trim();
    if let Some(rest) = msg.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx].contains("column")
    {
        msg = &rest[idx + 2..];
    }
    let mut msg = msg
        .trim_end_matches('.')
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    // Advice about the library's options is for govsheet's authors, not for a sheet's.
    if let Some(i) = msg.find(". If you just use !!binary") {
        msg.truncate(i);
    }
    if let Some(i) = msg.find(" at line ") {
        msg.truncate(i);
    }
    if msg.contains("budget breached") || msg.contains("recursion limit") {
        msg = if msg.contains("Depth") || msg.contains("recursion") || msg.contains("nesting") {
            format!("the YAML nests deeper than {MAX_DEPTH} levels; a sheet needs about eight")
        } else if msg.contains("Alias") || msg.contains("Anchor") || msg.contains("Replay") {
            format!(
                "aliases expand to more than {MAX_REPLAYED_EVENTS} nodes (at most {MAX_ALIASES} aliases): this looks like an alias bomb"
            )
        } else if msg.contains("Nodes") || msg.contains("Events") {
            format!("the YAML has more than {MAX_NODES} nodes")
        } else if msg.contains("Scalar") {
            format!(
                "the YAML holds more than {} of text",
                human_bytes(MAX_FILE_BYTES)
            )
        } else if msg.contains("Documents") {
            "a sheet is one YAML document; this file holds several (`---`)".to_string()
        } else {
            msg
        };
    }
    if msg.is_empty() {
        "invalid YAML".to_string()
    } else {
        msg
    }
}

pub fn human_bytes(n: usize) -> String {
    const MB: usize = 1024 * 1024;
    if n >= MB {
        format!("{:.1} MiB", n as f64 / MB as f64)
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned: serde_saphyr::Spanned<Value> = serde_saphyr::Spanned::deserialize(d)?;
        let s = spanned.referenced.span();
        let span = match s.byte_offset() {
            Some(o) => Span::new(o as usize, s.byte_len().unwrap_or(0) as usize),
            None => Span::new(0, 0),
        };
        Ok(Node {
            value: spanned.value,
            span,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
        while let Some(n) = a.next_element::<Node>()? {
            items.push(n);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
        while let Some(entry) = a.next_entry::<Node, Node>()? {
            entries.push(entry);
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_spans_of_keys_and_values() {
        let text = "a: 1\nbb:\n  - x\n  - no\n";
        let root = parse(text).unwrap();
        let (k, v) = root.entry("bb").unwrap();
        assert_eq!(&text[k.span.start..k.span.end()], "bb");
        let items = v.as_seq().unwrap();
        assert_eq!(
            items[1].as_str(),
            Some("no"),
            "strict booleans keep `no` a string"
        );
        assert_eq!(&text[items[1].span.start..items[1].span.end()], "no");
    }

    #[test]
    fn duplicate_key_points_at_the_duplicate() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.span.unwrap().start, 10);
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }

    #[test]
    fn budgets_stop_bombs_and_depth() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            bomb.push_str(&format!("{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert!(parse(&bomb).is_err());
        let deep = "[".repeat(200_000) + &"]".repeat(200_000);
        assert!(parse(&deep).is_err());
        let deep_block: String = (0..500).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(parse(&deep_block).is_err());
    }

    #[test]
    fn one_parse_thread_serves_many_callers() {
        // The parse thread is shared: callers on several threads each get their own tree.
        let handles: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    let text = format!("k{i}: [{i}, {{deep: [[[{i}]]]}}]\n");
                    (0..20).all(|_| parse(&text).is_ok_and(|n| n.entry(&format!("k{i}")).is_some()))
                })
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap()));
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(
            parse(&deep).is_err(),
            "the budget still holds on the shared thread"
        );
        assert!(
            parse("a: 1\n").is_ok(),
            "and the thread still serves after an error"
        );
    }

    #[test]
    fn empty_and_comment_only_files_are_null() {
        assert!(parse("").unwrap().is_null());
        assert!(parse("# nothing\n\n").unwrap().is_null());
    }

    #[test]
    fn pointers_walk_maps_and_lists() {
        let root = parse("events:\n  a/b:\n    x: [1, 2]\n").unwrap();
        let (_, n) = root.walk("/events/a~1b/x/1").unwrap();
        assert_eq!(n.value, Value::Int(2));
        assert!(root.walk("/events/nope").is_none());
    }
}
