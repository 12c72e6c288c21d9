//! The semantic diff of a governance sheet: what a change did to events, parameters, owners,
//! systems, components, retests, records, waivers, policy (and any other section, compared
//! generically), each change added, removed or changed with its value before and after, and
//! whether it **weakens** the gate that judges the change (`governance-weakened`).
//!
//! Pure: it compares two sheets the CLI has already loaded (a missing sheet is an empty one).
//! Lists of ids and globs are compared as sets (their order means nothing); lists of entries
//! (records, waivers, incidents, reviews) by content, so an edited entry is the old one removed
//! and a new one added. Which changes weaken the gate is [`weakening`]'s one table.

mod weakening;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::finding::{Finding, shorten};
use crate::sheet::Sheet;
use crate::sheet::yaml::{self, Node, Value, escape_pointer};
use crate::source::{SourceFile, Span};

pub use weakening::RULE;

/// What happened to a piece of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Added => "added",
            Kind::Removed => "removed",
            Kind::Changed => "changed",
        }
    }
}

/// A place in a file: which file, and the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Place {
    fn of(source: &SourceFile, span: Span) -> Place {
        let loc = source.location(span.start);
        Place {
            file: source.name.clone(),
            line: loc.line,
            column: loc.column,
        }
    }
}

/// Where a finding about a change is shown: a place in the head sheet (or, when the sheet is
/// gone at head, in the base sheet).
#[derive(Debug, Clone)]
pub struct Anchor {
    pub source: Arc<SourceFile>,
    pub span: Span,
}

/// One governance change.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub kind: Kind,
    /// The top-level section (`events`, `components`, `policy`, ...).
    pub section: String,
    /// The entry of a keyed section (the event name, the component id, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The field inside the entry, dotted (`parameters.value.required`); empty for the entry
    /// itself.
    pub path: String,
    /// For a change to a list of ids or globs: the item added or removed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The JSON pointer of what changed (in the head sheet; in the base sheet for a removal).
    pub pointer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// Why this change weakens the gate; `None` when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weakens: Option<String>,
    /// Where it is at head (added, changed) or where its parent still is (removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<Place>,
    /// Where it was in the base sheet (removed, changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Place>,
    #[serde(skip)]
    pub anchor: Option<Anchor>,
}

impl Change {
    /// The entry or section the change belongs to, in words: "event `Purchase`", "policy".
    pub fn group(&self) -> String {
        match &self.id {
            Some(id) => format!("{} `{}`", singular(&self.section), printable(id)),
            None => printable(&self.section),
        }
    }

    /// The change in one line of plain text (backticks around sheet text), for messages.
    pub fn describe(&self) -> String {
        self.describe_as(true)
    }

    /// [`Change::describe`] without the group when `with_group` is false (a report that
    /// groups changes under their event).
    pub fn describe_as(&self, with_group: bool) -> String {
        let path = printable(&self.path);
        let what = match (self.path.is_empty(), with_group) {
            (true, true) => self.group(),
            (true, false) => match self.item {
                Some(_) => self.section.clone(),
                None => singular(&self.section).to_owned(),
            },
            (false, true) => format!("`{path}` of {}", self.group()),
            (false, false) => format!("`{path}`"),
        };
        let short = |s: &str| printable(&shorten(s, 120));
        match (self.kind, &self.item) {
            (Kind::Added, Some(v)) => format!("added `{}` to {what}", short(v)),
            (Kind::Removed, Some(v)) => format!("removed `{}` from {what}", short(v)),
            (Kind::Added, None) => match (&self.after, self.path.is_empty()) {
                (Some(v), false) => format!("added {what}: `{}`", short(v)),
                _ => format!("added {what}"),
            },
            (Kind::Removed, None) => format!("removed {what}"),
            (Kind::Changed, _) => format!(
                "changed {what}: `{}` -> `{}`",
                short(self.before.as_deref().unwrap_or("")),
                short(self.after.as_deref().unwrap_or(""))
            ),
        }
    }
}

/// What one entry of a keyed section is called.
pub fn singular(section: &str) -> &str {
    match section {
        "events" => "event",
        "components" => "component",
        "retests" => "retest",
        "owners" => "owner",
        "systems" => "system",
        "conclusions" => "conclusion",
        "router" => "route",
        other => other,
    }
}

