//! The dependency graph (component -> dependent component -> triggered event -> retest) as data, the regression gate derived from it, and its Graphviz dot and Mermaid text; references to ids the sheet does not declare are left out (`check` reports them).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::sheet::model::{Sheet, Spanned, Text};

/// What a node of the graph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Component,
    Event,
    Retest,
}

impl NodeKind {
    fn prefix(self) -> &'static str {
        match self {
            NodeKind::Component => "c",
            NodeKind::Event => "e",
            NodeKind::Retest => "r",
        }
    }

    fn word(self) -> &'static str {
        match self {
            NodeKind::Component => "component",
            NodeKind::Event => "event",
            NodeKind::Retest => "retest",
        }
    }
}

/// What an edge means. Every edge reads "a change at the tail requires the head".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EdgeKind {
    /// The head component `depends_on` the tail component.
    DependedOnBy,
    /// The head event lists the tail component in `triggers`.
    Triggers,
    /// The tail (event or component) lists the head retest in `retests`.
    Requires,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

/// Components, events and retests in sheet order, and the edges between them.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    index: HashMap<(NodeKind, String), usize>,
    edge_set: HashSet<Edge>,
}

impl Graph {
    /// Build the graph of a sheet.
    pub fn of(sheet: &Sheet) -> Self {
        let mut g = Graph::default();
        for c in &sheet.components {
            g.add_node(NodeKind::Component, &c.id.value);
        }
        for e in &sheet.events {
            g.add_node(NodeKind::Event, &e.id.value);
        }
        for r in &sheet.retests {
            g.add_node(NodeKind::Retest, &r.id.value);
        }
        for c in &sheet.components {
            for dep in c.item.depends_on.iter().flat_map(|d| &d.value) {
                g.add_edge(
                    (NodeKind::Component, &dep.value),
                    (NodeKind::Component, &c.id.value),
                    EdgeKind::DependedOnBy,
                );
            }
        }
        for e in &sheet.events {
            for t in e.item.triggers.iter().flat_map(|d| &d.value) {
                g.add_edge(
                    (NodeKind::Component, &t.value),
                    (NodeKind::Event, &e.id.value),
                    EdgeKind::Triggers,
                );
            }
        }
        for c in &sheet.components {
            for r in c.item.retests.iter().flat_map(|d| &d.value) {
                g.add_edge(
                    (NodeKind::Component, &c.id.value),
                    (NodeKind::Retest, &r.value),
                    EdgeKind::Requires,
                );
            }
        }
        for e in &sheet.events {
            for r in e.item.retests.iter().flat_map(|d| &d.value) {
                g.add_edge(
                    (NodeKind::Event, &e.id.value),
                    (NodeKind::Retest, &r.value),
                    EdgeKind::Requires,
                );
            }
        }
        g
    }

    fn add_node(&mut self, kind: NodeKind, id: &str) {
        let key = (kind, id.to_owned());
        if !self.index.contains_key(&key) {
            self.index.insert(key, self.nodes.len());
            self.nodes.push(Node {
                kind,
                id: id.to_owned(),
            });
        }
    }

    fn add_edge(&mut self, from: (NodeKind, &str), to: (NodeKind, &str), kind: EdgeKind) {
        let (Some(f), Some(t)) = (self.find(from.0, from.1), self.find(to.0, to.1)) else {
            return;
        };
        let edge = Edge {
            from: f,
            to: t,
            kind,
        };
        if self.edge_set.insert(edge) {
            self.edges.push(edge);
        }
    }

    /// The index of a node.
    pub fn find(&self, kind: NodeKind, id: &str) -> Option<usize> {
        self.index.get(&(kind, id.to_owned())).copied()
    }

