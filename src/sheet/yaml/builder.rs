//! Events -> tree: reads granit-parser's event stream (the parser inside serde-saphyr) and
//! builds the [`Node`] tree directly, with an explicit stack (no recursion, so no stack to
//! overflow) and the budgets of [`super`]: size, nodes, depth, aliases and what aliases replay.
//! It also owns what YAML leaves to the loader: one document only, duplicate keys as errors,
//! and merge keys (`<<: *defaults`).

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use granit_parser::{ErrorKind, Event, Parser, ScalarStyle, ScanError, Span as GSpan};

use super::scalar::{self, Tag};
use super::{
    MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_REPLAYED_EVENTS, Node, SyntaxError,
    Value, human_bytes,
};
use crate::source::Span;

/// Maps with more entries than this check duplicates through a hash set.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// One collection being built.
enum Frame {
    Seq {
        span: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        span: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Pending>,
        /// The keys seen so far, once the map is too big for a linear scan.
        seen: Option<HashMap<String, Span>>,
        /// `<<` values, with the index in `entries` they were written at.
        merges: Vec<(usize, Node)>,
    },
}

/// A map key waiting for its value.
enum Pending {
    Key(Node),
    /// `<<`: the value is merged into the map.
    Merge,
}

struct Builder<'t> {
    text: &'t str,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    /// Nodes and scalar bytes held by the copies in `anchors`.
    anchored_nodes: usize,
    anchored_bytes: usize,
    root: Option<Node>,
    nodes: usize,
    aliases: usize,
    replayed_nodes: usize,
    replayed_bytes: usize,
}

