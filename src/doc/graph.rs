//! The drawing of the sheet's component graph ([`Sheet::graph`]: component -> dependent component -> triggered event -> retest) as data, the regression gate read from it, and its Graphviz dot and Mermaid text; references to ids the sheet does not declare are left out (`check` reports them).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::sheet::graph::{Direction, Reach};
use crate::sheet::model::Sheet;

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
    /// The drawing of a sheet's component graph ([`Sheet::graph`]).
    pub fn of(sheet: &Sheet) -> Self {
        let graph = sheet.graph();
        let comps: Vec<&str> = sheet.components.ids().collect();
        let events: Vec<&str> = sheet.events.ids().collect();
        let mut g = Graph::default();
        for c in &comps {
            g.add_node(NodeKind::Component, c);
        }
        for e in &events {
            g.add_node(NodeKind::Event, e);
        }
        for r in &sheet.retests {
            g.add_node(NodeKind::Retest, &r.id.value);
        }
        for (ci, c) in comps.iter().enumerate() {
            for &(_, dep) in graph.depends_on(ci) {
                g.add_edge(
                    (NodeKind::Component, comps[dep]),
                    (NodeKind::Component, c),
                    EdgeKind::DependedOnBy,
                );
            }
        }
        for (ei, e) in events.iter().enumerate() {
            for &t in graph.triggers(ei) {
                g.add_edge(
                    (NodeKind::Component, comps[t]),
                    (NodeKind::Event, e),
                    EdgeKind::Triggers,
                );
            }
        }
        for (ci, c) in comps.iter().enumerate() {
            for r in graph.component_retests(ci) {
                g.add_edge(
                    (NodeKind::Component, c),
                    (NodeKind::Retest, r),
                    EdgeKind::Requires,
                );
            }
        }
        for (ei, e) in events.iter().enumerate() {
            for r in graph.event_retests(ei) {
                g.add_edge(
                    (NodeKind::Event, e),
                    (NodeKind::Retest, r),
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

/// The chain from a walk's start to `to`, long ones elided: the start, [`ELIDED`], and the
/// last two links.
fn chain(walk: &Reach, to: usize, names: &[&str]) -> Chain {
    let route = walk.route(to);
    let named = |c: &usize| names[*c].to_owned();
    if route.len() > 4 {
        let mut out = vec![named(&route[0]), ELIDED.to_owned()];
        out.extend(route[route.len() - 2..].iter().map(named));
        out
    } else {
        route.iter().map(named).collect()
    }
}

/// The regression gate: one row per component, in sheet order. What a change in each
/// component requires is the sheet's one answer ([`Graph::requires`](crate::sheet::graph::Graph::requires)),
/// the same `retests` computes for a changed file of that component.
pub fn regression_gate(sheet: &Sheet) -> Vec<GateRow> {
    let names: Vec<&str> = sheet.components.ids().collect();
    let graph = sheet.graph();
    (0..names.len())
        .map(|ci| {
            let id = names[ci];
            let up = graph.reach(ci, Direction::DependsOn);
            let built_from = up.order[1..]
                .iter()
                .take(MAX_LISTED)
                .map(|&c| names[c].to_owned())
                .collect();
            let requires = graph.requires(sheet, &[ci], &[]);
            let down = &requires.walks[0];
            let reaches = down.order[1..]
                .iter()
                .take(MAX_LISTED)
                .map(|&c| chain(down, c, &names))
                .collect();
            // Each event with the chain to its nearest triggering component.
            let events = requires
                .events
                .iter()
                .filter_map(|e| {
                    let nearest = e.by.iter().copied().min_by_key(|&c| down.position(c))?;
                    let ev = sheet.events.iter().nth(e.event)?;
                    Some((ev.id.value.to_string(), chain(down, nearest, &names)))
                })
                .collect();
            GateRow {
                component: id.to_owned(),
                built_from,
                built_from_more: (up.order.len() - 1).saturating_sub(MAX_LISTED),
                reaches,
                reaches_more: (down.order.len() - 1).saturating_sub(MAX_LISTED),
                events,
                retests: requires.retests.into_iter().map(|r| r.retest).collect(),
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
