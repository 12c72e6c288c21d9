//! A rule as the engine holds it: its metadata (the same for every rule) and its checks, and
//! the evaluation of declarative checks (selector, conditions, assertions) over one sheet.

use std::sync::Arc;

use serde_json::Value as Json;

use super::info::RuleInfo;
use super::select::{Match, Selector};
use super::template::{Template, scalar_text};
use crate::finding::Finding;
use crate::sheet::Sheet;
use crate::sheet::schema::describe;
use crate::sheet::yaml::{Node, Value, escape_pointer};
use crate::source::{SourceFile, Span};
use crate::suggest::did_you_mean;

/// A rule: metadata and checks.
#[derive(Debug)]
pub struct Rule {
    pub info: RuleInfo,
    pub checks: Vec<Check>,
}

#[derive(Debug)]
pub enum Check {
    Select(SelectCheck),
    Builtin(super::builtin::Builtin),
}

/// `select` + `when` + `assert`.
#[derive(Debug)]
pub struct SelectCheck {
    pub selector: Selector,
    pub when: Vec<Assertion>,
    pub assert: Vec<Assertion>,
    pub message: Option<Template>,
    pub help: Option<Template>,
}

/// A field of the selected node, as a relative path (`rollback/rule`).
#[derive(Debug, Clone)]
pub struct Field {
    pub text: String,
    pub segments: Vec<String>,
}

impl Field {
    pub fn parse(text: &str) -> Result<Field, String> {
        let segments: Vec<String> = text.split('/').map(str::to_owned).collect();
        if text.starts_with('/') || segments.iter().any(String::is_empty) {
            return Err(format!(
                "field `{text}` must be a relative path of keys such as `rollback/rule`"
            ));
        }
        Ok(Field {
            text: text.to_owned(),
            segments,
        })
    }
}

/// The sections a reference can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Owners,
    Systems,
    Components,
    Retests,
    Conclusions,
    Events,
    Router,
    /// The rule ids of `govsheet verify` (the registry's, not a section of the sheet).
    VerifyRules,
}

impl Section {
    pub const ALL: [(&'static str, Section); 8] = [
        ("owners", Section::Owners),
        ("systems", Section::Systems),
        ("components", Section::Components),
        ("retests", Section::Retests),
        ("conclusions", Section::Conclusions),
        ("events", Section::Events),
        ("router", Section::Router),
        ("verify-rules", Section::VerifyRules),
    ];

    pub fn parse(s: &str) -> Option<Section> {
        Self::ALL.iter().find(|(n, _)| *n == s).map(|(_, v)| *v)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(n, _)| n)
    }

    /// The singular: what one entry is called.
    pub fn kind(self) -> &'static str {
        match self {
            Section::Owners => "owner",
            Section::Systems => "system",
            Section::Components => "component",
            Section::Retests => "retest",
            Section::Conclusions => "conclusion",
            Section::Events => "event",
            Section::Router => "route",
            Section::VerifyRules => "verify rule",
        }
    }

    fn contains(self, sheet: &Sheet, id: &str) -> bool {
        match self {
            Section::Owners => sheet.owners.contains(id),
            Section::Systems => sheet.systems.contains(id),
            Section::Components => sheet.components.contains(id),
            Section::Retests => sheet.retests.contains(id),
            Section::Conclusions => sheet.has_conclusion(id),
            Section::Events => sheet.events.contains(id),
            Section::Router => sheet.router.contains(id),
            Section::VerifyRules => super::verify_rules::IDS.contains(&id),
        }
    }

    fn ids(self, sheet: &Sheet) -> Vec<String> {
        let ids = |it: &mut dyn Iterator<Item = &str>| it.map(str::to_owned).collect();
        match self {
            Section::Owners => ids(&mut sheet.owners.ids()),
            Section::Systems => ids(&mut sheet.systems.ids()),
            Section::Components => ids(&mut sheet.components.ids()),
            Section::Retests => ids(&mut sheet.retests.ids()),
            Section::Conclusions => sheet.conclusion_list().into_iter().map(|c| c.0).collect(),
            Section::Events => ids(&mut sheet.events.ids()),
            Section::Router => ids(&mut sheet.router.ids()),
            Section::VerifyRules => ids(&mut super::verify_rules::IDS.iter().copied()),
        }
    }
}

