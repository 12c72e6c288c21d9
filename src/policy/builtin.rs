//! Built-in checks: what needs a graph, a date or the repository's files, invoked by name from
//! a pack (`builtin: dependency-cycle`) so they are listed, configured and waived like any rule.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;

use super::info::RuleInfo;
use crate::finding::Finding;
use crate::globs::{GlobError, Matcher};
use crate::retest::state;
use crate::sheet::Sheet;

/// Every built-in check a pack can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Findings made while loading (yaml-syntax, schema): nothing to run here.
    SheetLoader,
    InvalidGlob,
    ComponentMatchesNothing,
    DependencyCycle,
    /// An event with no retest at all (its own `retests` and the retests whose `events` name it).
    EventRetest,
    UnusedRetest,
    IncidentOpen,
    ReviewOverdue,
    RecordDate,
    RetestStale,
    Placeholder,
    /// Made when policy and waivers are applied (see `waiver::finalize`).
    UnknownRule,
    WaiverExpired,
    WaiverUnused,
    WaiverExpiring,
}

/// What a built-in reads besides the sheet, or who makes its findings instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// The sheet alone.
    Sheet,
    /// Today's date (and the records, which the loader joins to the sheet from `records_dir`).
    Today,
    /// The repository's files (walked by the CLI only when an enabled rule needs them).
    Files,
    /// Its findings are made by the loader or by the waiver step for the core rule of the same
    /// name: the built-in runs nothing, so only that core rule may name it.
    CoreOnly,
}

/// One built-in: the name a pack writes, the check, and what it needs.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub name: &'static str,
    pub builtin: Builtin,
    pub needs: Needs,
}

/// Every built-in check a pack can name, in one list.
pub const ENTRIES: [Entry; 15] = [
    entry("sheet-loader", Builtin::SheetLoader, Needs::CoreOnly),
    entry("invalid-glob", Builtin::InvalidGlob, Needs::Sheet),
    entry(
        "component-matches-nothing",
        Builtin::ComponentMatchesNothing,
        Needs::Files,
    ),
    entry("dependency-cycle", Builtin::DependencyCycle, Needs::Sheet),
    entry("event-retest", Builtin::EventRetest, Needs::Sheet),
    entry("unused-retest", Builtin::UnusedRetest, Needs::Sheet),
    entry("incident-open", Builtin::IncidentOpen, Needs::Sheet),
    entry("review-overdue", Builtin::ReviewOverdue, Needs::Today),
    entry("record-date", Builtin::RecordDate, Needs::Today),
    entry("retest-stale", Builtin::RetestStale, Needs::Today),
    entry("placeholder", Builtin::Placeholder, Needs::Sheet),
    entry("unknown-rule", Builtin::UnknownRule, Needs::CoreOnly),
    entry("waiver-expired", Builtin::WaiverExpired, Needs::CoreOnly),
    entry("waiver-unused", Builtin::WaiverUnused, Needs::CoreOnly),
    entry("waiver-expiring", Builtin::WaiverExpiring, Needs::CoreOnly),
];

const fn entry(name: &'static str, builtin: Builtin, needs: Needs) -> Entry {
    Entry {
        name,
        builtin,
        needs,
    }
}

impl Builtin {
    /// The entry of a name a pack writes.
    pub fn entry(name: &str) -> Option<&'static Entry> {
        ENTRIES.iter().find(|e| e.name == name)
    }

    /// What this built-in needs (see [`Needs`]).
    pub fn needs(self) -> Needs {
        ENTRIES
            .iter()
            .find(|e| e.builtin == self)
            .map_or(Needs::Sheet, |e| e.needs)
    }
}

/// What the built-ins read besides the sheet.
pub struct Input<'a> {
    pub today: NaiveDate,
    /// Repository files relative to the component root, when the CLI walked them: at least
    /// every file a component glob can match (`component-matches-nothing`, the one built-in
    /// that reads them: see `cli::packs::check_sheet`).
    pub files: Option<&'a [String]>,
    /// The component globs, compiled once for every built-in that needs them.
    globs: OnceLock<(Matcher, Vec<GlobError>)>,
}

impl<'a> Input<'a> {
    pub fn new(today: NaiveDate, files: Option<&'a [String]>) -> Self {
        Input {
            today,
            files,
            globs: OnceLock::new(),
        }
    }

