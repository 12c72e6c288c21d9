//! The component graph of one sheet, the one answer to "what depends on what" and "what does a
//! change require": `depends_on` both ways, the components each event is triggered by, the
//! retests of every component and event (an event's own `retests`, then the retests whose
//! `events` name it), walks with predecessors, the cycles (strongly connected components), and
//! [`Graph::requires`]: changed components -> touched components -> touched events -> retests.
//!
//! Built once per sheet, lazily, by [`Sheet::graph`] (the only caller of
//! [`Graph::of`]); `check`'s built-ins, `retests`, `doc` and `graph` all read that one value.
//! Ids the sheet does not declare are left out of the edges (`check` reports them), except
//! retest ids: a change still requires a retest that is not defined. Pure.

use std::collections::{HashMap, HashSet};

use petgraph::graph::{DiGraph, NodeIndex};

use super::{Sheet, Spanned, Text};

/// The graph of one sheet's components, events and retests, by index in sheet order.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Component -> the components it depends on: `(index of the entry in its depends_on list,
    /// component)`, first entry per component, in list order.
    depends_on: Vec<Vec<(usize, usize)>>,
    /// Component -> the components that depend on it, in sheet order.
    dependents: Vec<Vec<usize>>,
    /// Event -> the components in its `triggers`, in list order, without repeats.
    triggers: Vec<Vec<usize>>,
    /// Component -> its own `retests`, without repeats.
    component_retests: Vec<Vec<String>>,
    /// Event -> its retests: its own `retests`, then the retests whose `events` name it.
    event_retests: Vec<Vec<String>>,
    /// The strongly connected components of `depends_on` that hold a cycle (two or more
    /// components, or one that depends on itself): members in sheet order, ordered by their
    /// first member.
    cycles: Vec<Vec<usize>>,
}

/// Which way a walk follows `depends_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a component to the components that depend on it: where a change spreads.
    Dependents,
    /// From a component to what it is built from.
    DependsOn,
}

/// A breadth-first walk from one component: what it reaches, nearest first, with the
/// predecessor of each (cycles end the walk: nothing is visited twice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    /// The components reached, the start first, nearest first, in sheet order between equals.
    pub order: Vec<usize>,
    /// Component -> the component it was reached from (`usize::MAX`: not reached; the start is
    /// its own predecessor).
    pred: Vec<usize>,
    /// Component -> its position in `order` (`usize::MAX`: not reached).
    pos: Vec<usize>,
}

impl Reach {
    /// The start of the walk.
    pub fn start(&self) -> usize {
        self.order[0]
    }

    /// Whether the walk reached component `c`.
    pub fn reaches(&self, c: usize) -> bool {
        self.pos.get(c).is_some_and(|&p| p != usize::MAX)
    }

    /// Where `c` is in [`Reach::order`], when reached.
    pub fn position(&self, c: usize) -> Option<usize> {
        self.pos.get(c).copied().filter(|&p| p != usize::MAX)
    }

    /// The components from the start to `to`, both included (empty when `to` is not reached).
    pub fn route(&self, to: usize) -> Vec<usize> {
        if !self.reaches(to) {
            return Vec::new();
        }
        let mut out = vec![to];
        let mut at = to;
        while self.pred[at] != at && out.len() <= self.pred.len() {
            at = self.pred[at];
            out.push(at);
        }
        out.reverse();
        out
    }
}

/// An event a change touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchedEvent {
    pub event: usize,
    /// The touched components in its `triggers`, in sheet order.
    pub by: Vec<usize>,
    /// Whether the change touches it directly (the sheet's own change to the event's contract).
    pub direct: bool,
}

/// A retest a change requires, and what requires it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub retest: String,
    /// Touched components that list it in their own `retests`, in sheet order.
    pub components: Vec<usize>,
    /// Touched events it is a retest of (indices into [`Requires::events`]).
    pub events: Vec<usize>,
}