    /// Collision-free Mermaid node ids: kind prefix plus the id with every character outside
    /// `[A-Za-z0-9_]` turned into `_` (`c_theme`, `e_Purchase`, `r_purchase_dedupe`).
    pub fn mermaid_ids(&self) -> Vec<String> {
        let mut used = HashSet::new();
        self.nodes
            .iter()
            .map(|n| {
                let clean: String =
                    n.id.chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || c == '_' {
                                c
                            } else {
                                '_'
                            }
                        })
                        .collect();
                let base = format!("{}_{clean}", n.kind.prefix());
                let mut id = base.clone();
                let mut k = 2;
                while !used.insert(id.clone()) {
                    id = format!("{base}_{k}");
                    k += 1;
                }
                id
            })
            .collect()
    }

    /// The Mermaid flowchart (left to right; dashed edges are retests a component requires
    /// whatever the events).
    pub fn to_mermaid(&self) -> String {
        let ids = self.mermaid_ids();
        let mut out = String::from("flowchart LR\n");
        for (kind, title) in [
            (NodeKind::Component, "Components"),
            (NodeKind::Event, "Events"),
            (NodeKind::Retest, "Retests"),
        ] {
            let members: Vec<usize> = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].kind == kind)
                .collect();
            if members.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  subgraph sg_{}[\"{title}\"]", kind.word());
            for i in members {
                let (open, close) = match kind {
                    NodeKind::Component => ("[", "]"),
                    NodeKind::Event => ("([", "])"),
                    NodeKind::Retest => ("[[", "]]"),
                };
                let _ = writeln!(
                    out,
                    "    {}{open}\"{}\"{close}",
                    ids[i],
                    mermaid_label(&self.nodes[i].id)
                );
            }
            out.push_str("  end\n");
        }
        for e in &self.edges {
            let arrow = match (e.kind, self.nodes[e.from].kind) {
                (EdgeKind::Requires, NodeKind::Component) => "-.->",
                _ => "-->",
            };
            let _ = writeln!(out, "  {} {arrow} {}", ids[e.from], ids[e.to]);
        }
        out.push_str("  classDef component fill:#eef4ff,stroke:#3b5bdb,color:#1c2a4a\n");
        out.push_str("  classDef event fill:#fff4e6,stroke:#d9480f,color:#4a2410\n");
        out.push_str("  classDef retest fill:#ebfbee,stroke:#2b8a3e,color:#173d20\n");
        for kind in [NodeKind::Component, NodeKind::Event, NodeKind::Retest] {
            let members: Vec<&str> = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].kind == kind)
                .map(|i| ids[i].as_str())
                .collect();
            if !members.is_empty() {
                let _ = writeln!(out, "  class {} {}", members.join(","), kind.word());
            }
        }
        out
    }

    /// The Graphviz dot digraph. Every id is a quoted string `"kind:id"`.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph \"govsheet\" {\n");
        out.push_str("  rankdir=LR;\n");
        out.push_str("  graph [fontname=\"Helvetica\", fontsize=12];\n");
        out.push_str("  node [fontname=\"Helvetica\", fontsize=11, style=filled];\n");
        out.push_str("  edge [color=\"#555555\"];\n");
        for (kind, title, attrs) in [
            (
                NodeKind::Component,
                "Components",
                "shape=box, fillcolor=\"#eef4ff\", color=\"#3b5bdb\"",
            ),
            (
                NodeKind::Event,
                "Events",
                "shape=ellipse, fillcolor=\"#fff4e6\", color=\"#d9480f\"",
            ),
            (
                NodeKind::Retest,
                "Retests",
                "shape=note, fillcolor=\"#ebfbee\", color=\"#2b8a3e\"",
            ),
        ] {
            let members: Vec<&Node> = self.nodes.iter().filter(|n| n.kind == kind).collect();
            if members.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  subgraph \"cluster_{}\" {{", kind.word());
            let _ = writeln!(
                out,
                "    label=\"{title}\"; style=dashed; color=\"#999999\";"
            );
            for n in members {
                let _ = writeln!(
                    out,
                    "    {} [label={}, {attrs}];",
                    dot_id(n),
                    dot_string(&n.id)
                );
            }
            out.push_str("  }\n");
        }
        for e in &self.edges {
            let style = match (e.kind, self.nodes[e.from].kind) {
                (EdgeKind::Requires, NodeKind::Component) => " [style=dashed]",
                _ => "",
            };
            let _ = writeln!(
                out,
                "  {} -> {}{style};",
                dot_id(&self.nodes[e.from]),
                dot_id(&self.nodes[e.to])
            );
        }
        out.push_str("}\n");
        out
    }
}