/// Sections whose entries are keyed by an id (a change is grouped under its entry).
const KEYED: [&str; 7] = [
    "events",
    "components",
    "retests",
    "owners",
    "systems",
    "conclusions",
    "router",
];

/// Text from a sheet with its control characters escaped (`\n`, `\u{1b}`), so that no value
/// can forge a line of a log or a terminal escape.
pub fn printable(s: &str) -> String {
    // Bidirectional overrides and isolates reorder what a reader sees: escaped too.
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(hidden) {
        return s.to_owned();
    }
    s.chars()
        .map(|c| {
            if hidden(c) {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// One side of the comparison: a sheet, and whether it exists at all (a sheet absent at a
/// revision is compared as an empty one).
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub sheet: &'a Sheet,
    pub present: bool,
}

/// The governance changes from `base` to `head`, in sheet order (head's order, removed
/// entries after the ones kept).
pub fn diff(base: Side<'_>, head: Side<'_>) -> Vec<Change> {
    let mut w = Walker {
        base,
        head,
        out: Vec::new(),
    };
    let mut segs = Vec::new();
    w.node(&mut segs, Some(&base.sheet.root), Some(&head.sheet.root));
    w.entries("records", &records(base.sheet), &records(head.sheet));
    w.entries("incidents", &incidents(base.sheet), &incidents(head.sheet));
    // A sheet new in the range weakens nothing: there was no gate to weaken.
    if !base.present {
        for c in &mut w.out {
            c.weakens = None;
        }
    }
    w.out
}

/// Just the changes that weaken the gate.
pub fn weakening(changes: &[Change]) -> impl Iterator<Item = &Change> {
    changes.iter().filter(|c| c.weakens.is_some())
}

/// One `governance-weakened` finding per weakening change, at the change's place in the head
/// sheet (a removal: at what is left of its parent, naming where it was in `base_label`).
pub fn findings(changes: &[Change], base_label: &str) -> Vec<Finding> {
    let severity = crate::finding::RuleId::GovernanceWeakened.severity();
    weakening(changes)
        .filter_map(|c| {
            let anchor = c.anchor.as_ref()?;
            let was = match (&c.base, c.kind) {
                (Some(b), Kind::Removed | Kind::Changed) => {
                    format!(
                        " (was {}:{} at {})",
                        printable(&b.file),
                        b.line,
                        printable(base_label)
                    )
                }
                _ => String::new(),
            };
            let why = c.weakens.as_deref().unwrap_or_default();
            let f = Finding::new(RULE, severity, format!("{}{was}: {why}", c.describe()))
                .at(&anchor.source, c.pointer.clone(), Some(anchor.span))
                .with_help(weakening::help(c));
            Some(f)
        })
        .collect()
}

/// An entry of a list kept in several files (records, incidents): its tree and where it is.
struct Entry<'a> {
    node: Option<&'a Node>,
    source: &'a Arc<SourceFile>,
    pointer: &'a str,
    span: Span,
    /// In the sheet itself, not in a file of `records_dir` / `incidents_dir`.
    inline: bool,
}

fn entry<'a>(
    sheet: &'a Sheet,
    parsed: &'a HashMap<String, Node>,
    source: &'a Arc<SourceFile>,
    pointer: &'a str,
    span: Span,
) -> Entry<'a> {
    let inline = Arc::ptr_eq(source, &sheet.source);
    let root = if inline {
        Some(&sheet.root)
    } else {
        sheet
            .file_roots
            .get(&source.name)
            .or_else(|| parsed.get(&source.name))
    };
    Entry {
        node: root.and_then(|r| r.walk(pointer)).map(|(_, n)| n),
        source,
        pointer,
        span,
        inline,
    }
}

/// The trees of the record and incident files the loader did not keep, parsed again.
fn reparse<'a>(
    sheet: &Sheet,
    sources: impl Iterator<Item = &'a Arc<SourceFile>>,
) -> HashMap<String, Node> {
    let mut out = HashMap::new();
    for s in sources {
        if Arc::ptr_eq(s, &sheet.source)
            || sheet.file_roots.contains_key(&s.name)
            || out.contains_key(&s.name)
        {
            continue;
        }
        if let Ok(root) = yaml::parse(&s.text) {
            out.insert(s.name.clone(), root);
        }
    }
    out
}

