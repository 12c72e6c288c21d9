//! The fast path: a hand-written parser for the YAML sheets are actually written in (block
//! maps and lists, plain and quoted scalars on one line, comments, flow collections on one line,
//! `|` and `>` block scalars) that builds the same [`Node`] tree, spans included, as
//! [`super::builder`] does from granit-parser's events. It never reports an error: anything it
//! does not handle exactly, including every error it could find, makes it decline (`None`), and
//! the whole document goes to the reference builder. Declining never leaves a partial tree.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use super::scalar::{self, Tag};
use super::{MAX_DEPTH, MAX_NODES, Node, Value};
use crate::source::Span;

/// The fast path does not handle this text: hand it to the reference builder.
struct Decline;

type R<T> = Result<T, Decline>;

/// The most bytes from the start of a key to its `:`; YAML caps implicit keys at 1024
/// characters, and granit-parser refuses a longer one.
const MAX_KEY_BYTES: usize = 1000;

/// A line holding content (not blank, not only a comment).
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
}

impl Line {
    fn content(self) -> usize {
        self.start + self.indent
    }
}

struct Parser<'t> {
    text: &'t str,
    s: &'t [u8],
    /// The next content line not yet consumed; `None` at the end of the text.
    line: Option<Line>,
    nodes: usize,
    depth: usize,
    /// The entries of the maps and the items of the lists being parsed, innermost last: a
    /// collection's children gather here and move into a `Vec` of their exact size when it
    /// closes (one allocation each, no regrowing).
    pairs: Vec<(Node, Node)>,
    items: Vec<Node>,
}

/// Parse `text` (already checked against the size limit), or `None` to decline.
pub(super) fn parse(text: &str) -> Option<Node> {
    if !plain_text(text.as_bytes()) {
        return None;
    }
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        line: None,
        nodes: 0,
        depth: 0,
        pairs: Vec::new(),
        items: Vec::new(),
    };
    p.document().ok()
}

/// No tab, carriage return, control character, byte order mark, line or paragraph separator,
/// next-line or other C1 character, or non-character: the fast path leaves those to the
/// reference (they change how YAML reads a line, or are errors).
fn plain_text(s: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while i < s.len() {
        // Eight bytes at a time while they are all printable ASCII other than DEL (a line
        // break ends the run: it is handled byte by byte below).
        while let Some(chunk) = s.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            let low = x.wrapping_sub(ONES * 0x20) & !x;
            let del = (x ^ (ONES * 0x7f)).wrapping_sub(ONES) & !(x ^ (ONES * 0x7f));
            if (low | del | x) & HIGH != 0 {
                break;
            }
            i += 8;
        }
        let Some(&b) = s.get(i) else {
            break;
        };
        if (0x20..0x7f).contains(&b) {
            i += 1;
            continue;
        }
        match b {
            b'\n' => i += 1,
            0xC2 if s.get(i + 1).is_some_and(|&c| c < 0xA0) => return false,
            0xE2 if s.get(i + 1) == Some(&0x80) && matches!(s.get(i + 2), Some(0xA8 | 0xA9)) => {
                return false;
            }
            0xEF if s.get(i + 1) == Some(&0xBB) && s.get(i + 2) == Some(&0xBF) => return false,
            0xEF if s.get(i + 1) == Some(&0xBF) && matches!(s.get(i + 2), Some(0xBE | 0xBF)) => {
                return false;
            }
            0x80.. => i += 1,
            _ => return false,
        }
    }
    true
}

/// Maps with more entries than this find duplicate keys through a hash set.
const LINEAR_DUPLICATE_SCAN: usize = 16;

/// The keys of one map so far, to decline a duplicate key (the reference reports it). Keys are
/// the same as the builder's duplicate check says: by the text a scalar key is known by, so `1`
/// and `"1"` collide. Large maps keep a hash of each key (`SipHash` with per-process random keys,
/// so a sheet cannot be written to collide); a hash seen before is confirmed by comparing keys.
#[derive(Default)]
struct Keys {
    hashes: Option<(RandomState, HashSet<u64>)>,
}

