//! The YAML step: text -> a tree of [`Node`]s that keeps the byte span of every key and value.
//!
//! The text is parsed once, by granit-parser (the YAML 1.2 parser inside serde-saphyr), and the
//! tree is built straight from its events ([`builder`]), with explicit budgets against alias
//! bombs, deep nesting and oversized documents, YAML 1.2 booleans only (`no`/`off` stay strings,
//! [`scalar`]) and duplicate keys as errors. Most sheets take a faster road to the same tree:
//! [`fast`] parses the YAML sheets are actually written in and declines anything else, which then
//! goes to the builder. This module knows nothing about governance sheets.

mod builder;
mod fast;
mod scalar;

use crate::source::Span;
use compact_str::CompactString;

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

/// One YAML node: a value and where it is in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

/// A YAML value. Maps keep their source order. A string of up to 24 bytes (keys, ids, most
/// values) is held inline, without an allocation of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(CompactString),
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
            Value::Str(s) => s.to_string(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) | Value::Map(_) => "<complex key>".into(),
        }
    }

    /// Whether this key is known by `text` ([`Node::key_text`] without building a string for
    /// string keys).
    pub fn key_is(&self, text: &str) -> bool {
        match &self.value {
            Value::Str(s) => s == text,
            _ => self.key_text() == text,
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
                    let (k, v) = m.iter().find(|(k, _)| k.key_is(&seg))?;
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
            Value::Str(s) => J::String(s.to_string()),
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
    if !segment.contains(['~', '/']) {
        // Most keys: one allocation, not two.
        return segment.to_owned();
    }
    segment.replace('~', "~0").replace('/', "~1")
}

pub fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
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
    match fast::parse(text) {
        Some(node) => Ok(node),
        None => builder::build(text),
    }
}

/// The reference: [`parse`] without the fast path (granit-parser's events), for the tests that
/// compare the two.
#[doc(hidden)]
pub fn parse_reference(text: &str) -> Result<Node, SyntaxError> {
    if text.len() > MAX_FILE_BYTES {
        return parse(text);
    }
    builder::build(text)
}

/// Only the fast path: the tree, or `None` when it declines the text (and [`parse`] would hand
/// it to the reference). It never reports an error of its own.
#[doc(hidden)]
pub fn parse_fast(text: &str) -> Option<Node> {
    if text.len() > MAX_FILE_BYTES {
        return None;
    }
    fast::parse(text)
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
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert!(parse(&deep).is_err());
        let deep_block: String = (0..500).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert!(parse(&deep_block).is_err());
    }

    #[test]
    fn parses_on_many_threads_at_once() {
        // No shared state: callers on several threads each get their own tree.
        let handles: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    let text = format!("k{i}: [{i}, {{deep: [[[{i}]]]}}]\n");
                    (0..20).all(|_| parse(&text).is_ok_and(|n| n.entry(&format!("k{i}")).is_some()))
                })
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap()));
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(parse(&deep).is_err(), "the budget still holds");
        assert!(
            parse("a: 1\n").is_ok(),
            "and parsing goes on after an error"
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

    #[test]
    fn merge_keys_fill_in_what_the_map_does_not_say() {
        let text = "base: &b {owner: ana, pause: [budget]}\nev:\n  <<: *b\n  owner: bea\n";
        let root = parse(text).unwrap();
        let ev = root.get("ev").unwrap();
        let keys: Vec<String> = ev
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.key_text())
            .collect();
        assert_eq!(
            keys,
            ["pause", "owner"],
            "merged where `<<` was, written keys win"
        );
        assert_eq!(ev.get("owner").unwrap().as_str(), Some("bea"));
        let two = parse("a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n").unwrap();
        let c = two.get("c").unwrap();
        assert_eq!(
            c.get("x").unwrap().value,
            Value::Int(1),
            "the first merged map wins"
        );
        assert_eq!(c.get("y").unwrap().value, Value::Int(2));
        let err = parse("a:\n  <<: 3\n").unwrap_err();
        assert!(err.message.contains("merge key"), "{}", err.message);
        assert_eq!(
            parse("a: {\"<<\": 3}\n")
                .unwrap()
                .get("a")
                .unwrap()
                .get("<<")
                .unwrap()
                .value,
            Value::Int(3),
            "a quoted `<<` is an ordinary key"
        );
    }

    #[test]
    fn aliases_point_at_the_alias_and_replay_within_budget() {
        let text = "a: &x hello\nb: *x\n";
        let root = parse(text).unwrap();
        let b = root.get("b").unwrap();
        assert_eq!(b.as_str(), Some("hello"));
        assert_eq!(&text[b.span.start..b.span.end()], "*x");
        // Few aliases, each replaying a large scalar: bounded by bytes, not only by nodes.
        let big = "y".repeat(4 << 20);
        let bomb = format!("a: &a {big}\nb: [*a, *a, *a, *a, *a]\n");
        let err = parse(&bomb).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
        let many: String = std::iter::once("a: &a x\nb: [".to_owned())
            .chain((0..=MAX_ALIASES).map(|_| "*a, ".to_owned()))
            .chain(std::iter::once("x]\n".to_owned()))
            .collect();
        assert!(parse(&many).unwrap_err().message.contains("alias"));
        let err = parse("a: *nowhere\n").unwrap_err();
        assert!(err.span.is_some(), "{err:?}");
    }

    #[test]
    fn anchors_are_budgeted_too() {
        // Nested anchors around one large scalar: each would keep its own copy of it.
        let big = "y".repeat(6 << 20);
        let mut text = String::new();
        for i in 0..8 {
            text.push_str(&format!("{}k{i}: &a{i}\n", "  ".repeat(i)));
        }
        text.push_str(&format!("{}leaf: {big}\n", "  ".repeat(8)));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("anchors"), "{}", err.message);
        let many: String = (0..=MAX_ALIASES)
            .map(|i| format!("k{i}: &a{i} v\n"))
            .collect();
        assert!(parse(&many).unwrap_err().message.contains("anchors"));
        // An anchor on a large part of a sheet, used once, is fine.
        let events: String = (0..2000)
            .map(|i| format!("  e{i}: {{owner: o}}\n"))
            .collect();
        assert!(parse(&format!("events: &ev\n{events}copy: *ev\n")).is_ok());
    }

    #[test]
    fn duplicates_are_found_in_big_maps_too() {
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k42: again\n");
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.contains("k42 (first written on line 43)"),
            "{}",
            err.message
        );
        assert_eq!(err.span.unwrap().start, text.rfind("k42").unwrap());
        let err = parse("1: a\n\"1\": b\n").unwrap_err();
        assert!(
            err.message.contains("duplicate"),
            "1 and \"1\" are one key in JSON"
        );
    }

    #[test]
    fn one_document_only_and_tags_obeyed() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(err.message.contains("several"), "{}", err.message);
        assert_eq!(err.span.unwrap().start, 5);
        assert!(parse("---\na: 1\n...\n").is_ok());
        let root = parse("a: !!str 12\nb: ! 12\nc: !!int \"7\"\nd: !custom 5\n").unwrap();
        assert_eq!(root.get("a").unwrap().as_str(), Some("12"));
        assert_eq!(root.get("b").unwrap().as_str(), Some("12"));
        assert_eq!(root.get("c").unwrap().value, Value::Int(7));
        assert_eq!(root.get("d").unwrap().value, Value::Int(5));
        let err = parse("a: !!int twelve\n").unwrap_err();
        assert_eq!(
            err.span.unwrap().start,
            9,
            "the value, not its tag: {err:?}"
        );
    }
}