/// The entries of a list kept in the sheet and in files of a folder (records, incidents), with
/// their trees.
struct Listed<'a> {
    sheet: &'a Sheet,
    parsed: HashMap<String, Node>,
    items: Vec<(&'a Arc<SourceFile>, &'a str, Span)>,
}

fn listed<'a>(sheet: &'a Sheet, items: Vec<(&'a Arc<SourceFile>, &'a str, Span)>) -> Listed<'a> {
    Listed {
        sheet,
        parsed: reparse(sheet, items.iter().map(|i| i.0)),
        items,
    }
}

fn records(sheet: &Sheet) -> Listed<'_> {
    let items = sheet.records.iter();
    listed(
        sheet,
        items
            .map(|r| (&r.source, r.pointer.as_str(), r.span))
            .collect(),
    )
}

fn incidents(sheet: &Sheet) -> Listed<'_> {
    let items = sheet.incidents.iter();
    listed(
        sheet,
        items
            .map(|i| (&i.source, i.pointer.as_str(), i.span))
            .collect(),
    )
}

impl<'a> Listed<'a> {
    fn entries(&'a self) -> Vec<Entry<'a>> {
        self.items
            .iter()
            .map(|(s, p, span)| entry(self.sheet, &self.parsed, s, p, *span))
            .collect()
    }
}

/// A canonical text of a node: maps with sorted keys, null-valued keys left out, strings
/// quoted, so that two nodes are the same governance exactly when their texts are equal.
pub fn canon(node: &Node) -> String {
    let mut out = String::new();
    canon_into(node, &mut out);
    out
}

fn canon_into(node: &Node, out: &mut String) {
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&format!("{f:?}")),
        Value::Str(s) => out.push_str(&serde_json::Value::String(s.to_string()).to_string()),
        Value::Seq(items) => {
            out.push('[');
            for (i, n) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canon_into(n, out);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let mut pairs: Vec<(String, &Node)> = m
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.key_text(), v))
                .collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, v)) in pairs.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k).to_string());
                out.push(':');
                canon_into(v, out);
            }
            out.push('}');
        }
    }
}

/// A node as a reader would write it, on one line: a string as itself, a list or a map in
/// YAML flow style (`{retest: smoke, result: pass}`).
pub fn display(node: &Node) -> String {
    let mut out = String::new();
    display_into(node, &mut out, true);
    out
}

fn display_into(node: &Node, out: &mut String, top: bool) {
    match &node.value {
        Value::Str(s) if top || !s.contains([',', '{', '}', '[', ']', ':']) => out.push_str(s),
        Value::Seq(items) => {
            out.push('[');
            for (i, n) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                display_into(n, out, false);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            let mut first = true;
            for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                out.push_str(&k.key_text());
                out.push_str(": ");
                display_into(v, out, false);
            }
            out.push('}');
        }
        _ => out.push_str(&node.to_json().to_string()),
    }
}

fn is_scalar(n: &Node) -> bool {
    !matches!(n.value, Value::Seq(_) | Value::Map(_))
}

/// A node that is there: a key with no value (`owner:`) counts as absent.
fn present(n: Option<&Node>) -> Option<&Node> {
    n.filter(|n| !n.is_null())
}

struct Walker<'a> {
    base: Side<'a>,
    head: Side<'a>,
    out: Vec<Change>,
}

fn pointer_of(segs: &[String]) -> String {
    segs.iter()
        .map(|s| format!("/{}", escape_pointer(s)))
        .collect()
}