#[derive(Debug)]
pub enum Kind {
    /// The field is present and not empty.
    Present(Field),
    /// The field is written with a value; unlike `Present`, an explicit empty list or map
    /// counts (`pause: []` says "nothing to pause", a missing `pause` says nothing).
    Declared(Field),
    /// At least one of the fields is present and not empty.
    PresentAny(Vec<Field>),
    /// Every string the field holds (a string or a list) names an entry of a section.
    Reference(Field, Section),
    /// The field's string (or each string of its list) matches a regular expression.
    Pattern(Field, regex::Regex),
    /// The field, when present, is one of these values.
    Enum(Field, Vec<Json>),
    /// The field holds between `min` and `max` entries (absent counts 0).
    Count(Field, Option<usize>, Option<usize>),
    /// The field is present and equal to a value.
    Equals(Field, Json),
    /// A JSON Schema fragment applied to the field, or to the selected node.
    Schema(Option<Field>, Arc<Fragment>),
}

/// The regular expression of a `pattern` assertion, compiled (with a size limit: a pack may
/// come from a pull request).
pub fn pattern(text: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(text).size_limit(1 << 20).build()
}

/// The JSON Schema fragment of a `schema` assertion: as the pack writes it, and compiled.
pub struct Fragment {
    pub schema: Json,
    validator: jsonschema::Validator,
}

impl Fragment {
    pub fn compile(schema: Json) -> Result<Fragment, String> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .map_err(|e| e.to_string())?;
        Ok(Fragment { schema, validator })
    }
}

impl std::fmt::Debug for Fragment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Fragment").field(&self.schema).finish()
    }
}

#[derive(Debug)]
pub struct Assertion {
    pub kind: Kind,
    pub message: Option<Template>,
    pub help: Option<Template>,
}

/// Where a node is: the match's pointer and the field segments followed from it (joined only
/// when a finding is made: most matches pass), and the span to show (the key for map entries).
struct Place<'p> {
    base: &'p str,
    segments: &'p [String],
    span: Span,
}

impl Place<'_> {
    fn pointer(&self) -> String {
        let mut pointer = self.base.to_owned();
        for seg in self.segments {
            pointer.push('/');
            pointer.push_str(&escape_pointer(seg));
        }
        pointer
    }

    /// The pointer of item `index` of a list here (`None`: the node itself).
    fn item(&self, index: Option<usize>) -> String {
        match index {
            Some(i) => format!("{}/{i}", self.pointer()),
            None => self.pointer(),
        }
    }
}