/// Parse `text` (already checked against [`MAX_FILE_BYTES`]) into a tree.
pub(super) fn build(text: &str) -> Result<Node, SyntaxError> {
    let options = granit_parser::options! {
        strict_indentation: true,
        // Our own depth budget (checked per collection below) fires first; these keep the
        // parser's own bookkeeping bounded too.
        flow_nesting_limit: MAX_DEPTH * 2,
        block_nesting_limit: MAX_DEPTH * 2,
    };
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut b = Builder {
        text,
        stack: Vec::new(),
        anchors: HashMap::new(),
        anchored_nodes: 0,
        anchored_bytes: 0,
        root: None,
        nodes: 0,
        aliases: 0,
        replayed_nodes: 0,
        replayed_bytes: 0,
    };
    let mut documents = 0usize;
    while let Some(next) = parser.next_event() {
        let (event, gspan) = next.map_err(|e| scan_error(text, &e))?;
        let span = b.span(&gspan);
        match event {
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        message: "a sheet is one YAML document; this file holds several (`---`)"
                            .into(),
                        span: Some(span),
                    });
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                b.count_node(span)?;
                let tag = tag.as_deref().map_or(Tag::None, |t| {
                    Tag::from_core(t.core_suffix(), t.handle().is_empty() && t.suffix() == "!")
                });
                let plain = matches!(style, ScalarStyle::Plain);
                let value = scalar::resolve(&value, plain, tag).map_err(|message| SyntaxError {
                    message,
                    span: Some(span),
                })?;
                let merge_key =
                    plain && tag == Tag::None && matches!(&value, Value::Str(s) if s == "<<");
                b.complete(Node { value, span }, anchor, merge_key)?;
            }
            Event::SequenceStart(_, anchor, _) => {
                b.open(span)?;
                b.stack.push(Frame::Seq {
                    span,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(_, anchor, _) => {
                b.open(span)?;
                b.stack.push(Frame::Map {
                    span,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                    seen: None,
                    merges: Vec::new(),
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = b.stack.pop() else {
                    return Err(SyntaxError {
                        message: "unbalanced collection end".into(),
                        span: Some(span),
                    });
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        span,
                        anchor,
                        items,
                    } => (
                        Node {
                            value: Value::Seq(items),
                            span,
                        },
                        anchor,
                    ),
                    Frame::Map {
                        span,
                        anchor,
                        entries,
                        merges,
                        ..
                    } => (
                        Node {
                            value: Value::Map(merge(entries, merges)?),
                            span,
                        },
                        anchor,
                    ),
                };
                b.complete(node, anchor, false)?;
            }
            Event::Alias(id) => {
                let node = b.alias(id, span)?;
                b.complete(node, 0, false)?;
            }
            Event::UnresolvedAlias(name) => {
                return Err(SyntaxError {
                    message: format!("the alias `*{name}` has no anchor `&{name}` before it"),
                    span: Some(span),
                });
            }
            // Stream and document boundaries, and anchor or comment metadata.
            _ => {}
        }
    }
    Ok(b.root.unwrap_or(Node {
        value: Value::Null,
        span: Span::new(0, 0),
    }))
}

impl Builder<'_> {
    fn span(&self, s: &GSpan) -> Span {
        let start = s.start.byte_offset().unwrap_or(0).min(self.text.len());
        let end = s
            .end
            .byte_offset()
            .unwrap_or(start)
            .clamp(start, self.text.len());
        Span::new(start, end - start)
    }

    fn count_node(&mut self, span: Span) -> Result<(), SyntaxError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(SyntaxError {
                message: format!("the YAML has more than {MAX_NODES} nodes"),
                span: Some(span),
            });
        }
        Ok(())
    }

    fn open(&mut self, span: Span) -> Result<(), SyntaxError> {
        self.count_node(span)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(depth_error(span));
        }
        Ok(())
    }

    /// A copy of the anchored node, within the alias budgets.
    fn alias(&mut self, id: usize, span: Span) -> Result<Node, SyntaxError> {
        self.aliases += 1;
        let bomb = || SyntaxError {
            message: format!(
                "aliases expand to more than {MAX_REPLAYED_EVENTS} nodes or {} of text (at most {MAX_ALIASES} aliases): this looks like an alias bomb",
                human_bytes(MAX_FILE_BYTES)
            ),
            span: Some(span),
        };
        if self.aliases > MAX_ALIASES {
            return Err(bomb());
        }
        let Some(target) = self.anchors.get(&id) else {
            return Err(SyntaxError {
                message: "this alias refers to an anchor that is not defined before it".into(),
                span: Some(span),
            });
        };
        let node_room = MAX_REPLAYED_EVENTS - self.replayed_nodes;
        let byte_room = MAX_FILE_BYTES - self.replayed_bytes;
        let (nodes, bytes) = size(target, node_room, byte_room).ok_or_else(bomb)?;
        self.replayed_nodes += nodes;
        self.replayed_bytes += bytes;
        self.nodes += nodes;
        if self.nodes > MAX_NODES {
            return Err(SyntaxError {
                message: format!("the YAML has more than {MAX_NODES} nodes"),
                span: Some(span),
            });
        }
        let mut node = target.clone();
        // The alias is where the reader looks: point there, not at the anchor.
        node.span = span;
        Ok(node)
    }

    /// Keep a copy of an anchored node for its aliases. Copies are budgeted like replays: 64
    /// anchors nested around one large scalar would otherwise copy it 64 times.
    fn remember(&mut self, anchor: usize, node: &Node) -> Result<(), SyntaxError> {
        let too_much = || SyntaxError {
            message: format!(
                "anchors (`&name`) hold more than {MAX_REPLAYED_EVENTS} nodes or {} of text, or there are more than {MAX_ALIASES} of them",
                human_bytes(MAX_FILE_BYTES)
            ),
            span: Some(node.span),
        };
        if self.anchors.len() >= MAX_ALIASES {
            return Err(too_much());
        }
        let (nodes, bytes) = size(
            node,
            MAX_REPLAYED_EVENTS - self.anchored_nodes,
            MAX_FILE_BYTES - self.anchored_bytes,
        )
        .ok_or_else(too_much)?;
        self.anchored_nodes += nodes;
        self.anchored_bytes += bytes;
        self.anchors.insert(anchor, node.clone());
        Ok(())
    }

    /// A node is finished: remember it if anchored, then hand it to its parent.
    fn complete(&mut self, node: Node, anchor: usize, merge_key: bool) -> Result<(), SyntaxError> {
        if anchor != 0 {
            self.remember(anchor, &node)?;
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                seen,
                merges,
                ..
            }) => match key.take() {
                None if merge_key => *key = Some(Pending::Merge),
                None => {
                    check_duplicate(self.text, entries, seen, &node)?;
                    *key = Some(Pending::Key(node));
                }
                Some(Pending::Merge) => merges.push((entries.len(), node)),
                Some(Pending::Key(k)) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// Node count and scalar bytes of a subtree, or `None` when over either limit.
fn size(node: &Node, node_room: usize, byte_room: usize) -> Option<(usize, usize)> {
    let mut nodes = 0usize;
    let mut bytes = 0usize;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        nodes += 1;
        match &n.value {
            Value::Str(s) => bytes += s.len(),
            Value::Seq(items) => todo.extend(items),
            Value::Map(entries) => todo.extend(entries.iter().flat_map(|(k, v)| [k, v])),
            _ => bytes += 8,
        }
        if nodes > node_room || bytes > byte_room {
            return None;
        }
    }
    Some((nodes, bytes))
}

