//! Changed paths -> what they require: which components, events and retests a list of changed
//! paths touches, and every why-chain that leads there. What a change to some components
//! requires is the sheet's one answer ([`Graph::requires`](crate::sheet::graph::Graph::requires));
//! this module matches the paths and turns the walks into why-chains with files and dates.
//! Pure: it never reads a file or runs git.
//!
//! Work is done per component, not per file: each path is matched once against the one
//! [`GlobSet`](globset::GlobSet) of [`Matcher`], then the graph is walked once per directly
//! changed component.

use chrono::NaiveDate;

use super::history::Position;
use crate::globs::Matcher;
use crate::sheet::Sheet;

/// At most this many why-chains (distinct routes) are kept per retest, and at most
/// [`MAX_FILES_PER_CHAIN`] files per chain; the rest are only counted, so that a dense
/// `depends_on` web or a change of 100,000 files cannot blow up time or output.
pub const MAX_CHAINS_PER_RETEST: usize = 50;
/// See [`MAX_CHAINS_PER_RETEST`].
pub const MAX_FILES_PER_CHAIN: usize = 10;

/// A changed path, relative to the component root with `/` separators, where in the history
/// it last changed (see [`Position`]) and the date of that change when one is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedPath {
    pub path: String,
    pub date: Option<NaiveDate>,
    /// The newest commit of the history that touched the path (0 for a listed run).
    pub at: Position,
}

impl ChangedPath {
    /// A path without history (a listed run): position 0.
    pub fn new(path: impl Into<String>, date: Option<NaiveDate>) -> Self {
        Self::at(path, 0, date)
    }

    /// A path last changed by the commit at `at`, dated `date`.
    pub fn at(path: impl Into<String>, at: Position, date: Option<NaiveDate>) -> Self {
        Self {
            path: path.into(),
            date,
            at,
        }
    }
}

/// One why-chain: `files` matched `components[0]`; the change reached `components.last()`
/// through `depends_on`; that component triggers `event` (`None`: the component's own retests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Indices into [`Impact::files`].
    pub files: Vec<usize>,
    /// Component indices, from the matched one to the one that requires the retest.
    pub components: Vec<usize>,
    /// Event index in the sheet's `events`.
    pub event: Option<usize>,
}

/// A retest the change requires, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub retest: String,
    pub chains: Vec<Chain>,
    /// `(file, route)` pairs beyond the kept ones (see [`MAX_CHAINS_PER_RETEST`]), counted.
    pub chains_not_kept: usize,
    /// The change commit: the newest position over the files behind the retest.
    pub change_at: Position,
    /// The date of the change commit (the newest date among the files changed there).
    pub change_date: NaiveDate,
}

/// What a list of changed paths touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Impact {
    /// The changed paths, sorted, without repeats (a repeated path keeps its newest date).
    pub files: Vec<ChangedPath>,
    /// Touched components (indices, sheet order), directly or through `depends_on`.
    pub components: Vec<usize>,
    /// Touched events (indices, sheet order).
    pub events: Vec<usize>,
    /// Required retests: first those defined in `retests` (sheet order), then unknown ids.
    pub required: Vec<Requirement>,
}