fn dot_id(n: &Node) -> String {
    dot_string(&format!("{}:{}", n.kind.word(), n.id))
}

/// A Graphviz quoted string: backslashes and quotes escaped, line breaks as `\n`.
pub fn dot_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for inside a quoted Mermaid label. Inside quotes brackets, pipes and the like are
/// literal; only what could end the label (`"`), start an entity (`#`), become HTML under
/// `htmlLabels` (`<`, `>`, `&`) or start a Markdown string (a backtick) is written as a
/// Mermaid entity code, so the ids of a valid sheet never need one. Line breaks become spaces.
pub fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '`' => out.push_str("#96;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// How a component reaches something: the chain of components from it, itself first. Long
/// chains keep their first and last two links with [`ELIDED`] between them.
pub type Chain = Vec<String>;

/// Stands for the links left out of a long [`Chain`].
pub const ELIDED: &str = "…";

/// How many components the gate lists for one component before counting the rest.
pub const MAX_LISTED: usize = 40;

/// What a change in one component requires: the components that depend on it (transitively),
/// the events those trigger, and the retests of all of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GateRow {
    pub component: String,
    /// What the component is built from, transitively, nearest first (at most [`MAX_LISTED`]).
    pub built_from: Vec<String>,
    /// How many more it is built from than `built_from` lists.
    pub built_from_more: usize,
    /// Components a change here also changes, nearest first, with the chain that leads to
    /// each (at most [`MAX_LISTED`]).
    pub reaches: Vec<Chain>,
    /// How many more it reaches than `reaches` lists.
    pub reaches_more: usize,
    /// Triggered events, each with the chain of components that triggers it.
    pub events: Vec<(String, Chain)>,
    /// Required retests, in sheet order.
    pub retests: Vec<String>,
}

/// A breadth-first walk: every node reached from the start, nearest first, with its parent
/// (an index into the same list; `None` for the start's neighbours) and its distance.
struct Walk {
    nodes: Vec<(usize, Option<usize>, usize)>,
}

impl Walk {
    /// Walk `adj` (component index -> neighbour indices) from `start`, skipping revisits so a
    /// cycle ends the walk.
    fn from(start: usize, adj: &[Vec<usize>]) -> Self {
        let mut seen = vec![false; adj.len()];
        seen[start] = true;
        let mut nodes: Vec<(usize, Option<usize>, usize)> = Vec::new();
        for &n in &adj[start] {
            if !seen[n] {
                seen[n] = true;
                nodes.push((n, None, 1));
            }
        }
        let mut i = 0;
        while i < nodes.len() {
            let (node, _, dist) = nodes[i];
            for &n in &adj[node] {
                if !seen[n] {
                    seen[n] = true;
                    nodes.push((n, Some(i), dist + 1));
                }
            }
            i += 1;
        }
        Walk { nodes }
    }

    /// The chain from the start to the `i`th reached node, long ones elided.
    fn chain(&self, start: &str, i: usize, names: &[&str]) -> Chain {
        let (node, parent, dist) = self.nodes[i];
        let mut tail = vec![names[node].to_owned()];
        let mut p = parent;
        while let Some(pi) = p {
            if tail.len() == 2 && dist > 3 {
                tail.push(ELIDED.to_owned());
                break;
            }
            tail.push(names[self.nodes[pi].0].to_owned());
            p = self.nodes[pi].1;
        }
        tail.push(start.to_owned());
        tail.reverse();
        tail
    }
}