impl Keys {
    fn add(&mut self, entries: &[(Node, Node)], key: &Node) -> R<()> {
        let duplicate = || entries.iter().any(|(k, _)| same_key(k, key));
        if entries.len() < LINEAR_DUPLICATE_SCAN {
            return if duplicate() { Err(Decline) } else { Ok(()) };
        }
        let (state, hashes) = self.hashes.get_or_insert_with(|| {
            let state = RandomState::new();
            let hashes = entries.iter().map(|(k, _)| key_hash(&state, k)).collect();
            (state, hashes)
        });
        if !hashes.insert(key_hash(state, key)) && duplicate() {
            return Err(Decline);
        }
        Ok(())
    }
}

fn same_key(a: &Node, b: &Node) -> bool {
    match (&a.value, &b.value) {
        (Value::Str(x), Value::Str(y)) => x == y,
        _ => a.key_text() == b.key_text(),
    }
}

/// A hash of the text a scalar key is known by.
fn key_hash(state: &RandomState, key: &Node) -> u64 {
    match &key.value {
        Value::Str(s) => state.hash_one(s.as_str()),
        _ => state.hash_one(key.key_text().as_str()),
    }
}

/// Where a plain scalar stops on its line (see `Parser::plain_stop`).
enum Stop {
    /// The line break (or the end of the text).
    Eol(usize),
    /// The `:` of a `key: value`.
    Colon(usize),
    /// The space before a ` #` comment.
    Comment(usize),
}

fn is_ws_or_end(s: &[u8], i: usize) -> bool {
    matches!(s.get(i), None | Some(b' ' | b'\n'))
}