/// Sort, dedupe (keeping the newest change of a repeated path) and drop empty paths.
fn dedupe(mut changed: Vec<ChangedPath>) -> Vec<ChangedPath> {
    changed.retain(|c| !c.path.is_empty());
    changed.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<ChangedPath> = Vec::with_capacity(changed.len());
    for c in changed {
        match out.last_mut() {
            Some(last) if last.path == c.path => {
                if (c.at, c.date) > (last.at, last.date) {
                    last.at = c.at;
                    last.date = c.date;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Events a change touches directly rather than through a component: the sheet's own change
/// to an event's contract (`retest::gate`). `file` is the changed file behind them (the sheet,
/// relative to the component root); its why-chain is `file -> event`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Direct {
    pub file: String,
    pub events: Vec<String>,
}

/// Map changed paths to the components, events and retests they touch. Files without a date
/// count as changed on `default_date`.
pub fn impact(
    sheet: &Sheet,
    matcher: &Matcher,
    changed: Vec<ChangedPath>,
    default_date: NaiveDate,
) -> Impact {
    impact_with(sheet, matcher, changed, &Direct::default(), default_date)
}

/// [`impact`], with events touched directly (`direct.file` must be one of `changed`).
pub fn impact_with(
    sheet: &Sheet,
    matcher: &Matcher,
    changed: Vec<ChangedPath>,
    touch: &Direct,
    default_date: NaiveDate,
) -> Impact {
    let files = dedupe(changed);
    let direct_file = files
        .binary_search_by(|f| f.path.as_str().cmp(touch.file.as_str()))
        .ok()
        .filter(|_| !touch.events.is_empty());
    let n = sheet.components.len();

    // Files -> the components their paths match (one GlobSet query per file).
    let mut direct: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (fi, f) in files.iter().enumerate() {
        for c in matcher.components_for(&f.path) {
            if let Some(d) = direct.get_mut(c) {
                d.push(fi);
            }
        }
    }
    let starts: Vec<usize> = (0..n).filter(|&c| !direct[c].is_empty()).collect();
    // The newest change (position, then date) among the files of each changed component.
    let newest: Vec<(Position, NaiveDate)> = starts
        .iter()
        .map(|&s| {
            direct[s]
                .iter()
                .map(|&fi| (files[fi].at, files[fi].date.unwrap_or(default_date)))
                .max()
                .unwrap_or((0, default_date))
        })
        .collect();

    // One walk per directly changed component: the sheet's one answer to what it requires.
    let direct_events: Vec<usize> = if direct_file.is_some() {
        touch
            .events
            .iter()
            .filter_map(|e| sheet.events.position(e))
            .collect()
    } else {
        Vec::new()
    };
    let requires = sheet.graph().requires(sheet, &starts, &direct_events);
    let mut reached_by: Vec<&[usize]> = vec![&[]; n];
    for (c, k) in &requires.components {
        reached_by[*c] = k;
    }
    let components: Vec<usize> = requires.components.iter().map(|(c, _)| *c).collect();

    let mut required: Vec<Requirement> = Vec::new();
    // `t`: the component that requires the retest; `None`: the event is touched directly.
    let add = |req: &mut Requirement, t: Option<usize>, event: Option<usize>| {
        let Some(t) = t else {
            if let Some(fi) = direct_file {
                req.change_date = req.change_date.max(files[fi].date.unwrap_or(default_date));
                if req.chains.len() >= MAX_CHAINS_PER_RETEST {
                    req.chains_not_kept += 1;
                } else {
                    req.chains.push(Chain {
                        files: vec![fi],
                        components: Vec::new(),
                        event,
                    });
                }
            }
            return;
        };
        for &k in reached_by[t] {
            if newest[k] > (req.change_at, req.change_date) {
                (req.change_at, req.change_date) = newest[k];
            }
            let files = &direct[starts[k]];
            if req.chains.len() >= MAX_CHAINS_PER_RETEST {
                req.chains_not_kept += files.len();
                continue;
            }
            let kept = files.len().min(MAX_FILES_PER_CHAIN);
            req.chains_not_kept += files.len() - kept;
            req.chains.push(Chain {
                files: files[..kept].to_vec(),
                components: requires.walks[k].route(t),
                event,
            });
        }
    };
    for need in &requires.retests {
        let mut req = Requirement {
            retest: need.retest.clone(),
            chains: Vec::new(),
            chains_not_kept: 0,
            change_at: 0,
            change_date: NaiveDate::MIN,
        };
        for &t in &need.components {
            add(&mut req, Some(t), None);
        }
        for &k in &need.events {
            let e = &requires.events[k];
            for &t in &e.by {
                add(&mut req, Some(t), Some(e.event));
            }
            if e.direct {
                add(&mut req, None, Some(e.event));
            }
        }
        required.push(req);
    }
    let events: Vec<usize> = requires.events.iter().map(|e| e.event).collect();

    // Defined retests in sheet order, then unknown ids by name.
    for r in &mut required {
        r.chains.sort_by(|a, b| {
            (a.files.first(), &a.components, a.event).cmp(&(
                b.files.first(),
                &b.components,
                b.event,
            ))
        });
    }
    Impact {
        files,
        components,
        events,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{build, yaml};
    use crate::source::SourceFile;

    const SHEET: &str = "\
version: 1
events:
  Purchase:
    triggers: [checkout, server]
    retests: [purchase-dedupe]
  ViewContent:
    triggers: [theme]
    retests: [smoke]
components:
  snippet:
    paths: ['theme/snippets/tracking.liquid']
    retests: [smoke]
  theme:
    paths: ['theme/**', '!theme/**/*.md', '!theme/snippets/tracking.liquid']
    depends_on: [snippet]
  checkout:
    paths: ['checkout/**']
    depends_on: [snippet]
  server:
    paths: ['server/*.json']
  loop-a:
    paths: ['loop/a']
    depends_on: [loop-b]
    retests: [loop-check]
  loop-b:
    paths: ['loop/b']
    depends_on: [loop-a]
retests:
  purchase-dedupe: {title: dedupe}
  smoke: {title: smoke}
  loop-check: {title: loop}
";

    fn sheet() -> Sheet {
        let src = SourceFile::new("g.yaml", SHEET);
        build::build(&src, yaml::parse(SHEET).unwrap()).0
    }

    fn run(paths: &[&str]) -> (Sheet, Impact) {
        let s = sheet();
        let (m, errs) = Matcher::new(&s.components);
        assert!(errs.is_empty());
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let changed = paths.iter().map(|p| ChangedPath::new(*p, None)).collect();
        let i = impact(&s, &m, changed, today);
        (s, i)
    }

    fn names(s: &Sheet, i: &Impact) -> Vec<Vec<String>> {
        i.required
            .iter()
            .flat_map(|r| {
                r.chains.iter().map(move |c| {
                    let mut v = vec![r.retest.clone(), i.files[c.files[0]].path.clone()];
                    v.extend(
                        c.components
                            .iter()
                            .map(|&x| s.components.iter().as_slice()[x].id.value.to_string()),
                    );
                    v.extend(
                        c.event
                            .map(|e| s.events.iter().as_slice()[e].id.value.to_string()),
                    );
                    v
                })
            })
            .collect()
    }

    #[test]
    fn shared_snippet_reaches_theme_and_checkout_transitively() {
        let (s, i) = run(&["theme/snippets/tracking.liquid"]);
        assert_eq!(i.components, vec![0, 1, 2]);
        assert_eq!(i.events, vec![0, 1]);
        let chains = names(&s, &i);
        assert!(chains.contains(&vec![
            "purchase-dedupe".into(),
            "theme/snippets/tracking.liquid".into(),
            "snippet".into(),
            "checkout".into(),
            "Purchase".into()
        ]));
        assert!(chains.contains(&vec![
            "smoke".into(),
            "theme/snippets/tracking.liquid".into(),
            "snippet".into(),
            "theme".into(),
            "ViewContent".into()
        ]));
        // the snippet's own retest: no event in the chain
        assert!(chains.contains(&vec![
            "smoke".into(),
            "theme/snippets/tracking.liquid".into(),
            "snippet".into()
        ]));
    }

    #[test]
    fn theme_change_does_not_flow_back_to_its_dependency() {
        let (_, i) = run(&["theme/layout/theme.liquid"]);
        assert_eq!(i.components, vec![1]);
        assert_eq!(i.events, vec![1]);
        assert_eq!(i.required.len(), 1);
        assert_eq!(i.required[0].retest, "smoke");
    }

    #[test]
    fn negated_glob_leaves_the_file_out() {
        let (_, i) = run(&["theme/README.md", "docs/x.md"]);
        assert!(i.components.is_empty());
        assert!(i.required.is_empty());
        assert_eq!(i.files.len(), 2);
    }

    #[test]
    fn cycles_terminate_and_touch_both_members() {
        let (s, i) = run(&["loop/a"]);
        assert_eq!(i.components, vec![4, 5]);
        let chains = names(&s, &i);
        assert_eq!(
            chains,
            vec![vec![
                "loop-check".to_owned(),
                "loop/a".into(),
                "loop-a".into()
            ]]
        );
        let (s, i) = run(&["loop/b"]);
        assert_eq!(
            names(&s, &i),
            vec![vec![
                "loop-check".to_owned(),
                "loop/b".into(),
                "loop-b".into(),
                "loop-a".into()
            ]]
        );
    }

    #[test]
    fn a_diamond_is_explained_through_the_dependency_first_in_sheet_order() {
        // The walk of the sheet's graph, the same the document's regression gate shows.
        let text = "version: 1\ncomponents:\n  base: {paths: [base]}\n  left: {paths: [l], depends_on: [base]}\n  right: {paths: [r], depends_on: [base]}\n  top: {paths: [t], depends_on: [right, left], retests: [smoke]}\nretests:\n  smoke: {title: s}\n";
        let s = build::build(&SourceFile::new("g.yaml", text), yaml::parse(text).unwrap()).0;
        let (m, _) = Matcher::new(&s.components);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let i = impact(&s, &m, vec![ChangedPath::new("base", None)], today);
        assert_eq!(
            names(&s, &i),
            vec![vec![
                "smoke".to_owned(),
                "base".into(),
                "base".into(),
                "left".into(),
                "top".into()
            ]]
        );
    }

    #[test]
    fn files_are_grouped_per_component_and_deduped() {
        let (_, i) = run(&[
            "server/b.json",
            "server/a.json",
            "server/a.json",
            "server/x/c.json",
        ]);
        assert_eq!(i.files.len(), 3);
        assert_eq!(i.required.len(), 1);
        let r = &i.required[0];
        assert_eq!(r.retest, "purchase-dedupe");
        assert_eq!(r.chains.len(), 1);
        assert_eq!(r.chains[0].files, vec![0, 1]);
    }

    #[test]
    fn many_files_are_counted_beyond_the_kept_ones() {
        let paths: Vec<String> = (0..25).map(|i| format!("server/{i:02}.json")).collect();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let (_, i) = run(&refs);
        let r = &i.required[0];
        assert_eq!(r.chains[0].files.len(), MAX_FILES_PER_CHAIN);
        assert_eq!(r.chains_not_kept, 25 - MAX_FILES_PER_CHAIN);
    }

    #[test]
    fn change_date_is_the_newest_file_behind_the_retest() {
        let s = sheet();
        let (m, _) = Matcher::new(&s.components);
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day);
        let changed = vec![
            ChangedPath::new("server/a.json", d(3)),
            ChangedPath::new("server/b.json", d(9)),
            ChangedPath::new("theme/layout/x.liquid", d(20)),
        ];
        let i = impact(&s, &m, changed, d(25).unwrap());
        let get = |id: &str| i.required.iter().find(|r| r.retest == id).unwrap();
        assert_eq!(get("purchase-dedupe").change_date, d(9).unwrap());
        assert_eq!(get("smoke").change_date, d(20).unwrap());
    }
}