/// The regression gate: one row per component, in sheet order.
pub fn regression_gate(sheet: &Sheet) -> Vec<GateRow> {
    let names: Vec<&str> = sheet.components.ids().collect();
    let n = names.len();
    let mut depends_on: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, c) in sheet.components.iter().enumerate() {
        for d in c.item.depends_on.iter().flat_map(|d| &d.value) {
            if let Some(j) = sheet.components.position(&d.value)
                && !depends_on[i].contains(&j)
            {
                depends_on[i].push(j);
                dependents[j].push(i);
            }
        }
    }
    let retest_rank = |id: &str| sheet.retests.position(id).unwrap_or(usize::MAX);
    (0..n)
        .map(|ci| {
            let id = names[ci];
            let up = Walk::from(ci, &depends_on);
            let built_from = up
                .nodes
                .iter()
                .take(MAX_LISTED)
                .map(|&(c, _, _)| names[c].to_owned())
                .collect();
            let down = Walk::from(ci, &dependents);
            let reaches = (0..down.nodes.len().min(MAX_LISTED))
                .map(|i| down.chain(id, i, &names))
                .collect();
            // order[c] = position of component c among the touched ones (itself first).
            let mut order: Vec<Option<usize>> = vec![None; n];
            order[ci] = Some(0);
            for (k, &(c, _, _)) in down.nodes.iter().enumerate() {
                order[c] = Some(k + 1);
            }
            let mut events = Vec::new();
            for ev in &sheet.events {
                let first = ev
                    .item
                    .triggers
                    .iter()
                    .flat_map(|t| &t.value)
                    .filter_map(|t| sheet.components.position(&t.value))
                    .filter_map(|c| order[c])
                    .min();
                match first {
                    Some(0) => events.push((ev.id.value.clone(), vec![id.to_owned()])),
                    Some(k) => events.push((ev.id.value.clone(), down.chain(id, k - 1, &names))),
                    None => {}
                }
            }
            let mut required: Vec<String> = Vec::new();
            let mut add = |list: Option<&Spanned<Vec<Text>>>| {
                for t in list.iter().flat_map(|l| &l.value) {
                    if !required.contains(&t.value) {
                        required.push(t.value.clone());
                    }
                }
            };
            if let Some(c) = sheet.components.iter().nth(ci) {
                add(c.item.retests.as_ref());
            }
            for &(c, _, _) in &down.nodes {
                if let Some(comp) = sheet.components.iter().nth(c) {
                    add(comp.item.retests.as_ref());
                }
            }
            for (ev, _) in &events {
                if let Some(e) = sheet.events.get(ev) {
                    add(e.item.retests.as_ref());
                }
            }
            // Sheet order; undeclared ids after the declared ones, in the order met.
            let mut keyed: Vec<(usize, usize, String)> = required
                .into_iter()
                .enumerate()
                .map(|(k, r)| (retest_rank(&r), k, r))
                .collect();
            keyed.sort();
            GateRow {
                component: id.to_owned(),
                built_from,
                built_from_more: up.nodes.len().saturating_sub(MAX_LISTED),
                reaches,
                reaches_more: down.nodes.len().saturating_sub(MAX_LISTED),
                events,
                retests: keyed.into_iter().map(|(_, _, r)| r).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::load;

    const SHEET: &str = "version: 1
components:
  snippet: {paths: [a], retests: [smoke]}
  theme: {paths: [b], depends_on: [snippet]}
  checkout: {paths: [c], depends_on: [theme, ghost]}
  loop-a: {paths: [d], depends_on: [loop-b]}
  loop-b: {paths: [e], depends_on: [loop-a]}
events:
  Purchase: {triggers: [checkout], retests: [dedupe]}
  ViewContent: {triggers: [theme, snippet], retests: [smoke]}
retests:
  dedupe: {title: d}
  smoke: {title: s}
";

    fn sheet() -> Sheet {
        load("g.yaml", SHEET.as_bytes().to_vec()).sheet.unwrap()
    }

    #[test]
    fn gate_spells_out_transitive_dependents() {
        let rows = regression_gate(&sheet());
        let snippet = &rows[0];
        assert_eq!(
            snippet.reaches,
            [
                vec!["snippet".to_owned(), "theme".into()],
                vec!["snippet".into(), "theme".into(), "checkout".into()]
            ]
        );
        assert_eq!(
            snippet.events,
            [
                (
                    "Purchase".to_owned(),
                    vec!["snippet".to_owned(), "theme".into(), "checkout".into()]
                ),
                ("ViewContent".into(), vec!["snippet".into()]),
            ]
        );
        assert_eq!(snippet.retests, ["dedupe", "smoke"]);
        let checkout = &rows[2];
        // `ghost` is not declared: `check` reports it, the gate leaves it out.
        assert_eq!(checkout.built_from, ["theme", "snippet"]);
        assert!(checkout.reaches.is_empty());
        // A cycle ends the walk instead of looping.
        assert_eq!(
            rows[3].reaches,
            [vec!["loop-a".to_owned(), "loop-b".into()]]
        );
    }

    #[test]
    fn long_chains_are_elided_and_long_lists_counted() {
        let mut text = String::from("version: 1\ncomponents:\n  c0: {}\n");
        for i in 1..=60 {
            text.push_str(&format!("  c{i}: {{depends_on: [c{}]}}\n", i - 1));
        }
        text.push_str("events:\n  Purchase: {triggers: [c60]}\n");
        let s = load("g.yaml", text.into_bytes()).sheet.unwrap();
        let rows = regression_gate(&s);
        let first = &rows[0];
        assert_eq!(first.reaches.len(), MAX_LISTED);
        assert_eq!(first.reaches_more, 60 - MAX_LISTED);
        assert_eq!(first.reaches[2], ["c0", "c1", "c2", "c3"]);
        assert_eq!(first.reaches[3], ["c0", ELIDED, "c3", "c4"]);
        assert_eq!(
            first.events,
            [(
                "Purchase".to_owned(),
                vec!["c0".to_owned(), ELIDED.into(), "c59".into(), "c60".into()]
            )]
        );
        assert_eq!(rows[60].built_from.len(), MAX_LISTED);
        assert_eq!(rows[60].built_from_more, 60 - MAX_LISTED);
    }

    #[test]
    fn graph_skips_unknown_ids_and_sanitizes_mermaid_ids() {
        let g = Graph::of(&sheet());
        assert_eq!(g.nodes.len(), 9);
        // checkout depends on `ghost`, which is not declared: no edge, no node.
        assert!(g.find(NodeKind::Component, "ghost").is_none());
        let ids = g.mermaid_ids();
        assert_eq!(ids[3], "c_loop_a");
        assert_eq!(ids[5], "e_Purchase");
        let m = g.to_mermaid();
        assert!(m.contains("c_snippet --> c_theme"));
        assert!(m.contains("c_snippet -.-> r_smoke"));
        assert!(m.contains("e_Purchase --> r_dedupe"));
    }

    #[test]
    fn mermaid_ids_never_collide() {
        let s = load(
            "g.yaml",
            b"version: 1\ncomponents:\n  a-b: {}\n  a_b: {}\n  \"a b\": {}\n".to_vec(),
        )
        .sheet
        .unwrap();
        let ids = Graph::of(&s).mermaid_ids();
        assert_eq!(ids, ["c_a_b", "c_a_b_2", "c_a_b_3"]);
    }

    #[test]
    fn labels_and_strings_are_escaped() {
        assert_eq!(dot_string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(mermaid_label("x\"]; end --> y"), "x#quot;]; end --#gt; y");
        assert_eq!(mermaid_label("Sign_Up [a|b]"), "Sign_Up [a|b]");
    }
}