    /// With the sheet's component globs already compiled (`Matcher::new` of its components),
    /// which the built-ins then use instead of compiling them again.
    pub(crate) fn with_globs(self, globs: (Matcher, Vec<GlobError>)) -> Self {
        let set = self.globs.set(globs);
        debug_assert!(
            set.is_ok(),
            "the globs are handed over once, before any built-in runs"
        );
        self
    }

    fn globs(&self, sheet: &Sheet) -> &(Matcher, Vec<GlobError>) {
        self.globs.get_or_init(|| Matcher::new(&sheet.components))
    }
}

/// What to write instead of a glob that matches nothing: `dir/**` for a folder-style glob
/// (`dir`, `dir/`, `/dir`, `/dir/**`), the closest file for a literal path with a typo.
fn unmatched_help(pattern: &str, files: &[String]) -> String {
    const GENERAL: &str = "fix the glob so it matches the component's files (paths are relative to the repository root, or to `root` when the sheet sets it), or remove it";
    let rooted = pattern.starts_with('/');
    let bare = pattern.trim_start_matches('/');
    let folder = bare
        .strip_suffix("/**")
        .or_else(|| bare.strip_suffix('/'))
        .unwrap_or(bare)
        .trim_end_matches('/');
    let literal = !folder.contains(['*', '?', '[', ']', '{', '}', '\\']);
    let is_folder = |dir: &str| {
        let prefix = format!("{dir}/");
        files.iter().any(|f| f.starts_with(&prefix))
    };
    if literal && !folder.is_empty() && (rooted || pattern.ends_with('/') || is_folder(folder)) {
        return format!(
            "paths are relative to the repository root and a folder's files are matched with `/**`: write `{folder}/**`"
        );
    }
    if literal && !folder.is_empty() {
        let dir = folder.rfind('/').map_or("", |i| &folder[..i]);
        let siblings = files
            .iter()
            .map(String::as_str)
            .filter(|f| f.rfind('/').map_or("", |i| &f[..i]) == dir);
        if let Some(close) = crate::suggest::did_you_mean(folder, siblings) {
            return format!("did you mean `{close}`?");
        }
    }
    GENERAL.to_owned()
}