/// Why one assertion failed on one match.
struct Failure {
    pointer: String,
    span: Span,
    vars: Vec<(&'static str, String)>,
    /// Help made from the sheet (a did-you-mean), preferred over the rule's help.
    help: Option<String>,
    /// For a field that is not there at all: the pointer it would have (see
    /// [`Finding::absent`]).
    absent: Option<String>,
}

/// Follow a field from a match: the node when it exists, and the deepest place that exists.
fn resolve<'a, 'p>(m: &'p Match<'a>, field: &'p Field) -> (Option<&'a Node>, Place<'p>) {
    // The document itself has no key: point at its first key, not at the whole file.
    let mut span = m.key.map_or_else(
        || {
            m.node
                .as_map()
                .and_then(|entries| entries.first())
                .map_or(m.node.span, |(k, _)| k.span)
        },
        |k| k.span,
    );
    let mut node = m.node;
    let place = |depth: usize, span: Span| Place {
        base: &m.pointer,
        segments: &field.segments[..depth],
        span,
    };
    for (depth, seg) in field.segments.iter().enumerate() {
        match node.entry(seg) {
            Some((k, v)) => {
                span = k.span;
                node = v;
            }
            None => return (None, place(depth, span)),
        }
    }
    (Some(node), place(field.segments.len(), span))
}

fn is_declared(node: &Node) -> bool {
    match &node.value {
        Value::Null => false,
        Value::Str(s) => !s.trim().is_empty(),
        _ => true,
    }
}

fn is_present(node: &Node) -> bool {
    match &node.value {
        Value::Null => false,
        Value::Str(s) => !s.trim().is_empty(),
        Value::Seq(s) => !s.is_empty(),
        Value::Map(m) => !m.is_empty(),
        _ => true,
    }
}

/// The strings a reference field holds, with their index when the field is a list.
fn strings(node: &Node) -> Vec<(Option<usize>, &Node)> {
    match &node.value {
        Value::Str(_) => vec![(None, node)],
        Value::Seq(items) => items
            .iter()
            .enumerate()
            .filter(|(_, n)| n.as_str().is_some())
            .map(|(i, n)| (Some(i), n))
            .collect(),
        _ => Vec::new(),
    }
}

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// Follow a field from a node (what [`resolve`] finds, without the place).
fn follow<'a>(node: &'a Node, field: &Field) -> Option<&'a Node> {
    field
        .segments
        .iter()
        .try_fold(node, |n, seg| n.entry(seg).map(|(_, v)| v))
}

/// The strings [`strings`] lists, without collecting them.
fn each_string(node: &Node, mut ok: impl FnMut(&str) -> bool) -> bool {
    match &node.value {
        Value::Str(s) => ok(s),
        Value::Seq(items) => items.iter().filter_map(Node::as_str).all(ok),
        _ => true,
    }
}

/// `node.to_json() == *want`, without building the JSON of a string.
fn equals_json(node: &Node, want: &Json) -> bool {
    match (&node.value, want) {
        (Value::Str(s), Json::String(w)) => s == w,
        (Value::Str(_), _) => false,
        // Scalars convert without allocating; lists and maps are rare in `enum`/`equals`.
        _ => node.to_json() == *want,
    }
}

impl Assertion {
    /// Whether the assertion holds on the node a selector matched: exactly when [`eval`]
    /// finds nothing, without building a pointer, a message or a list (the passing path).
    ///
    /// [`eval`]: Assertion::eval
    pub(super) fn holds(&self, node: &Node, sheet: &Sheet) -> bool {
        match &self.kind {
            Kind::Present(f) => follow(node, f).is_some_and(is_present),
            Kind::Declared(f) => follow(node, f).is_some_and(is_declared),
            Kind::PresentAny(fs) => fs.iter().any(|f| follow(node, f).is_some_and(is_present)),
            Kind::Reference(f, section) => {
                follow(node, f).is_none_or(|n| each_string(n, |id| section.contains(sheet, id)))
            }
            Kind::Pattern(f, re) => {
                follow(node, f).is_none_or(|n| each_string(n, |s| re.is_match(s)))
            }
            Kind::Enum(f, values) => {
                follow(node, f).is_none_or(|n| values.iter().any(|v| equals_json(n, v)))
            }
            Kind::Count(f, min, max) => {
                let n = follow(node, f).map_or(0, |n| match &n.value {
                    Value::Seq(s) => s.len(),
                    Value::Map(m) => m.len(),
                    Value::Null => 0,
                    _ => 1,
                });
                min.is_none_or(|lo| n >= lo) && max.is_none_or(|hi| n <= hi)
            }
            Kind::Equals(f, want) => follow(node, f).is_some_and(|n| equals_json(n, want)),
            Kind::Schema(f, fragment) => {
                let target = match f {
                    Some(f) => follow(node, f),
                    None => Some(node),
                };
                target.is_none_or(|n| {
                    fragment
                        .validator
                        .iter_errors(&n.to_json())
                        .next()
                        .is_none()
                })
            }
        }
    }