impl Walker<'_> {
    /// Where a removed thing's parent still is at head (the deepest ancestor it has there).
    fn head_anchor(&self, segs: &[String]) -> Option<Anchor> {
        if !self.head.present {
            return None;
        }
        let sheet = self.head.sheet;
        for n in (0..=segs.len()).rev() {
            let p = pointer_of(&segs[..n]);
            if let Some(span) = sheet.span_of(&p)
                && (n > 0 || !sheet.source.text.is_empty())
            {
                return Some(Anchor {
                    source: Arc::clone(&sheet.source),
                    span,
                });
            }
        }
        None
    }

    fn place(side: Side<'_>, pointer: &str) -> Option<(Place, Anchor)> {
        if !side.present {
            return None;
        }
        let span = side.sheet.span_of(pointer)?;
        Some((
            Place::of(&side.sheet.source, span),
            Anchor {
                source: Arc::clone(&side.sheet.source),
                span,
            },
        ))
    }

    /// Record one change at `segs` (the list path and `item` for a set item).
    fn push(
        &mut self,
        segs: &[String],
        kind: Kind,
        item: Option<(usize, &Node)>,
        before: Option<&Node>,
        after: Option<&Node>,
    ) {
        let mut pointer = pointer_of(segs);
        if let Some((i, _)) = item {
            pointer.push_str(&format!("/{i}"));
        }
        let (section, id, path) = split(segs);
        let head = match kind {
            Kind::Removed => None,
            _ => Self::place(self.head, &pointer),
        };
        let base = match kind {
            Kind::Added => None,
            _ => Self::place(self.base, &pointer),
        };
        let anchor = head
            .as_ref()
            .map(|h| h.1.clone())
            .or_else(|| self.head_anchor(segs))
            .or_else(|| base.as_ref().map(|b| b.1.clone()));
        let head_place = head.map(|h| h.0).or_else(|| match kind {
            Kind::Removed => self.head_anchor(segs).map(|a| Place::of(&a.source, a.span)),
            _ => None,
        });
        let weakens = weakening::why(segs, kind, item.map(|i| i.1), before, after);
        self.out.push(Change {
            kind,
            section,
            id,
            path,
            item: item.map(|(_, n)| display(n)),
            pointer,
            before: if item.is_some() {
                None
            } else {
                before.map(display)
            },
            after: if item.is_some() {
                None
            } else {
                after.map(display)
            },
            weakens,
            head: head_place,
            base: base.map(|b| b.0),
            anchor,
        });
    }

    fn node(&mut self, segs: &mut Vec<String>, b: Option<&Node>, h: Option<&Node>) {
        let (b, h) = (present(b), present(h));
        match (b, h) {
            (None, None) => {}
            (Some(b), Some(h)) => match (&b.value, &h.value) {
                (Value::Map(_), Value::Map(_)) => self.map(segs, Some(b), Some(h)),
                (Value::Seq(_), Value::Seq(_)) => self.seq(segs, b.as_seq(), h.as_seq()),
                _ => {
                    if canon(b) != canon(h) {
                        self.push(segs, Kind::Changed, None, Some(b), Some(h));
                    }
                }
            },
            (one_b, one_h) => {
                let Some(there) = one_b.or(one_h) else {
                    return;
                };
                let descend = segs.len() <= 1
                    || matches!(
                        segs.iter().map(String::as_str).collect::<Vec<_>>()[..],
                        ["policy", "rules"] | ["policy", "packs"]
                    )
                    || there.as_seq().is_some_and(|s| s.iter().all(is_scalar));
                match (&there.value, descend) {
                    (Value::Map(_), true) => self.map(segs, one_b, one_h),
                    (Value::Seq(_), true) => self.seq(
                        segs,
                        one_b.and_then(Node::as_seq),
                        one_h.and_then(Node::as_seq),
                    ),
                    _ if one_b.is_some() => self.push(segs, Kind::Removed, None, one_b, None),
                    _ => self.push(segs, Kind::Added, None, None, one_h),
                }
            }
        }
    }

    fn map(&mut self, segs: &mut Vec<String>, b: Option<&Node>, h: Option<&Node>) {
        let empty: &[(Node, Node)] = &[];
        let bm = b.and_then(Node::as_map).unwrap_or(empty);
        let hm = h.and_then(Node::as_map).unwrap_or(empty);
        let top = segs.is_empty();
        // Records and incidents are compared with those of their folders (`entries`).
        let skip = |k: &str| top && matches!(k, "records" | "incidents");
        for (k, hv) in hm {
            let key = k.key_text();
            if skip(&key) {
                continue;
            }
            let bv = bm.iter().find(|(bk, _)| bk.key_is(&key)).map(|(_, v)| v);
            segs.push(key);
            self.node(segs, bv, Some(hv));
            segs.pop();
        }
        for (k, bv) in bm {
            let key = k.key_text();
            if skip(&key) || hm.iter().any(|(hk, _)| hk.key_is(&key)) {
                continue;
            }
            segs.push(key);
            self.node(segs, Some(bv), None);
            segs.pop();
        }
    }

    /// Lists compared as multisets of their items' canonical texts: ids and globs one change
    /// an item; entries (waivers, reviews) one change an entry.
    fn seq(&mut self, segs: &mut [String], b: Option<&[Node]>, h: Option<&[Node]>) {
        let b = b.unwrap_or_default();
        let h = h.unwrap_or_default();
        let mut left: HashMap<String, usize> = HashMap::new();
        for n in b {
            *left.entry(canon(n)).or_default() += 1;
        }
        let mut added = Vec::new();
        for (i, n) in h.iter().enumerate() {
            match left.get_mut(&canon(n)) {
                Some(c) if *c > 0 => *c -= 1,
                _ => added.push(i),
            }
        }
        let mut removed = Vec::new();
        for (i, n) in b.iter().enumerate().rev() {
            if let Some(c) = left.get_mut(&canon(n))
                && *c > 0
            {
                *c -= 1;
                removed.push(i);
            }
        }
        removed.reverse();
        for i in added {
            self.push(segs, Kind::Added, Some((i, &h[i])), None, None);
        }
        for i in removed {
            self.push(segs, Kind::Removed, Some((i, &b[i])), None, None);
        }
    }

    /// Records or incidents (inline and in their folders), matched by content.
    fn entries(&mut self, section: &str, base: &Listed<'_>, head: &Listed<'_>) {
        let (be, he) = (base.entries(), head.entries());
        let mut left: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in be.iter().enumerate() {
            if let Some(n) = e.node {
                left.entry(canon(n)).or_default().push(i);
            }
        }
        let mut matched = vec![false; be.len()];
        let mut added = Vec::new();
        for e in &he {
            let Some(n) = e.node else { continue };
            match left.get_mut(&canon(n)).and_then(Vec::pop) {
                Some(i) => matched[i] = true,
                None => added.push(e),
            }
        }
        for e in added {
            let Some(n) = e.node else { continue };
            let pointer = entry_pointer(section, e);
            let segs = [section.to_owned()];
            let anchor = Anchor {
                source: Arc::clone(e.source),
                span: e.span,
            };
            self.out.push(Change {
                kind: Kind::Added,
                section: section.into(),
                id: None,
                path: String::new(),
                item: Some(display(n)),
                pointer,
                before: None,
                after: None,
                weakens: weakening::why(&segs, Kind::Added, None, None, Some(n)),
                head: Some(Place::of(e.source, e.span)),
                base: None,
                anchor: Some(anchor),
            });
        }
        for (i, e) in be.iter().enumerate() {
            let Some(n) = e.node else { continue };
            if matched[i] {
                continue;
            }
            let segs = [section.to_owned()];
            let exact = |key: String| {
                let sheet = self.head.sheet;
                self.head
                    .present
                    .then(|| sheet.span_of(&format!("/{key}")))
                    .flatten()
                    .map(|span| Anchor {
                        source: Arc::clone(&sheet.source),
                        span,
                    })
            };
            let anchor = exact(section.to_owned())
                .or_else(|| exact(format!("{section}_dir")))
                .or_else(|| self.head_anchor(&segs))
                .unwrap_or(Anchor {
                    source: Arc::clone(e.source),
                    span: e.span,
                });
            let head = self
                .head
                .present
                .then(|| Place::of(&anchor.source, anchor.span));
            self.out.push(Change {
                kind: Kind::Removed,
                section: section.into(),
                id: None,
                path: String::new(),
                item: Some(display(n)),
                pointer: entry_pointer(section, e),
                before: None,
                after: None,
                weakens: weakening::why(&segs, Kind::Removed, None, Some(n), None),
                head,
                base: Some(Place::of(e.source, e.span)),
                anchor: Some(anchor),
            });
        }
    }
}

/// `/records/3` for an inline entry; `/records/<file><pointer>` for one in a folder.
fn entry_pointer(section: &str, e: &Entry<'_>) -> String {
    if e.inline {
        e.pointer.to_owned()
    } else {
        format!("/{section}/{}{}", escape_pointer(&e.source.name), e.pointer)
    }
}

/// `(section, id, dotted path)` of a pointer's segments.
fn split(segs: &[String]) -> (String, Option<String>, String) {
    let section = segs.first().cloned().unwrap_or_else(|| "sheet".into());
    if KEYED.contains(&section.as_str()) && segs.len() >= 2 {
        (section, Some(segs[1].clone()), segs[2..].join("."))
    } else if segs.len() <= 1 {
        (section, None, String::new())
    } else {
        (section, None, segs[1..].join("."))
    }
}

#[cfg(test)]
mod tests;