/// Run one built-in; findings carry the rule's default severity.
pub fn run(b: Builtin, info: &RuleInfo, sheet: &Sheet, input: &Input<'_>, out: &mut Vec<Finding>) {
    let new = |msg: String| Finding::new(&info.id, info.severity, msg);
    let src = &sheet.source;
    match b {
        Builtin::SheetLoader
        | Builtin::UnknownRule
        | Builtin::WaiverExpired
        | Builtin::WaiverUnused
        | Builtin::WaiverExpiring => {}
        Builtin::InvalidGlob => {
            let (_, errors) = input.globs(sheet);
            for e in errors {
                let Some(c) = sheet.components.iter().nth(e.component) else {
                    continue;
                };
                out.push(
                    new(format!(
                        "component `{}` has an invalid glob `{}`: {}",
                        c.id.value, e.pattern, e.message
                    ))
                    .at(src, format!("{}/paths/{}", c.pointer, e.index), Some(e.span))
                    .with_help("write a glob such as `theme/**` or `src/*.js`; escape a literal `[`, `{` or `*` with `\\`"),
                );
            }
        }
        Builtin::ComponentMatchesNothing => {
            let Some(files) = input.files else { return };
            let (matcher, errors) = input.globs(sheet);
            let invalid: HashSet<(usize, usize)> =
                errors.iter().map(|e| (e.component, e.index)).collect();
            // Every positive glob on its own: a typo in one is not hidden by a sibling glob
            // of the same component that still matches.
            let matched = matcher.matched_includes(files);
            for (ci, c) in sheet.components.iter().enumerate() {
                let Some(paths) = &c.item.paths else { continue };
                for (pi, p) in paths.value.iter().enumerate() {
                    if p.value.starts_with('!')
                        || p.value.trim().is_empty()
                        || invalid.contains(&(ci, pi))
                        || matched.contains(&(ci, pi))
                    {
                        continue;
                    }
                    out.push(
                        new(format!(
                            "glob `{}` of component `{}` matches no file in the repository",
                            p.value, c.id.value
                        ))
                        .at(src, format!("{}/paths/{pi}", c.pointer), Some(p.span))
                        .with_help(unmatched_help(&p.value, files)),
                    );
                }
            }
        }
        Builtin::DependencyCycle => dependency_cycles(info, sheet, out),
        Builtin::RetestStale => retest_stale(info, sheet, input.today, out),
        Builtin::EventRetest => {
            use crate::sheet::yaml::Value;
            let graph = sheet.graph();
            for (ei, e) in sheet.events.iter().enumerate() {
                // Most events have a retest: only the others pay for the walk from the root.
                if !graph.event_retests(ei).is_empty() {
                    continue;
                }
                let pointer = format!("{}/retests", e.pointer);
                let written = sheet.root.walk(&pointer).map(|(_, n)| n);
                let empty = written.is_none_or(|n| match &n.value {
                    Value::Null => true,
                    Value::Str(s) => s.trim().is_empty(),
                    Value::Seq(s) => s.is_empty(),
                    Value::Map(m) => m.is_empty(),
                    _ => false,
                });
                // A `retests` of the wrong type is the schema's finding, not this one.
                if !empty {
                    continue;
                }
                let f = new(format!("event `{}` has no retest", e.id.value)).with_help(format!(
                    "write `retests: [RETEST-ID, ...]` listing what must be re-run when `{}` is triggered",
                    e.id.value
                ));
                out.push(match written {
                    Some(n) => f.at(src, pointer, Some(n.span)),
                    None => {
                        let mut f = f.at(src, e.pointer.clone(), Some(e.id.span));
                        f.absent = Some(pointer);
                        f
                    }
                });
            }
        }
        Builtin::UnusedRetest => {
            // Required by a component, an event, or an event its own `events` names.
            let used = sheet.graph().required_somewhere();
            for r in &sheet.retests {
                if !used.contains(r.id.as_str()) {
                    out.push(
                        new(format!("retest `{}` is required by no event or component", r.id.value))
                            .at(src, r.pointer.clone(), Some(r.id.span))
                            .with_help(format!(
                                "add `{}` to the `retests` of the events or components whose change it verifies, or remove it",
                                r.id.value
                            )),
                    );
                }
            }
        }
        Builtin::IncidentOpen => {
            for inc in sheet.incidents.iter().filter(|i| i.is_open()) {
                let name = inc.id.as_ref().map_or("(no id)", |t| t.as_str());
                let status = inc.status.as_ref().map_or("open", |s| s.as_str());
                let list = |v: &mut dyn Iterator<Item = &str>| -> String {
                    let v: Vec<String> = v.map(|t| format!("`{t}`")).collect();
                    if v.is_empty() {
                        "none listed".into()
                    } else {
                        v.join(", ")
                    }
                };
                let plan = sheet.incident_plan(inc);
                // What the incident pauses, then what its stopped events' rollbacks pause:
                // the conclusions the document shows paused while it is open.
                let mut paused = plan.paused.clone();
                for c in state::rollback_pauses(sheet, inc.events.iter().map(|t| t.as_str())) {
                    if !paused.contains(&c) {
                        paused.push(c);
                    }
                }
                let (pointer, span) = match &inc.status {
                    Some(s) => (format!("{}/status", inc.pointer), s.span),
                    None => (
                        inc.pointer.clone(),
                        inc.id.as_ref().map_or(inc.span, |t| t.span),
                    ),
                };
                let route = match plan.route {
                    Some(r) if plan.paused_from_route => {
                        format!(" (from route `{}`)", r.id.value)
                    }
                    _ => String::new(),
                };
                let mut help = String::from(
                    "make no paused decision from these events until the incident is resolved; then write `status: resolved`, `resolved`, `fix` and `resume_when`",
                );
                if let Some(action) = plan.first_action {
                    let action = action.value.trim().trim_end_matches('.');
                    help = format!("first action: {action}; {help}");
                }
                out.push(
                    new(format!(
                        "incident `{name}` is {status}: events {} are stopped and conclusions {} are paused{route}",
                        list(&mut inc.events.iter().map(|t| t.as_str())),
                        list(&mut paused.iter().copied())
                    ))
                    .at(&inc.source, pointer, Some(span))
                    .with_help(help),
                );
            }
        }
        Builtin::ReviewOverdue => {
            for r in &sheet.reviews {
                let Some(cadence) = &r.cadence else { continue };
                let limit = match cadence.as_str() {
                    "weekly" => 7,
                    "monthly" => 31,
                    _ => continue,
                };
                let scope = r
                    .scope
                    .as_ref()
                    .map_or(String::new(), |s| format!(" ({})", s.value));
                match r.last.as_ref() {
                    Some(last) => {
                        let Some(d) = last.date else { continue };
                        let age = (input.today - d).num_days();
                        if age > limit {
                            out.push(
                                new(format!(
                                    "{} review{scope} is overdue: last done {} ({age} days ago, at most {limit})",
                                    cadence.value, last.raw
                                ))
                                .at(src, format!("{}/last", r.pointer), Some(last.span))
                                .with_help("run the review and write its date in `last: YYYY-MM-DD`"),
                            );
                        }
                    }
                    None => out.push(
                        new(format!(
                            "{} review{scope} has never been done (no `last` date)",
                            cadence.value
                        ))
                        .at(src, r.pointer.clone(), Some(cadence.span))
                        .with_help("run the review and write its date in `last: YYYY-MM-DD`"),
                    ),
                }
            }
        }
        Builtin::Placeholder => {
            for (pointer, node, kind) in placeholders(&sheet.root) {
                let text = node.as_str().unwrap_or_default();
                out.push(
                    new(format!(
                        "{} is still a placeholder ({kind}): `{}`",
                        crate::sheet::schema::describe(&pointer),
                        crate::finding::shorten(text, 60)
                    ))
                    .at(src, pointer.clone(), Some(node.span))
                    .with_spot("replace this")
                    .with_help(match text.trim().strip_prefix("TODO") {
                        Some(hint) if !hint.trim_start_matches([':', ' ']).is_empty() => format!(
                            "write {} here",
                            hint.trim_start_matches([':', ' ']).trim_end_matches('.')
                        ),
                        Some(_) => "write the real value here".to_owned(),
                        None if pointer == "/sheet/dataset" => "write your Meta dataset (Pixel) id, quoted (Events Manager > Data sources shows it)".to_owned(),
                        None => "write a real way to reach them (an address, a channel, a team page)".to_owned(),
                    }),
                );
            }
        }
        Builtin::RecordDate => {
            for rec in &sheet.records {
                let what = rec.retest.as_ref().map_or("record".to_owned(), |r| {
                    format!("record of retest `{}`", r.value)
                });
                match &rec.date {
                    None => out.push(
                        new(format!("{what} has no date"))
                            .at(&rec.source, rec.pointer.clone(), Some(rec.retest.as_ref().map_or(rec.span, |r| r.span)))
                            .with_help("write `date: YYYY-MM-DD`: the day the retest was run"),
                    ),
                    Some(d) => match d.date {
                        None => out.push(
                            new(format!("{what} has an unreadable date `{}`", d.raw))
                                .at(&rec.source, format!("{}/date", rec.pointer), Some(d.span))
                                .with_help("write the date as YYYY-MM-DD, a day that exists"),
                        ),
                        Some(date) if date > input.today => out.push(
                            new(format!("{what} is dated {}, after today ({})", d.raw, input.today))
                                .at(&rec.source, format!("{}/date", rec.pointer), Some(d.span))
                                .with_help("write the day the retest was actually run; a record cannot cover a change before it happens"),
                        ),
                        Some(_) => {}
                    },
                }
            }
        }
    }
}