impl Parser<'_> {
    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while self.at(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// The index of the line break ending the line that holds `i`, or the length of the text.
    fn eol(&self, i: usize) -> usize {
        let i = i.min(self.s.len());
        memchr::memchr(b'\n', &self.s[i..]).map_or(self.s.len(), |p| i + p)
    }

    /// Where a plain scalar that starts at `from` stops on its line: at the first `:` followed
    /// by a space, a line break or the end, at the space of the first ` #`, or at the end of
    /// the line; exactly what stepping a byte at a time from `from` finds, with memchr
    /// jumping between the bytes that can stop it.
    fn plain_stop(&self, from: usize) -> Stop {
        let s = self.s;
        let mut k = from;
        loop {
            let Some(j) = memchr::memchr3(b'\n', b':', b'#', &s[k.min(s.len())..]).map(|o| k + o)
            else {
                return Stop::Eol(s.len());
            };
            match s[j] {
                b'\n' => return Stop::Eol(j),
                b':' if is_ws_or_end(s, j + 1) => return Stop::Colon(j),
                b'#' if j > from && s[j - 1] == b' ' => return Stop::Comment(j - 1),
                _ => k = j + 1,
            }
        }
    }

    /// When nothing but spaces and a comment follow `i` on its line: where the line ends.
    fn blank_rest(&self, i: usize) -> Option<usize> {
        let p = self.skip_spaces(i);
        match self.at(p) {
            None | Some(b'\n') => Some(p),
            Some(b'#') if p > 0 && matches!(self.s[p - 1], b' ' | b'\n') => Some(self.eol(p)),
            _ => None,
        }
    }

    fn end_of_line(&self, i: usize) -> R<usize> {
        self.blank_rest(i).ok_or(Decline)
    }

    /// A `-` list entry indicator at `i`.
    fn is_dash(&self, i: usize) -> bool {
        self.at(i) == Some(b'-') && is_ws_or_end(self.s, i + 1)
    }

    /// Move to the first content line after the line break at `eol` (or the end).
    fn advance(&mut self, eol: usize) -> R<()> {
        let s = self.s;
        let mut i = eol;
        loop {
            if i >= s.len() {
                self.line = None;
                return Ok(());
            }
            let start = i + 1;
            let content = self.skip_spaces(start);
            match s.get(content) {
                None => {
                    self.line = None;
                    return Ok(());
                }
                Some(b'\n') => i = content,
                Some(b'#') => i = self.eol(content),
                Some(_) => {
                    if content == start && self.marker(start) {
                        return Err(Decline);
                    }
                    self.line = Some(Line {
                        start,
                        indent: content - start,
                    });
                    return Ok(());
                }
            }
        }
    }

    /// `---` or `...` at `i`, the start of a line.
    fn marker(&self, i: usize) -> bool {
        let rest = &self.s[i..];
        (rest.starts_with(b"---") || rest.starts_with(b"...")) && is_ws_or_end(self.s, i + 3)
    }

    fn count(&mut self) -> R<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Decline);
        }
        Ok(())
    }

    fn open(&mut self) -> R<()> {
        self.count()?;
        self.depth += 1;
        if self.depth >= MAX_DEPTH {
            return Err(Decline);
        }
        Ok(())
    }

    fn document(&mut self) -> R<Node> {
        // The first content line: `advance` from a virtual line break before the text.
        let first = self.skip_spaces(0);
        match self.at(first) {
            None => self.line = None,
            Some(b'\n' | b'#') => self.advance(self.eol(first))?,
            Some(_) => {
                self.line = Some(Line {
                    start: 0,
                    indent: first,
                });
            }
        }
        let Some(line) = self.line else {
            return Ok(Node {
                value: Value::Null,
                span: Span::new(0, 0),
            });
        };
        if line.indent == 0
            && self.s[line.start..].starts_with(b"---")
            && is_ws_or_end(self.s, line.start + 3)
        {
            let eol = self.end_of_line(line.start + 3)?;
            self.advance(eol)?;
            if self.line.is_none() {
                return Err(Decline);
            }
        } else if line.indent == 0 && self.marker(line.start) {
            return Err(Decline);
        }
        let root = self.block_node()?;
        if self.line.is_some() {
            return Err(Decline);
        }
        Ok(root)
    }

    /// A block list or map starting at the current line.
    fn block_node(&mut self) -> R<Node> {
        let line = self.line.ok_or(Decline)?;
        if self.is_dash(line.content()) {
            self.seq(line.indent, false)
        } else {
            self.map(line.indent, line.content())
        }
    }

    /// A block list at indentation `k`; the current line is its first entry. `indentless`:
    /// the value of a map key written at the key's own indentation.
    fn seq(&mut self, k: usize, indentless: bool) -> R<Node> {
        self.open()?;
        let first = self.line.ok_or(Decline)?;
        let dash = first.content();
        let start = if indentless {
            let p = self.skip_spaces(dash + 1);
            self.blank_rest(p).unwrap_or(p)
        } else {
            dash
        };
        let base = self.items.len();
        loop {
            let line = self.line.ok_or(Decline)?;
            let dash = line.content();
            let p = self.skip_spaces(dash + 1);
            let item = if let Some(eol) = self.blank_rest(p) {
                self.advance(eol)?;
                match self.line {
                    Some(next) if next.indent > k => self.block_node()?,
                    _ => {
                        self.count()?;
                        Node {
                            value: Value::Null,
                            span: Span::new(eol, 0),
                        }
                    }
                }
            } else {
                if self.is_dash(p) {
                    return Err(Decline);
                }
                self.inline(k, p, Some(line.start))?
            };
            self.items.push(item);
            match self.line {
                Some(next) if next.indent == k && self.is_dash(next.content()) => {}
                Some(next) if next.indent > k => return Err(Decline),
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(Node {
            value: Value::Seq(self.items.drain(base..).collect()),
            span: Span::new(start, 0),
        })
    }

    /// A block map at indentation `k` whose first key is at `first` (the start of the current
    /// line's content, or inside a list entry's line for `- key: value`).
    fn map(&mut self, k: usize, first: usize) -> R<Node> {
        self.open()?;
        let base = self.pairs.len();
        let mut seen = Keys::default();
        let mut at = first;
        loop {
            let (key, colon) = self.key(at)?;
            seen.add(&self.pairs[base..], &key)?;
            let p = self.skip_spaces(colon + 1);
            let value = if let Some(eol) = self.blank_rest(p) {
                self.advance(eol)?;
                match self.line {
                    Some(next) if next.indent > k => self.block_node()?,
                    Some(next) if next.indent == k && self.is_dash(next.content()) => {
                        self.seq(k, true)?
                    }
                    _ => {
                        self.count()?;
                        Node {
                            value: Value::Null,
                            span: Span::new(colon, 0),
                        }
                    }
                }
            } else {
                self.inline(k, p, None)?
            };
            self.pairs.push((key, value));
            match self.line {
                Some(next) if next.indent == k => at = next.content(),
                Some(next) if next.indent > k => return Err(Decline),
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(Node {
            value: Value::Map(self.pairs.drain(base..).collect()),
            span: Span::new(first, 0),
        })
    }

    /// A block map key at `at`: the key node and the position of its `:`.
    fn key(&mut self, at: usize) -> R<(Node, usize)> {
        let (node, end) = match self.at(at).ok_or(Decline)? {
            b'"' | b'\'' => self.quoted(at)?,
            _ => {
                self.plain_start(at)?;
                let Stop::Colon(i) = self.plain_stop(at) else {
                    return Err(Decline);
                };
                let raw = self.text[at..i].trim_end_matches(' ');
                if raw == "<<" {
                    return Err(Decline);
                }
                (self.plain(at, raw.len())?, at + raw.len())
            }
        };
        let colon = self.skip_spaces(end);
        if self.at(colon) != Some(b':')
            || !is_ws_or_end(self.s, colon + 1)
            || colon - at > MAX_KEY_BYTES
        {
            return Err(Decline);
        }
        Ok((node, colon))
    }

    /// A node written on the rest of a line, from `p` (not blank): flow collection, quoted,
    /// block or plain scalar, or (in a list entry, `entry` is the line's start) a compact map.
    /// `n` is the indentation of the collection holding it. Leaves `line` after it.
    fn inline(&mut self, n: usize, p: usize, entry: Option<usize>) -> R<Node> {
        match self.at(p).ok_or(Decline)? {
            b'[' | b'{' => {
                let (node, end) = self.flow(p)?;
                let eol = self.end_of_line(end)?;
                self.advance(eol)?;
                Ok(node)
            }
            b'"' | b'\'' => {
                let (node, end) = self.quoted(p)?;
                if let Some(line_start) = entry {
                    let q = self.skip_spaces(end);
                    if self.at(q) == Some(b':') && is_ws_or_end(self.s, q + 1) {
                        return self.map(p - line_start, p);
                    }
                }
                let eol = self.end_of_line(end)?;
                self.advance(eol)?;
                Ok(node)
            }
            b'|' | b'>' => self.block_scalar(n, p),
            _ => {
                self.plain_start(p)?;
                let (i, comment) = match self.plain_stop(p) {
                    Stop::Eol(i) => (i, false),
                    Stop::Comment(i) => (i, true),
                    Stop::Colon(_) => {
                        return match entry {
                            Some(line_start) => self.map(p - line_start, p),
                            None => Err(Decline),
                        };
                    }
                };
                let raw = self.text[p..i].trim_end_matches(' ');
                let node = self.plain(p, raw.len())?;
                let eol = if comment { self.eol(i) } else { i };
                self.advance(eol)?;
                Ok(node)
            }
        }
    }

    /// Whether a plain scalar may start at `i` as far as the fast path is concerned.
    fn plain_start(&self, i: usize) -> R<()> {
        match self.at(i).ok_or(Decline)? {
            b'-' => match self.at(i + 1) {
                Some(c) if c.is_ascii_alphanumeric() || c == b'.' => Ok(()),
                _ => Err(Decline),
            },
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' => Err(Decline),
            _ => Ok(()),
        }
    }

    /// The plain scalar of `len` bytes at `at`, resolved by the core schema.
    fn plain(&mut self, at: usize, len: usize) -> R<Node> {
        self.count()?;
        let value =
            scalar::resolve(&self.text[at..at + len], true, Tag::None).map_err(|_| Decline)?;
        Ok(Node {
            value,
            span: Span::new(at, len),
        })
    }

    /// A single or double-quoted scalar on one line at `at`: the node and the end of its
    /// closing quote.
    fn quoted(&mut self, at: usize) -> R<(Node, usize)> {
        self.count()?;
        let s = self.s;
        let quote = s[at];
        let mut out = String::new();
        let mut i = at + 1;
        let mut run = i;
        let end = loop {
            match s.get(i).copied() {
                None | Some(b'\n') => return Err(Decline),
                Some(b'\'') if quote == b'\'' => {
                    out.push_str(&self.text[run..i]);
                    if s.get(i + 1) == Some(&b'\'') {
                        out.push('\'');
                        i += 2;
                        run = i;
                    } else {
                        break i + 1;
                    }
                }
                Some(b'"') if quote == b'"' => {
                    out.push_str(&self.text[run..i]);
                    break i + 1;
                }
                Some(b'\\') if quote == b'"' => {
                    out.push_str(&self.text[run..i]);
                    let (c, len) = self.escape(i + 1)?;
                    out.push(c);
                    i += 1 + len;
                    run = i;
                }
                Some(_) => i += 1,
            }
        };
        Ok((
            Node {
                value: Value::Str(out.into()),
                span: Span::new(at, end - at),
            },
            end,
        ))
    }

    /// The escape after a `\` at `i`: the character and how many bytes it took.
    fn escape(&self, i: usize) -> R<(char, usize)> {
        let c = match self.at(i).ok_or(Decline)? {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex(i + 1, 2),
            b'u' => return self.hex(i + 1, 4),
            b'U' => return self.hex(i + 1, 8),
            _ => return Err(Decline),
        };
        Ok((c, 1))
    }

    fn hex(&self, i: usize, digits: usize) -> R<(char, usize)> {
        let h = self.s.get(i..i + digits).ok_or(Decline)?;
        if !h.iter().all(u8::is_ascii_hexdigit) {
            return Err(Decline);
        }
        let code = u32::from_str_radix(std::str::from_utf8(h).map_err(|_| Decline)?, 16)
            .map_err(|_| Decline)?;
        let c = char::from_u32(code).ok_or(Decline)?;
        Ok((c, 1 + digits))
    }

    /// A flow list or map that closes on its own line: the node and the end of its bracket.
    fn flow(&mut self, at: usize) -> R<(Node, usize)> {
        self.open()?;
        let close = if self.s[at] == b'[' { b']' } else { b'}' };
        let (items, pairs) = (self.items.len(), self.pairs.len());
        let mut seen = Keys::default();
        let mut i = self.skip_spaces(at + 1);
        let end = if self.at(i) == Some(close) {
            i + 1
        } else {
            loop {
                if close == b']' {
                    let (item, end) = self.flow_node(i)?;
                    self.items.push(item);
                    i = end;
                } else {
                    if matches!(self.at(i), Some(b'[' | b'{')) {
                        return Err(Decline);
                    }
                    let (key, end) = self.flow_node(i)?;
                    let plain = !matches!(self.s[i], b'"' | b'\'');
                    if self.at(end) != Some(b':')
                        || self.at(end + 1) != Some(b' ')
                        || end - i > MAX_KEY_BYTES
                        || (plain && key.as_str() == Some("<<"))
                    {
                        return Err(Decline);
                    }
                    seen.add(&self.pairs[pairs..], &key)?;
                    let v = self.skip_spaces(end + 1);
                    let (value, end) = self.flow_node(v)?;
                    self.pairs.push((key, value));
                    i = end;
                }
                let j = self.skip_spaces(i);
                match self.at(j) {
                    Some(b',') => {
                        i = self.skip_spaces(j + 1);
                        if self.at(i) == Some(close) {
                            return Err(Decline);
                        }
                    }
                    Some(c) if c == close => break j + 1,
                    _ => return Err(Decline),
                }
            }
        };
        self.depth -= 1;
        let value = if close == b']' {
            Value::Seq(self.items.drain(items..).collect())
        } else {
            Value::Map(self.pairs.drain(pairs..).collect())
        };
        Ok((
            Node {
                value,
                span: Span::new(at, 1),
            },
            end,
        ))
    }

    /// One node inside a flow collection at `i`: the node and where it ends (after a plain
    /// scalar's last character, so a `:` separator directly follows a key).
    fn flow_node(&mut self, i: usize) -> R<(Node, usize)> {
        match self.at(i).ok_or(Decline)? {
            b'[' | b'{' => self.flow(i),
            b'"' | b'\'' => {
                let (node, end) = self.quoted(i)?;
                // `"a":b` and `"a" :b` read differently in flow: keep `": "` only.
                let j = self.skip_spaces(end);
                if self.at(j) == Some(b':') && (j != end || self.at(j + 1) != Some(b' ')) {
                    return Err(Decline);
                }
                Ok((node, end))
            }
            _ => {
                self.plain_start(i)?;
                let mut j = i;
                loop {
                    match self.at(j) {
                        None | Some(b'\n') => return Err(Decline),
                        Some(b',' | b'[' | b']' | b'{' | b'}') => break,
                        Some(b':') if self.at(j + 1) == Some(b' ') => break,
                        Some(b':') => return Err(Decline),
                        Some(b' ') if self.at(j + 1) == Some(b'#') => return Err(Decline),
                        _ => j += 1,
                    }
                }
                let raw = self.text[i..j].trim_end_matches(' ');
                let node = self.plain(i, raw.len())?;
                if self.at(j) == Some(b':') && j != i + raw.len() {
                    // `a : b`: keep the separator right after the key.
                    return Err(Decline);
                }
                Ok((node, i + raw.len()))
            }
        }
    }

    /// A `|` or `>` block scalar whose header is at `at`, in a collection at indentation `n`.
    fn block_scalar(&mut self, n: usize, at: usize) -> R<Node> {
        self.count()?;
        let s = self.s;
        let literal = s[at] == b'|';
        let mut i = at + 1;
        let strip = match self.at(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b' ' | b'\n') | None => false,
            _ => return Err(Decline),
        };
        if !is_ws_or_end(s, i) {
            return Err(Decline);
        }
        let header_end = self.end_of_line(i)?;
        // Leading empty lines, then the first content line sets the indentation.
        let mut leading = 0usize;
        let mut leading_spaces = 0usize;
        let mut line = header_end + 1;
        let indent = loop {
            if line > s.len() {
                return Err(Decline);
            }
            let c = self.skip_spaces(line);
            match self.at(c) {
                None => return Err(Decline),
                Some(b'\n') => {
                    leading += 1;
                    leading_spaces = leading_spaces.max(c - line);
                    line = c + 1;
                }
                Some(_) => break c - line,
            }
        };
        if indent <= n || leading_spaces > indent || (!literal && leading > 0) {
            return Err(Decline);
        }
        let start = line + indent;
        let mut out = String::new();
        for _ in 0..leading {
            out.push('\n');
        }
        // Empty lines seen since the last content line.
        let mut empty = 0usize;
        let mut any = false;
        let end = loop {
            if line >= s.len() {
                break s.len();
            }
            let c = self.skip_spaces(line);
            let spaces = c - line;
            match self.at(c) {
                None => return Err(Decline),
                Some(b'\n') if spaces <= indent => {
                    empty += 1;
                    line = c + 1;
                    continue;
                }
                Some(_) if spaces < indent => break c,
                _ => {}
            }
            // A content line (whitespace beyond the indentation counts as content).
            if !literal && spaces > indent {
                return Err(Decline);
            }
            let eol = self.eol(c);
            if literal {
                for _ in 0..empty {
                    out.push('\n');
                }
                out.push_str(&self.text[line + indent..eol]);
                out.push('\n');
            } else {
                if any {
                    if empty == 0 {
                        out.push(' ');
                    } else {
                        for _ in 0..empty {
                            out.push('\n');
                        }
                    }
                }
                out.push_str(&self.text[line + indent..eol]);
            }
            any = true;
            empty = 0;
            line = eol + 1;
        };
        if literal {
            if strip {
                out.pop();
            }
        } else if !strip {
            out.push('\n');
        }
        // The next content line: from the line break before the line that ended the scalar.
        let line_start = if end >= s.len() {
            s.len()
        } else {
            // `end` is on a line that starts after a line break.
            self.text[..end].rfind('\n').ok_or(Decline)?
        };
        self.advance(line_start)?;
        Ok(Node {
            value: Value::Str(out.into()),
            span: Span::new(start, end - start),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_that_change_how_yaml_reads_a_line_are_declined() {
        assert!(plain_text(
            b"a: 1\nb: caf\xc3\xa9 \xc2\xa0 long line of text here\n"
        ));
        for bad in [
            "a:\tb",
            "a: b\r\n",
            "\u{feff}a: b",
            "a: b\u{85}c",
            "a: \u{2028}",
            "a: \u{2029}",
            "a: \u{7f} and more text after it",
            "a: \u{0}",
            "a long line with a tab at the end\t",
            "a: \u{9f}",
            "a: \u{ffff}",
        ] {
            assert!(!plain_text(bad.as_bytes()), "{bad:?}");
            assert!(parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn builds_spans_the_way_the_builder_does() {
        let text = "a:\n- x\nb: |\n  lit\nc: [1, 'q']\n";
        let root = parse(text).unwrap();
        let a = root.get("a").unwrap();
        assert_eq!(
            a.span,
            Span::new(5, 0),
            "an indentless list starts at its first item"
        );
        let b = root.get("b").unwrap();
        assert_eq!(b.as_str(), Some("lit\n"));
        assert_eq!(
            b.span,
            Span::new(14, 4),
            "a block scalar from its text to the next line"
        );
        let c = root.get("c").unwrap();
        assert_eq!(c.span, Span::new(21, 1), "a flow list is its bracket");
        assert_eq!(c.as_seq().unwrap()[1].span, Span::new(25, 3));
    }
}
