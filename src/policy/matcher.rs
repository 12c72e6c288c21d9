//! Every selector of a policy compiled together, once, into automata that walk a document once:
//! each node is visited at most once per document and dispatched to every check whose selector
//! matches there (once per selector for selectors that cannot be compiled together, see
//! [`Walks`]). The walk allocates nothing per node; a [`Match`] (pointer, captures) is built
//! only for a check that fails, from its own selector, so pointers and captures are exactly
//! what matching that one selector gives ([`Selector::matches`]).

use std::collections::HashMap;

use super::select::{Match, Segment, Selector};
use crate::sheet::yaml::{Node, Value, escape_pointer};

/// A compiled check's place in the policy: its position in the policy's list of select checks.
pub(super) type Slot = usize;

/// One step of the walk from a document's start node: a map entry (its key) or a list item.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step<'a> {
    Key(&'a Node),
    Index(usize),
}

/// What a walk calls for each (check, node) match: the slot, the steps from the start node, and
/// the node's key (for a map entry) and the node.
pub(super) type Visit<'v, 'a> = dyn FnMut(Slot, &[Step<'a>], Option<&'a Node>, &'a Node) + 'v;

/// Where a walk starts: the sheet's root, or one item of `/records` or `/incidents` (which may
/// live in its own file; see [`Automata::records`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Base<'a> {
    pub(super) pointer: &'a str,
    /// The item's position in the sheet's records or incidents (the `{name}` of
    /// `/records/{name}` captures it).
    pub(super) item: Option<usize>,
}

/// The automata of a policy: one group per kind of document start.
#[derive(Debug, Clone, Default)]
pub(super) struct Automata {
    /// Selectors over the sheet's tree (all but those below).
    pub(super) root: Walks,
    /// Selectors `/records/<wildcard>/...`, from their third segment on, run on each record.
    pub(super) records: Walks,
    /// Selectors `/incidents/<wildcard>/...`, likewise on each incident.
    pub(super) incidents: Walks,
}

/// The automata one document start runs: one for all its selectors, or, when determinising
/// them together would make too many states (a pack can be written so the states double with
/// every segment), one per selector: slower, never wrong, never exponential.
#[derive(Debug, Clone, Default)]
pub(super) struct Walks(Vec<Automaton>);

/// The most states of an automaton for all selectors together, per node of their trie.
const STATES_PER_TRIE_NODE: usize = 8;

impl Walks {
    fn compile(selectors: &[(&[Segment], Slot)]) -> Walks {
        let mut trie = Trie::default();
        for (segments, slot) in selectors {
            trie.insert(segments, *slot);
        }
        if let Some(one) = trie.determinize(STATES_PER_TRIE_NODE * trie.nodes.len() + 64) {
            return Walks(vec![one]);
        }
        let each = selectors.iter().filter_map(|(segments, slot)| {
            let mut trie = Trie::default();
            trie.insert(segments, *slot);
            // A single selector's trie is a chain: as many states as it has nodes.
            trie.determinize(usize::MAX)
        });
        Walks(each.collect())
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(Automaton::is_empty)
    }

    /// Every automaton's walk (see [`Automaton::walk`]); each slot is in exactly one of them,
    /// so each slot's matches still come in document order.
    pub(super) fn walk<'a>(
        &self,
        node: &'a Node,
        key: Option<&'a Node>,
        path: &mut Vec<Step<'a>>,
        visit: &mut Visit<'_, 'a>,
    ) {
        for automaton in &self.0 {
            automaton.walk(node, key, path, visit);
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Which automaton a selector runs in and the segments it skips there (see
/// `Documents::select` of the reference evaluator: records and incidents are taken from the
/// sheet's lists, which include other files).
pub(super) fn home(selector: &Selector) -> (Home, usize) {
    match selector.list_section() {
        Some(("records", _)) => (Home::Records, 2),
        Some(("incidents", _)) => (Home::Incidents, 2),
        _ => (Home::Root, 0),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Home {
    Root,
    Records,
    Incidents,
}

impl Automata {
    /// Compile selectors (by slot).
    pub(super) fn compile<'s>(selectors: impl IntoIterator<Item = &'s Selector>) -> Automata {
        let mut homes: [Vec<(&[Segment], Slot)>; 3] = Default::default();
        for (slot, selector) in selectors.into_iter().enumerate() {
            let (home, skip) = home(selector);
            homes[home as usize].push((&selector.segments()[skip..], slot));
        }
        let [root, records, incidents] = homes;
        Automata {
            root: Walks::compile(&root),
            records: Walks::compile(&records),
            incidents: Walks::compile(&incidents),
        }
    }
}

/// A trie of selector segments: a literal's children by text, one child for every wildcard.
#[derive(Debug, Default)]
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Default)]
struct TrieNode {
    literals: Vec<(String, usize)>,
    any: Option<usize>,
    accept: Vec<Slot>,
}

impl Trie {
    fn insert(&mut self, segments: &[Segment], slot: Slot) {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut at = 0;
        for segment in segments {
            let existing = match segment {
                Segment::Literal(text) => self.nodes[at]
                    .literals
                    .iter()
                    .find(|(t, _)| t == text)
                    .map(|(_, n)| *n),
                Segment::Any(_) => self.nodes[at].any,
            };
            at = match existing {
                Some(n) => n,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    match segment {
                        Segment::Literal(text) => self.nodes[at].literals.push((text.clone(), n)),
                        Segment::Any(_) => self.nodes[at].any = Some(n),
                    }
                    n
                }
            };
        }
        self.nodes[at].accept.push(slot);
    }

    /// Subset construction: one state per set of trie nodes a document node can be at, so a
    /// node reached by a literal and a wildcard at once (`/events/Purchase` and
    /// `/events/{event}`) is visited once.
    /// `None` when it would take more than `limit` states.
    fn determinize(&self, limit: usize) -> Option<Automaton> {
        let mut auto = Automaton::default();
        if self.nodes.is_empty() {
            return Some(auto);
        }
        let mut ids: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut todo: Vec<Vec<usize>> = Vec::new();
        let mut intern = |set: Vec<usize>, auto: &mut Automaton, todo: &mut Vec<Vec<usize>>| {
            *ids.entry(set.clone()).or_insert_with(|| {
                auto.states.push(State::default());
                todo.push(set);
                auto.states.len() - 1
            })
        };
        intern(vec![0], &mut auto, &mut todo);
        let mut next = 0;
        while next < todo.len() {
            if todo.len() > limit {
                return None;
            }
            let set = todo[next].clone();
            let id = next;
            next += 1;
            let union = |mut v: Vec<usize>| {
                v.sort_unstable();
                v.dedup();
                v
            };
            let any = union(set.iter().filter_map(|&n| self.nodes[n].any).collect());
            let mut accept: Vec<Slot> = set
                .iter()
                .flat_map(|&n| self.nodes[n].accept.iter().copied())
                .collect();
            accept.sort_unstable();
            let mut texts: Vec<&str> = set
                .iter()
                .flat_map(|&n| self.nodes[n].literals.iter().map(|(t, _)| t.as_str()))
                .collect();
            texts.sort_unstable();
            texts.dedup();
            let by_text = |text: &str| -> Vec<usize> {
                set.iter()
                    .flat_map(|&n| &self.nodes[n].literals)
                    .filter(|(t, _)| t == text)
                    .map(|(_, c)| *c)
                    .collect()
            };
            let mut keys = Vec::new();
            for text in &texts {
                let target = union(
                    by_text(text)
                        .into_iter()
                        .chain(any.iter().copied())
                        .collect(),
                );
                keys.push((text.to_string(), intern(target, &mut auto, &mut todo)));
            }
            // A literal segment selects a list item when it parses as an index, exactly as
            // `Selector::match_from` parses it (`0`, `00` and `+0` all name item 0).
            let mut indices: Vec<usize> = texts.iter().filter_map(|t| t.parse().ok()).collect();
            indices.sort_unstable();
            indices.dedup();
            let mut items = Vec::new();
            for i in indices {
                let target = union(
                    texts
                        .iter()
                        .filter(|t| t.parse::<usize>().ok() == Some(i))
                        .flat_map(|t| by_text(t))
                        .chain(any.iter().copied())
                        .collect(),
                );
                items.push((i, intern(target, &mut auto, &mut todo)));
            }
            let any = (!any.is_empty()).then(|| intern(any, &mut auto, &mut todo));
            auto.states[id] = State {
                accept,
                keys,
                items,
                any,
            };
        }
        Some(auto)
    }
}

/// A deterministic automaton over document paths; state 0 is the start.
#[derive(Debug, Clone, Default)]
pub(super) struct Automaton {
    states: Vec<State>,
}

#[derive(Debug, Clone, Default)]
struct State {
    /// The checks whose selector ends here, by slot.
    accept: Vec<Slot>,
    /// Map keys named by a literal segment (unescaped), sorted, and the state they lead to.
    keys: Vec<(String, usize)>,
    /// List indices named by a literal segment and the state they lead to.
    items: Vec<(usize, usize)>,
    /// Where every other key or index leads (the wildcards).
    any: Option<usize>,
}

impl State {
    /// The literal a map key is named by ([`Node::key_is`]), by binary search: a pack may name
    /// many keys under one map.
    fn key(&self, k: &Node) -> Option<&(String, usize)> {
        if self.keys.is_empty() {
            return None;
        }
        let find = |text: &str| {
            self.keys
                .binary_search_by(|(t, _)| t.as_str().cmp(text))
                .ok()
                .map(|i| &self.keys[i])
        };
        match &k.value {
            Value::Str(text) => find(text),
            // Not a string (`0:`, `null:`): known by its YAML spelling, as `key_is` compares.
            _ => find(&k.key_text()),
        }
    }
}

impl Automaton {
    pub(super) fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Walk `node` once, calling `visit(slot, path, key, node)` for every check whose selector
    /// matches a node, in document order for each slot. `path` is a buffer reused across
    /// walks (the steps from `node` to the match).
    pub(super) fn walk<'a>(
        &self,
        node: &'a Node,
        key: Option<&'a Node>,
        path: &mut Vec<Step<'a>>,
        visit: &mut Visit<'_, 'a>,
    ) {
        if self.states.is_empty() {
            return;
        }
        path.clear();
        self.visit(0, node, key, path, visit);
    }

    fn visit<'a>(
        &self,
        state: usize,
        node: &'a Node,
        key: Option<&'a Node>,
        path: &mut Vec<Step<'a>>,
        visit: &mut Visit<'_, 'a>,
    ) {
        let s = &self.states[state];
        for &slot in &s.accept {
            visit(slot, path, key, node);
        }
        match &node.value {
            Value::Map(entries) => {
                if let Some(any) = s.any {
                    for (i, (k, v)) in entries.iter().enumerate() {
                        // A literal selects the first entry it names (`Selector::match_from`).
                        let next = s
                            .key(k)
                            .filter(|(text, _)| !entries[..i].iter().any(|(e, _)| e.key_is(text)))
                            .map_or(any, |(_, n)| *n);
                        path.push(Step::Key(k));
                        self.visit(next, v, Some(k), path, visit);
                        path.pop();
                    }
                } else {
                    for (text, next) in &s.keys {
                        if let Some((k, v)) = entries.iter().find(|(k, _)| k.key_is(text)) {
                            path.push(Step::Key(k));
                            self.visit(*next, v, Some(k), path, visit);
                            path.pop();
                        }
                    }
                }
            }
            Value::Seq(items) => {
                if let Some(any) = s.any {
                    for (i, v) in items.iter().enumerate() {
                        let next = s
                            .items
                            .iter()
                            .find(|(at, _)| *at == i)
                            .map_or(any, |(_, n)| *n);
                        path.push(Step::Index(i));
                        self.visit(next, v, None, path, visit);
                        path.pop();
                    }
                } else {
                    for &(i, next) in &s.items {
                        if let Some(v) = items.get(i) {
                            path.push(Step::Index(i));
                            self.visit(next, v, None, path, visit);
                            path.pop();
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// The match of `selector` at a node the walk reached from `base` by `path` (built only for a
/// check that fails): the same pointer, key and captures as [`Selector::matches`] gives.
/// `key` is the key the walk passed with the node (the start node's own key at the start).
pub(super) fn match_at<'a>(
    selector: &Selector,
    base: &Base<'a>,
    path: &[Step<'a>],
    key: Option<&'a Node>,
    node: &'a Node,
) -> Match<'a> {
    let (_, skip) = home(selector);
    let segments = selector.segments();
    let mut pointer = base.pointer.to_owned();
    let mut captures = Vec::new();
    if let (Some(item), Some(Segment::Any(Some(name)))) = (base.item, segments.get(1)) {
        captures.push((name.clone(), item.to_string()));
    }
    for (segment, step) in segments[skip..].iter().zip(path) {
        match (segment, step) {
            (Segment::Literal(want), Step::Key(_)) => {
                pointer.push('/');
                pointer.push_str(&escape_pointer(want));
            }
            (Segment::Literal(want), Step::Index(_)) => {
                pointer.push('/');
                pointer.push_str(want);
            }
            (Segment::Any(name), Step::Key(k)) => {
                let text = k.key_text();
                pointer.push('/');
                pointer.push_str(&escape_pointer(&text));
                if let Some(n) = name {
                    captures.push((n.clone(), text));
                }
            }
            (Segment::Any(name), Step::Index(i)) => {
                pointer.push('/');
                pointer.push_str(&i.to_string());
                if let Some(n) = name {
                    captures.push((n.clone(), i.to_string()));
                }
            }
        }
    }
    Match {
        pointer,
        key,
        node,
        captures,
    }
}