/// One finding per retest of an event that does not cover it today: exactly the retests that
/// make an event Stop in the document, judged by the same [`state::retest_status`].
fn retest_stale(info: &RuleInfo, sheet: &Sheet, today: NaiveDate, out: &mut Vec<Finding>) {
    // retest id -> the events it stops, in sheet order (first mention first)
    let graph = sheet.graph();
    let mut stale: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut slot: HashMap<&str, usize> = HashMap::new();
    for (i, e) in sheet.events.iter().enumerate() {
        for id in graph.event_retests(i) {
            let s = *slot.entry(id.as_str()).or_insert_with(|| {
                stale.push((id.as_str(), Vec::new()));
                stale.len() - 1
            });
            stale[s].1.push(e.id.as_str());
        }
    }
    let by_retest = state::records_by_retest(sheet);
    for (id, events) in stale {
        let records = by_retest.get(id).map_or(&[][..], |v| &v[..]);
        let status = state::retest_status_of(sheet, id, records, today);
        if status.state.covers() {
            continue;
        }
        let date = status
            .latest
            .and_then(|r| r.date.as_ref())
            .map(|d| d.raw.as_str());
        let paused = state::rollback_pauses(sheet, events.iter().copied());
        let quoted = |v: &[&str]| {
            v.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut message = format!(
            "retest `{id}` {}: {} `{}` {} Stop",
            status.state.why(date),
            if events.len() == 1 { "event" } else { "events" },
            events.join("`, `"),
            if events.len() == 1 { "is" } else { "are" }
        );
        if !paused.is_empty() {
            message.push_str(&format!(
                " and {} paused",
                if paused.len() == 1 {
                    format!("conclusion {} is", quoted(&paused))
                } else {
                    format!("conclusions {} are", quoted(&paused))
                }
            ));
        }
        // At the retest's declaration; an undeclared one at the first event's reference.
        let (src, pointer, span) = match sheet.retests.get(id) {
            Some(r) => (&sheet.source, r.pointer.clone(), r.id.span),
            None => {
                let reference = events.iter().find_map(|e| {
                    let ev = sheet.events.get(e)?;
                    let list = ev.item.retests.as_ref()?;
                    let (i, t) = list.value.iter().enumerate().find(|(_, t)| t.value == id)?;
                    Some((format!("{}/retests/{i}", ev.pointer), t.span))
                });
                match reference {
                    Some((p, span)) => (&sheet.source, p, span),
                    None => continue,
                }
            }
        };
        let record = match &status.state {
            state::RetestState::Failed => "fix what failed, run it again",
            _ => "run it as its `method` says",
        };
        let by = status
            .retest
            .and_then(|r| r.item.owner.as_ref())
            .map_or("OWNER", |o| o.as_str());
        out.push(
            Finding::new(&info.id, info.severity, message)
                .at(src, pointer, Some(span))
                .with_help(format!(
                    "{record}, then record the result: govsheet record {id} --result pass --by {by} --evidence \"LINK OR WHAT YOU SAW\"; until then base no decision on the paused conclusions"
                )),
        );
    }
}

/// Why a string of the sheet is a placeholder left from a starter (`govsheet init`), if it is:
/// a `TODO` marker, a dataset id of zeros, or an address at a domain reserved for examples.
pub fn placeholder_kind(pointer: &str, text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.starts_with("TODO") {
        return Some("a TODO left to fill");
    }
    if pointer == "/sheet/dataset" && !t.is_empty() && t.chars().all(|c| c == '0') {
        return Some("a dataset id of zeros");
    }
    let domain = t
        .rsplit_once('@')
        .map(|(_, d)| d)
        // (A `:` is looked for first: most strings have none, and a substring search is set
        // up for every string otherwise; this runs on every string of the sheet.)
        .or_else(|| {
            t.contains(':')
                .then(|| t.split("://").nth(1))
                .flatten()
                .and_then(|r| r.split('/').next())
        })?;
    let domain = domain
        .trim_end_matches(['.', '>', ')'])
        .to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|e| domain == *e || domain.ends_with(&format!(".{e}")))
        .then_some("an address at a domain reserved for examples")
}