    fn field_text(&self) -> String {
        match &self.kind {
            Kind::Present(f)
            | Kind::Declared(f)
            | Kind::Reference(f, _)
            | Kind::Pattern(f, _)
            | Kind::Enum(f, _)
            | Kind::Count(f, _, _)
            | Kind::Equals(f, _) => f.text.clone(),
            Kind::PresentAny(fs) => fs
                .iter()
                .map(|f| f.text.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            Kind::Schema(f, _) => f.as_ref().map(|f| f.text.clone()).unwrap_or_default(),
        }
    }

    /// What is wrong at the finding's span, in a few words (missing fields say it through
    /// [`Finding::absent`]).
    fn spot(&self) -> Option<String> {
        match &self.kind {
            Kind::Reference(_, section) => Some(format!("not a declared {}", section.kind())),
            Kind::Pattern(..) => Some("not in the expected form".into()),
            Kind::Enum(..) => Some("not an allowed value".into()),
            Kind::Count(..) => Some("wrong number of entries".into()),
            Kind::Equals(..) => Some("not the expected value".into()),
            Kind::PresentAny(fs) => Some(format!(
                "no {}",
                fs.iter()
                    .map(|f| format!("`{}`", f.text))
                    .collect::<Vec<_>>()
                    .join(" or ")
            )),
            Kind::Present(_) | Kind::Declared(_) | Kind::Schema(..) => None,
        }
    }

    fn default_message(&self) -> &'static str {
        match self.kind {
            Kind::Present(_) | Kind::Declared(_) => "{at} has no `{field}`",
            Kind::PresentAny(_) => "{at} has none of {expected}",
            Kind::Reference(..) => {
                "`{field}` of {at} names `{value}`, which is not a declared {expected}"
            }
            Kind::Pattern(..) => {
                "`{field}` of {at} is `{value}`, which does not match `{expected}`"
            }
            Kind::Enum(..) => "`{field}` of {at} is {value}, expected one of {expected}",
            Kind::Count(..) => "`{field}` of {at} has {value} entries, expected {expected}",
            Kind::Equals(..) => "`{field}` of {at} is {value}, expected {expected}",
            Kind::Schema(..) => "{at}: {error}",
        }
    }