fn check_duplicate(
    text: &str,
    entries: &[(Node, Node)],
    seen: &mut Option<HashMap<String, Span>>,
    key: &Node,
) -> Result<(), SyntaxError> {
    let first = if entries.len() < LINEAR_DUPLICATE_SCAN {
        entries
            .iter()
            .find(|(k, _)| same_key(k, key))
            .map(|(k, _)| k.span)
    } else {
        let id = identity(key);
        let seen = seen
            .get_or_insert_with(|| entries.iter().map(|(k, _)| (identity(k), k.span)).collect());
        match seen.entry(id) {
            Entry::Occupied(e) => Some(*e.get()),
            Entry::Vacant(e) => {
                e.insert(key.span);
                None
            }
        }
    };
    if let Some(first) = first {
        let line = text[..first.start.min(text.len())].matches('\n').count() + 1;
        return Err(SyntaxError {
            message: format!(
                "duplicate mapping key: {} (first written on line {line})",
                key.key_text()
            ),
            span: Some(key.span),
        });
    }
    Ok(())
}

/// [`identity`] without allocating when both keys are strings (nearly every key).
fn same_key(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => identity(a) == identity(b),
    }
}

/// What makes two keys the same key: the text a scalar key is known by (so `1` and `"1"`
/// collide, as they would in the JSON the schema sees), the JSON of a complex one.
fn identity(key: &Node) -> String {
    match key.value {
        Value::Seq(_) | Value::Map(_) => format!("\0{}", key.to_json()),
        _ => key.key_text(),
    }
}

/// Apply merge keys: entries written in the map win over merged ones, and of several merged
/// maps (`<<: [*a, *b]`) the first wins. Merged entries go where `<<` was written.
fn merge(
    entries: Vec<(Node, Node)>,
    merges: Vec<(usize, Node)>,
) -> Result<Vec<(Node, Node)>, SyntaxError> {
    if merges.is_empty() {
        return Ok(entries);
    }
    let mut taken: HashSet<String> = entries.iter().map(|(k, _)| identity(k)).collect();
    let mut out = Vec::with_capacity(entries.len());
    let mut rest = entries.into_iter().enumerate().peekable();
    for (at, source) in merges {
        while let Some((_, entry)) = rest.next_if(|(i, _)| *i < at) {
            out.push(entry);
        }
        let maps: Vec<Node> = match source.value {
            Value::Map(_) => vec![source],
            Value::Seq(items) if items.iter().all(|i| i.as_map().is_some()) => items,
            _ => {
                return Err(SyntaxError {
                    message: "a merge key (`<<`) takes a map or a list of maps".into(),
                    span: Some(source.span),
                });
            }
        };
        for map in maps {
            let Value::Map(merged) = map.value else {
                continue;
            };
            for (k, v) in merged {
                if taken.insert(identity(&k)) {
                    out.push((k, v));
                }
            }
        }
    }
    out.extend(rest.map(|(_, e)| e));
    Ok(out)
}

fn depth_error(span: Span) -> SyntaxError {
    SyntaxError {
        message: format!(
            "the YAML nests deeper than {MAX_DEPTH} levels; a sheet needs about eight"
        ),
        span: Some(span),
    }
}

/// A parser error, at its byte offset, in words a sheet's author can act on.
fn scan_error(text: &str, e: &ScanError) -> SyntaxError {
    let mark = e.marker();
    let offset = mark
        .byte_offset()
        .or_else(|| text.char_indices().nth(mark.index()).map(|(i, _)| i))
        .unwrap_or(text.len())
        .min(text.len());
    let span = Some(Span::new(offset, 0));
    if matches!(e.kind(), ErrorKind::RecursionLimitExceeded) {
        return depth_error(Span::new(offset, 0));
    }
    let info = e.info();
    let message = info
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.');
    SyntaxError {
        message: if message.is_empty() {
            "invalid YAML".into()
        } else {
            message.to_owned()
        },
        span,
    }
}