/// What a change to some components (and some events directly) requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requires {
    /// One walk along [`Direction::Dependents`] per changed component, in the order given.
    pub walks: Vec<Reach>,
    /// The touched components in sheet order, each with the walks (indices into `walks`) that
    /// reach it.
    pub components: Vec<(usize, Vec<usize>)>,
    /// The touched events, in sheet order.
    pub events: Vec<TouchedEvent>,
    /// The required retests: those defined under `retests` in sheet order, then the ids that
    /// are not defined, by name.
    pub retests: Vec<Need>,
}

/// The ids of a list, without repeats, in list order.
fn unique(list: Option<&Spanned<Vec<Text>>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in list.map(|l| l.value.as_slice()).unwrap_or_default() {
        if !out.iter().any(|o| o == t.as_str()) {
            out.push(t.value.to_string());
        }
    }
    out
}

impl Graph {
    /// Build the graph of a sheet. Call it through [`Sheet::graph`], which
    /// builds it once per sheet.
    pub(super) fn of(sheet: &Sheet) -> Graph {
        let n = sheet.components.len();
        let mut depends_on: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut component_retests = Vec::with_capacity(n);
        let mut digraph: DiGraph<usize, ()> = DiGraph::with_capacity(n, n);
        let nodes: Vec<NodeIndex> = (0..n).map(|i| digraph.add_node(i)).collect();
        for (ci, c) in sheet.components.iter().enumerate() {
            for (j, d) in c.item.depends_on.iter().flat_map(|d| &d.value).enumerate() {
                let Some(di) = sheet.components.position(d.as_str()) else {
                    continue;
                };
                if depends_on[ci].iter().any(|&(_, x)| x == di) {
                    continue;
                }
                depends_on[ci].push((j, di));
                dependents[di].push(ci);
                digraph.add_edge(nodes[ci], nodes[di], ());
            }
            component_retests.push(unique(c.item.retests.as_ref()));
        }
        let mut triggers = Vec::with_capacity(sheet.events.len());
        let mut event_retests = Vec::with_capacity(sheet.events.len());
        for e in &sheet.events {
            let mut by: Vec<usize> = Vec::new();
            for t in e.item.triggers.iter().flat_map(|t| &t.value) {
                if let Some(c) = sheet.components.position(t.as_str())
                    && !by.contains(&c)
                {
                    by.push(c);
                }
            }
            triggers.push(by);
            event_retests.push(unique(e.item.retests.as_ref()));
        }
        // A retest whose `events` names an event is a retest of that event.
        for r in &sheet.retests {
            for t in r.item.events.iter().flat_map(|l| &l.value) {
                if let Some(ei) = sheet.events.position(t.as_str())
                    && !event_retests[ei].iter().any(|x| x == r.id.as_str())
                {
                    event_retests[ei].push(r.id.value.to_string());
                }
            }
        }
        let mut cycles: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&digraph)
            .into_iter()
            .map(|scc| {
                let mut m: Vec<usize> = scc.iter().map(|x| digraph[*x]).collect();
                m.sort_unstable();
                m
            })
            .filter(|m| m.len() > 1 || depends_on[m[0]].iter().any(|&(_, d)| d == m[0]))
            .collect();
        cycles.sort_unstable();
        Graph {
            depends_on,
            dependents,
            triggers,
            component_retests,
            event_retests,
            cycles,
        }
    }

    /// How many components the graph has.
    pub fn len(&self) -> usize {
        self.dependents.len()
    }

    /// Whether the sheet has no components.
    pub fn is_empty(&self) -> bool {
        self.dependents.is_empty()
    }

    /// What component `c` depends on: `(index of the entry in its depends_on, component)`.
    pub fn depends_on(&self, c: usize) -> &[(usize, usize)] {
        self.depends_on.get(c).map_or(&[], Vec::as_slice)
    }

    /// The components that depend on component `c`, in sheet order.
    pub fn dependents(&self, c: usize) -> &[usize] {
        self.dependents.get(c).map_or(&[], Vec::as_slice)
    }

    /// The declared components event `e` lists in `triggers`.
    pub fn triggers(&self, e: usize) -> &[usize] {
        self.triggers.get(e).map_or(&[], Vec::as_slice)
    }

    /// Component `c`'s own retests.
    pub fn component_retests(&self, c: usize) -> &[String] {
        self.component_retests.get(c).map_or(&[], Vec::as_slice)
    }

    /// The retests of event `e`: its own `retests`, then the retests whose `events` name it.
    pub fn event_retests(&self, e: usize) -> &[String] {
        self.event_retests.get(e).map_or(&[], Vec::as_slice)
    }

    /// Every retest id some component or event asks for (see [`Graph::event_retests`]).
    pub fn required_somewhere(&self) -> HashSet<&str> {
        self.component_retests
            .iter()
            .chain(&self.event_retests)
            .flatten()
            .map(String::as_str)
            .collect()
    }

    /// The cycles of `depends_on` (see the field).
    pub fn cycles(&self) -> &[Vec<usize>] {
        &self.cycles
    }

    /// Walk from `start` along `direction`.
    pub fn reach(&self, start: usize, direction: Direction) -> Reach {
        let n = self.len();
        let mut pred = vec![usize::MAX; n];
        let mut pos = vec![usize::MAX; n];
        let mut order = vec![start];
        if start >= n {
            return Reach { order, pred, pos };
        }
        pred[start] = start;
        pos[start] = 0;
        let mut i = 0;
        while i < order.len() {
            let at = order[i];
            i += 1;
            let next: Box<dyn Iterator<Item = usize> + '_> = match direction {
                Direction::Dependents => Box::new(self.dependents[at].iter().copied()),
                Direction::DependsOn => Box::new(self.depends_on[at].iter().map(|&(_, d)| d)),
            };
            for c in next {
                if pred[c] == usize::MAX {
                    pred[c] = at;
                    pos[c] = order.len();
                    order.push(c);
                }
            }
        }
        Reach { order, pred, pos }
    }

    /// What a change requires: the components in `changed` and every component that depends on
    /// them (transitively), the events those trigger plus the events in `direct` (touched by
    /// the change itself), and the retests of all of them. `sheet` is the sheet the graph was
    /// built from (for the order of retest ids).
    pub fn requires<'a>(&'a self, sheet: &Sheet, changed: &[usize], direct: &[usize]) -> Requires {
        let n = self.len();
        let walks: Vec<Reach> = changed
            .iter()
            .filter(|&&c| c < n)
            .map(|&c| self.reach(c, Direction::Dependents))
            .collect();
        let mut reached_by: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (k, w) in walks.iter().enumerate() {
            for &c in &w.order {
                reached_by[c].push(k);
            }
        }
        let components: Vec<(usize, Vec<usize>)> = reached_by
            .into_iter()
            .enumerate()
            .filter(|(_, k)| !k.is_empty())
            .collect();
        let touched: HashSet<usize> = components.iter().map(|(c, _)| *c).collect();
        let events: Vec<TouchedEvent> = (0..self.triggers.len())
            .filter_map(|e| {
                let mut by: Vec<usize> = self.triggers[e]
                    .iter()
                    .copied()
                    .filter(|c| touched.contains(c))
                    .collect();
                by.sort_unstable();
                let direct = direct.contains(&e);
                (!by.is_empty() || direct).then_some(TouchedEvent {
                    event: e,
                    by,
                    direct,
                })
            })
            .collect();
        let mut retests: Vec<Need> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut need = |retests: &mut Vec<Need>, id: &'a str| -> usize {
            *index.entry(id).or_insert_with(|| {
                retests.push(Need {
                    retest: id.to_owned(),
                    components: Vec::new(),
                    events: Vec::new(),
                });
                retests.len() - 1
            })
        };
        for (c, _) in &components {
            for r in self.component_retests(*c) {
                let i = need(&mut retests, r);
                retests[i].components.push(*c);
            }
        }
        for (k, e) in events.iter().enumerate() {
            for r in self.event_retests(e.event) {
                let i = need(&mut retests, r);
                retests[i].events.push(k);
            }
        }
        retests.sort_by(|a, b| {
            let rank = |r: &Need| sheet.retests.position(&r.retest).unwrap_or(usize::MAX);
            (rank(a), &a.retest).cmp(&(rank(b), &b.retest))
        });
        Requires {
            walks,
            components,
            events,
            retests,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::load;

    const SHEET: &str = "version: 1
components:
  snippet: {paths: [a], retests: [smoke]}
  theme: {paths: [b], depends_on: [snippet, snippet]}
  checkout: {paths: [c], depends_on: [theme, ghost, snippet]}
  loop-a: {paths: [d], depends_on: [loop-b]}
  loop-b: {paths: [e], depends_on: [loop-a]}
  solo: {paths: [f], depends_on: [solo]}
events:
  Purchase: {triggers: [checkout, nowhere], retests: [dedupe, dedupe]}
  ViewContent: {triggers: [theme], retests: [smoke]}
  Lead: {}
retests:
  dedupe: {title: d}
  smoke: {title: s}
  overlap: {title: o, events: [Purchase, Lead, Nope]}
";

    fn sheet() -> Sheet {
        load("g.yaml", SHEET.as_bytes().to_vec()).sheet.unwrap()
    }

    #[test]
    fn edges_both_ways_without_repeats_or_unknown_ids() {
        let s = sheet();
        let g = s.graph();
        assert_eq!(g.depends_on(1), [(0, 0)]);
        assert_eq!(g.depends_on(2), [(0, 1), (2, 0)]);
        assert_eq!(g.dependents(0), [1, 2]);
        assert_eq!(g.triggers(0), [2]);
    }

    #[test]
    fn an_event_s_retests_include_the_retests_that_name_it() {
        let s = sheet();
        let g = s.graph();
        assert_eq!(g.event_retests(0), ["dedupe", "overlap"]);
        assert_eq!(g.event_retests(1), ["smoke"]);
        assert_eq!(g.event_retests(2), ["overlap"]);
        assert!(g.required_somewhere().contains("overlap"));
    }

    #[test]
    fn cycles_are_the_strongly_connected_components_with_a_cycle() {
        let s = sheet();
        assert_eq!(s.graph().cycles(), [vec![3, 4], vec![5]]);
    }

    #[test]
    fn walks_keep_predecessors_and_end_at_cycles() {
        let s = sheet();
        let g = s.graph();
        let down = g.reach(0, Direction::Dependents);
        assert_eq!(down.order, [0, 1, 2]);
        assert_eq!(down.route(2), [0, 2]);
        assert_eq!(down.position(1), Some(1));
        let up = g.reach(2, Direction::DependsOn);
        assert_eq!(up.order, [2, 1, 0]);
        let around = g.reach(3, Direction::Dependents);
        assert_eq!(around.order, [3, 4]);
        assert!(!around.reaches(0));
        assert!(around.route(0).is_empty());
    }

    #[test]
    fn a_change_requires_the_retests_of_what_it_touches() {
        let s = sheet();
        let g = s.graph();
        let r = g.requires(&s, &[1], &[]);
        let comps: Vec<usize> = r.components.iter().map(|(c, _)| *c).collect();
        assert_eq!(comps, [1, 2]);
        let events: Vec<usize> = r.events.iter().map(|e| e.event).collect();
        assert_eq!(events, [0, 1]);
        let ids: Vec<&str> = r.retests.iter().map(|n| n.retest.as_str()).collect();
        assert_eq!(ids, ["dedupe", "smoke", "overlap"]);
        // An event touched directly requires its retests without a component.
        let r = g.requires(&s, &[], &[2]);
        assert_eq!(r.events[0].by, Vec::<usize>::new());
        assert_eq!(r.retests[0].retest, "overlap");
    }

    #[test]
    fn the_graph_is_built_once_per_sheet() {
        let s = sheet();
        assert!(std::ptr::eq(s.graph(), s.graph()));
    }
}