/// Every placeholder string of the sheet's tree, in source order: its pointer, node and kind.
/// Runs on every `check`, so it walks without allocating and builds a pointer only for a hit.
fn placeholders(
    root: &crate::sheet::yaml::Node,
) -> Vec<(String, &crate::sheet::yaml::Node, &'static str)> {
    use crate::sheet::yaml::{Node, Value, escape_pointer};
    enum Seg<'a> {
        Key(&'a str),
        Index(usize),
    }
    fn pointer(path: &[Seg<'_>]) -> String {
        let mut p = String::new();
        for seg in path {
            p.push('/');
            match seg {
                Seg::Key(k) => p.push_str(&escape_pointer(k)),
                Seg::Index(i) => p.push_str(&i.to_string()),
            }
        }
        p
    }
    fn visit<'a>(
        node: &'a Node,
        path: &mut Vec<Seg<'a>>,
        out: &mut Vec<(String, &'a Node, &'static str)>,
    ) {
        match &node.value {
            Value::Str(s) => {
                // Only the dataset rule needs the place; the others look at the text alone.
                let dataset = matches!(path.as_slice(), [Seg::Key("sheet"), Seg::Key("dataset")]);
                let at = if dataset { "/sheet/dataset" } else { "" };
                if let Some(kind) = placeholder_kind(at, s) {
                    out.push((pointer(path), node, kind));
                }
            }
            Value::Seq(items) => {
                for (i, n) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    visit(n, path, out);
                    path.pop();
                }
            }
            Value::Map(entries) => {
                for (k, v) in entries {
                    path.push(Seg::Key(k.as_str().unwrap_or_else(|| k.type_name())));
                    visit(v, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    visit(root, &mut Vec::new(), &mut out);
    out
}

/// One finding per strongly connected component of `depends_on` that holds a cycle (the
/// sheet's [`Graph::cycles`](crate::sheet::graph::Graph::cycles)), naming a cycle through its
/// first component in sheet order.
fn dependency_cycles(info: &RuleInfo, sheet: &Sheet, out: &mut Vec<Finding>) {
    let comps = sheet.components.iter().as_slice();
    let graph = sheet.graph();
    for members in graph.cycles() {
        let Some(&start) = members.first() else {
            continue;
        };
        // Depth-first search, in depends_on order, for a path back to `start` inside the SCC.
        let Some(path) = cycle_from(start, graph, members) else {
            continue;
        };
        let names: Vec<&str> = path.iter().map(|&(c, _)| comps[c].id.as_str()).collect();
        let mut text = names.join(" -> ");
        text.push_str(" -> ");
        text.push_str(names[0]);
        let (first, dep) = path[0];
        let Some(dep_text) = comps[first]
            .item
            .depends_on
            .as_ref()
            .and_then(|d| d.value.get(dep))
        else {
            continue;
        };
        let mut f = Finding::new(&info.id, info.severity, format!("components depend on each other in a cycle: {text}"))
            .at(&sheet.source, format!("{}/depends_on/{dep}", comps[first].pointer), Some(dep_text.span))
            .with_help("remove one `depends_on` entry of the cycle: depends_on says what a component is built from, and nothing is built from itself");
        for &(c, d) in &path[1..] {
            if let Some(t) = comps[c]
                .item
                .depends_on
                .as_ref()
                .and_then(|x| x.value.get(d))
            {
                f = f.with_label(
                    t.span,
                    format!("`{}` depends on `{}`", comps[c].id.value, t.value),
                );
            }
        }
        out.push(f);
    }
}

/// A cycle from `start` back to it inside `members` (sorted): (component, index of the
/// `depends_on` entry taken).
fn cycle_from(
    start: usize,
    graph: &crate::sheet::graph::Graph,
    members: &[usize],
) -> Option<Vec<(usize, usize)>> {
    let next = |c: usize| -> Vec<(usize, usize)> {
        graph
            .depends_on(c)
            .iter()
            .copied()
            .filter(|(_, to)| members.binary_search(to).is_ok())
            .collect()
    };
    // Iterative DFS keeping the path; visited nodes are not re-entered (they cannot reach
    // start by a new route that the first visit did not try).
    let mut visited: HashSet<usize> = HashSet::new();
    // (component, its edges (entry index, target), next edge to try)
    type Frame = (usize, Vec<(usize, usize)>, usize);
    let mut stack: Vec<Frame> = vec![(start, next(start), 0)];
    let mut path: Vec<(usize, usize)> = Vec::new();
    visited.insert(start);
    while let Some((node, edges, k)) = stack.last_mut() {
        if *k >= edges.len() {
            stack.pop();
            path.pop();
            continue;
        }
        let (j, to) = edges[*k];
        *k += 1;
        let node = *node;
        if to == start {
            path.push((node, j));
            return Some(path);
        }
        if visited.insert(to) {
            path.push((node, j));
            let n = next(to);
            stack.push((to, n, 0));
        }
    }
    None
}