    /// Evaluate on one match; every failure found.
    fn eval(&self, m: &Match<'_>, sheet: &Sheet) -> Vec<Failure> {
        let fail = |place: &Place<'_>, vars: Vec<(&'static str, String)>| Failure {
            pointer: place.pointer(),
            span: place.span,
            vars,
            help: None,
            absent: None,
        };
        // A field missing altogether: the finding says where it would be, so that an unknown
        // key meant as that field (`ownr:`) explains it.
        let absent = |f: &Field, node: Option<&Node>, mut failure: Failure| {
            if node.is_none() {
                let mut p = m.pointer.clone();
                for seg in &f.segments {
                    p.push('/');
                    p.push_str(&escape_pointer(seg));
                }
                failure.absent = Some(p);
            }
            failure
        };
        match &self.kind {
            Kind::Present(f) => {
                let (node, place) = resolve(m, f);
                if node.is_some_and(is_present) {
                    Vec::new()
                } else {
                    vec![absent(f, node, fail(&place, Vec::new()))]
                }
            }
            Kind::Declared(f) => {
                let (node, place) = resolve(m, f);
                if node.is_some_and(is_declared) {
                    Vec::new()
                } else {
                    vec![absent(f, node, fail(&place, Vec::new()))]
                }
            }
            Kind::PresentAny(fs) => {
                if fs.iter().any(|f| resolve(m, f).0.is_some_and(is_present)) {
                    return Vec::new();
                }
                let expected = fs
                    .iter()
                    .map(|f| format!("`{}`", f.text))
                    .collect::<Vec<_>>()
                    .join(", ");
                let place = Place {
                    base: &m.pointer,
                    segments: &[],
                    span: m.key.map_or(m.node.span, |k| k.span),
                };
                // Missing fields, like `present`: the first one (an unknown key meant as it
                // explains the finding; the place's own faults do not).
                let failure = fail(&place, vec![("expected", expected)]);
                match fs.first() {
                    Some(f) if fs.iter().all(|f| resolve(m, f).0.is_none()) => {
                        vec![absent(f, None, failure)]
                    }
                    _ => vec![failure],
                }
            }
            Kind::Reference(f, section) => {
                let (Some(node), place) = resolve(m, f) else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                for (index, item) in strings(node) {
                    let id = item.as_str().unwrap_or_default();
                    if section.contains(sheet, id) {
                        continue;
                    }
                    let ids = section.ids(sheet);
                    let help = match did_you_mean(id, ids.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if *section == Section::VerifyRules => format!(
                            "name a rule of `govsheet verify`: {}",
                            ids.iter()
                                .map(|i| format!("`{i}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        None if ids.is_empty() => format!(
                            "declare `{id}` under `{}`; the sheet has no {} yet",
                            section.name(),
                            section.name()
                        ),
                        None => {
                            let mut shown: Vec<String> =
                                ids.iter().take(6).map(|i| format!("`{i}`")).collect();
                            if ids.len() > 6 {
                                shown.push("...".into());
                            }
                            format!(
                                "declare `{id}` under `{}`, or name one of {}",
                                section.name(),
                                shown.join(", ")
                            )
                        }
                    };
                    out.push(Failure {
                        pointer: place.item(index),
                        span: item.span,
                        vars: vec![
                            ("value", id.to_owned()),
                            ("expected", section.kind().to_owned()),
                        ],
                        help: Some(help),
                        absent: None,
                    });
                }
                out
            }
            Kind::Pattern(f, re) => {
                let (Some(node), place) = resolve(m, f) else {
                    return Vec::new();
                };
                strings(node)
                    .into_iter()
                    .filter(|(_, n)| !re.is_match(n.as_str().unwrap_or_default()))
                    .map(|(index, n)| Failure {
                        pointer: place.item(index),
                        span: n.span,
                        vars: vec![
                            ("value", n.as_str().unwrap_or_default().to_owned()),
                            ("expected", re.as_str().to_owned()),
                        ],
                        help: None,
                        absent: None,
                    })
                    .collect()
            }
            Kind::Enum(f, values) => {
                let (Some(node), place) = resolve(m, f) else {
                    return Vec::new();
                };
                let v = node.to_json();
                if values.contains(&v) {
                    return Vec::new();
                }
                let expected = values.iter().map(json_text).collect::<Vec<_>>().join(", ");
                vec![Failure {
                    span: node.span,
                    ..fail(
                        &place,
                        vec![("value", json_text(&v)), ("expected", expected)],
                    )
                }]
            }
            Kind::Count(f, min, max) => {
                let (node, place) = resolve(m, f);
                let n = node.map_or(0, |n| match &n.value {
                    Value::Seq(s) => s.len(),
                    Value::Map(m) => m.len(),
                    Value::Null => 0,
                    _ => 1,
                });
                if min.is_none_or(|lo| n >= lo) && max.is_none_or(|hi| n <= hi) {
                    return Vec::new();
                }
                let expected = match (min, max) {
                    (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
                    (Some(lo), None) => format!("at least {lo}"),
                    (None, Some(hi)) => format!("at most {hi}"),
                    (None, None) => "any number".into(),
                };
                vec![fail(
                    &place,
                    vec![("value", n.to_string()), ("expected", expected)],
                )]
            }
            Kind::Equals(f, want) => {
                let (node, place) = resolve(m, f);
                match node {
                    Some(n) if n.to_json() == *want => Vec::new(),
                    Some(n) => vec![Failure {
                        span: n.span,
                        ..fail(
                            &place,
                            vec![
                                ("value", json_text(&n.to_json())),
                                ("expected", json_text(want)),
                            ],
                        )
                    }],
                    None => vec![fail(
                        &place,
                        vec![("value", "absent".into()), ("expected", json_text(want))],
                    )],
                }
            }
            Kind::Schema(f, fragment) => {
                let (node, place) = match f {
                    Some(f) => resolve(m, f),
                    None => (
                        Some(m.node),
                        Place {
                            base: &m.pointer,
                            segments: &[],
                            span: m.key.map_or(m.node.span, |k| k.span),
                        },
                    ),
                };
                let Some(node) = node else {
                    return Vec::new();
                };
                let instance = node.to_json();
                fragment
                    .validator
                    .iter_errors(&instance)
                    .map(|e| {
                        let inner = e.instance_path().as_str().to_owned();
                        let span = node
                            .walk(&inner)
                            .map_or(node.span, |(k, v)| k.map_or(v.span, |k| k.span));
                        Failure {
                            pointer: format!("{}{inner}", place.pointer()),
                            span,
                            vars: vec![("error", e.to_string())],
                            help: None,
                            absent: None,
                        }
                    })
                    .collect()
            }
        }
    }
}

impl SelectCheck {
    /// Whether the check finds nothing on a node its selector matched: a `when` that does not
    /// hold, or every assertion holding. Allocates nothing unless an assertion is a JSON
    /// Schema fragment; [`SelectCheck::run_one`] makes the findings when it is `false`.
    pub fn passes(&self, node: &Node, sheet: &Sheet) -> bool {
        self.when.iter().any(|a| !a.holds(node, sheet))
            || self.assert.iter().all(|a| a.holds(node, sheet))
    }

    /// Run over the matches of the selector; findings carry the rule's default severity.
    #[cfg(test)]
    pub fn run(
        &self,
        info: &RuleInfo,
        matches: &[(Arc<SourceFile>, Match<'_>)],
        sheet: &Sheet,
        out: &mut Vec<Finding>,
    ) {
        for (source, m) in matches {
            self.run_one(info, source, m, sheet, out);
        }
    }

    /// The findings on one match.
    pub fn run_one(
        &self,
        info: &RuleInfo,
        source: &Arc<SourceFile>,
        m: &Match<'_>,
        sheet: &Sheet,
        out: &mut Vec<Finding>,
    ) {
        {
            if self.when.iter().any(|a| !a.eval(m, sheet).is_empty()) {
                return;
            }
            for a in &self.assert {
                for failure in a.eval(m, sheet) {
                    let raw_field = a.field_text();
                    let field = raw_field.replace('/', ".");
                    let at = describe(&m.pointer);
                    let vars = |name: &str| -> Option<String> {
                        if let Some((_, v)) = m.captures.iter().find(|(n, _)| n == name) {
                            return Some(v.clone());
                        }
                        if let Some((_, v)) = failure.vars.iter().find(|(n, _)| *n == name) {
                            return Some(v.clone());
                        }
                        match name {
                            "field" => Some(field.clone()),
                            "at" => Some(at.clone()),
                            "value" => resolve_value(m, &raw_field).map(|n| scalar_text(n).clone()),
                            _ => None,
                        }
                    };
                    let message = match a.message.as_ref().or(self.message.as_ref()) {
                        Some(t) => t.render(&vars, Some(m.node)),
                        None => Template::parse(a.default_message(), &|_| true)
                            .map(|t| t.render(&vars, Some(m.node)))
                            .unwrap_or_default(),
                    };
                    let help = failure.help.clone().or_else(|| {
                        a.help
                            .as_ref()
                            .or(self.help.as_ref())
                            .map(|t| t.render(&vars, Some(m.node)))
                    });
                    let mut f = Finding::new(&info.id, info.severity, message).at(
                        source,
                        failure.pointer.clone(),
                        Some(failure.span),
                    );
                    if let Some(h) = help {
                        f = f.with_help(h);
                    }
                    f.absent = failure.absent.clone();
                    f.spot = a.spot();
                    out.push(f);
                }
            }
        }
    }
}

fn resolve_value<'a>(m: &Match<'a>, field: &str) -> Option<&'a Node> {
    field
        .split('/')
        .try_fold(m.node, |n, seg| n.get(seg))
        .filter(|_| !field.is_empty())
}
