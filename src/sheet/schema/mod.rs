//! The JSON Schema step: shape and types of a sheet, with every error walked back to the
//! source span of the key or value at fault.
//!
//! The embedded schema is compiled once per process, lazily, into checks over the span tree
//! ([`check`]); the jsonschema crate is the reference it is tested against. Unknown keys get
//! the nearest known key as a suggestion, read from the schema's own `properties`.

mod check;

use std::sync::{Arc, OnceLock};

use serde_json::Value as Json;

use self::check::{Checker, ValidationErrorKind};
use super::yaml::{Node, escape_pointer};
use crate::finding::{self, Finding, RuleId};
use crate::source::SourceFile;
use crate::suggest::did_you_mean;

/// The schema as shipped (`govsheet schema` prints it).
pub const SCHEMA_TEXT: &str = include_str!("../../../schema/governance.schema.json");

/// The schema's compiled checks.
struct Compiled {
    checker: Checker,
    /// A file of `records_dir` / `incidents_dir` holds one item, or a list of them.
    record: usize,
    incident: usize,
}

/// What a file is validated as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sheet,
    /// A file of `records_dir`.
    Records,
    /// A file of `incidents_dir`.
    Incidents,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        // The schema is part of the binary and covered by tests: failing here is a build bug.
        let checker = if cfg!(govsheet_stale_prebuilt) {
            Checker::compile(schema()).expect("embedded schema compiles")
        } else {
            Checker::prebuilt()
        };
        let def = |name| {
            checker
                .def(name)
                .expect("the schema defines records and incidents")
        };
        Compiled {
            record: def("record"),
            incident: def("incident"),
            checker,
        }
    })
}

/// The embedded schema as JSON: parsed when first needed (the error messages read its
/// descriptions; a valid sheet never needs it).
pub fn schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::from_str(SCHEMA_TEXT).expect("embedded schema is valid JSON"))
}

/// Validate a sheet's tree; every error becomes a `schema` finding at its source span.
pub fn validate(source: &Arc<SourceFile>, root: &Node) -> Vec<Finding> {
    validate_as(source, root, Kind::Sheet)
}

/// Validate a tree as a sheet or as a records/incidents file.
pub fn validate_as(source: &Arc<SourceFile>, root: &Node, kind: Kind) -> Vec<Finding> {
    let c = compiled();
    let seq = matches!(root.value, crate::sheet::yaml::Value::Seq(_));
    let target = match kind {
        Kind::Sheet => Target::One(c.checker.root()),
        Kind::Records if seq => Target::Each(c.record),
        Kind::Records => Target::One(c.record),
        Kind::Incidents if seq => Target::Each(c.incident),
        Kind::Incidents => Target::One(c.incident),
    };
    if kind != Kind::Sheet {
        return check(source, root, &c.checker, target);
    }
    if root.as_map().is_none() {
        let message = if root.is_null() {
            "the sheet is empty: a governance sheet is a map that starts with `version: 1`"
                .to_owned()
        } else {
            format!(
                "the sheet is {}; a governance sheet is a map that starts with `version: 1`",
                root.type_name()
            )
        };
        return vec![Finding::of(RuleId::Schema, message).at(source, "", Some(root.span))];
    }
    check(source, root, &c.checker, target)
}

/// What the root is checked against: one subschema, or a list of items each against one.
#[derive(Debug, Clone, Copy)]
enum Target {
    One(usize),
    Each(usize),
}

fn check(source: &Arc<SourceFile>, root: &Node, checker: &Checker, target: Target) -> Vec<Finding> {
    let mut findings = errors(source, root, &run(checker, target, root, false), false);
    // A key with no value counts as absent for the type checks, but a key the format does
    // not know is an error whatever its value (`pahts:`; `{description: a, b}` makes `b` a
    // key): a second pass with empty values kept reports only those.
    if has_empty_value(root) {
        let with_empty = run(checker, target, root, true);
        findings.extend(errors(source, root, &with_empty, true));
    }
    findings
}

/// The schema errors of `root`; `keep_empty`: keys with no value count as present.
fn run<'t>(
    checker: &Checker,
    target: Target,
    root: &'t Node,
    keep_empty: bool,
) -> Vec<check::Error<'t>> {
    match target {
        Target::One(sub) => checker.errors(sub, root, keep_empty),
        Target::Each(sub) => checker.errors_each(sub, root, keep_empty),
    }
}

/// Whether a map anywhere in the tree has a key with no value.
fn has_empty_value(node: &Node) -> bool {
    use crate::sheet::yaml::Value;
    match &node.value {
        Value::Map(m) => m.iter().any(|(_, v)| v.is_null() || has_empty_value(v)),
        Value::Seq(s) => s.iter().any(has_empty_value),
        _ => false,
    }
}

/// The tree as JSON with the keys that have no value kept (as `null`).
fn to_json_keeping_empty(node: &Node) -> Json {
    use crate::sheet::yaml::Value;
    match &node.value {
        Value::Map(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.key_text(), to_json_keeping_empty(v)))
                .collect(),
        ),
        Value::Seq(s) => Json::Array(s.iter().map(to_json_keeping_empty).collect()),
        _ => node.to_json(),
    }
}

/// The findings of one validation's `found` errors. `empty_keys_only`: report nothing but the
/// unknown keys whose value is empty (the first pass, without them, reported the rest).
fn errors(
    source: &Arc<SourceFile>,
    root: &Node,
    found: &[check::Error<'_>],
    empty_keys_only: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if found.is_empty() {
        return findings;
    }
    let schema = schema();
    for err in found {
        if empty_keys_only
            && !matches!(err.kind(), ValidationErrorKind::AdditionalProperties { .. })
        {
            continue;
        }
        let pointer = err.instance_path().to_owned();
        let at = |ptr: &str| root.walk(ptr);
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_keys(schema, err.schema_path());
                let Some((_, map)) = at(&pointer) else {
                    continue;
                };
                for key in unexpected {
                    let child = format!("{pointer}/{}", escape_pointer(key));
                    let entry = map
                        .as_map()
                        .and_then(|m| m.iter().find(|(k, _)| k.key_is(key)));
                    if empty_keys_only && !entry.is_some_and(|(_, v)| v.is_null()) {
                        continue;
                    }
                    let span = entry.map(|(k, _)| k.span);
                    let mut f = Finding::of(
                        RuleId::Schema,
                        format!("unknown key `{key}` in {}", describe(&pointer)),
                    )
                    .at(source, child, span)
                    .with_spot("unknown key");
                    f = match did_you_mean(key, known.iter().map(String::as_str)) {
                        Some(s) => {
                            let mut f = f.with_help(format!("did you mean `{s}`?"));
                            f.meant = Some(format!("{pointer}/{}", escape_pointer(s)));
                            f
                        }
                        None if !known.is_empty() => {
                            f.with_help(format!("known keys here: {}", known.join(", ")))
                        }
                        None => f,
                    };
                    findings.push(f);
                }
            }
            ValidationErrorKind::PropertyNames { error } => {
                let name = error.instance().as_str().unwrap_or_default().to_owned();
                let span = at(&pointer)
                    .and_then(|(_, m)| {
                        m.as_map()
                            .and_then(|m| m.iter().find(|(k, _)| k.key_is(&name)))
                    })
                    .map(|(k, _)| k.span);
                let said = Said::at(schema, error.schema_path());
                let fix = match error.kind() {
                    ValidationErrorKind::Pattern { pattern } => {
                        suggestion(&name, pattern, said.case)
                            .map(|s| format!(": write `{s}`"))
                            .unwrap_or_default()
                    }
                    _ => String::new(),
                };
                let words = Words {
                    key: None,
                    value: &name,
                    raw: &name,
                };
                let mut f = Finding::of(
                    RuleId::Schema,
                    format!(
                        "`{}` is not a valid key in {}",
                        finding::shorten(&name, 60),
                        describe(&pointer)
                    ),
                )
                .at(source, format!("{pointer}/{}", escape_pointer(&name)), span)
                .with_spot(match said.expected {
                    Some(e) => format!("not {e}"),
                    None => "not a valid key".to_owned(),
                });
                if let Some(h) = said.help {
                    f = f.with_help(words.fill(h, &fix));
                }
                findings.push(f);
            }
            kind => {
                let node = at(&pointer).map(|(_, v)| v);
                let span = node.map(|v| v.span);
                let said = Said::at(schema, err.schema_path());
                let words = Words {
                    key: pointer
                        .rsplit('/')
                        .next()
                        .map(crate::sheet::yaml::unescape_pointer),
                    value: node.and_then(|v| v.as_str()).unwrap_or_default(),
                    raw: span.map_or("", |sp| source.text.get(sp.start..sp.end()).unwrap_or("")),
                };
                let mut spot = None;
                let (message, help) = match kind {
                    ValidationErrorKind::Type { wanted } => {
                        let found = node.map_or("something else", |v| match v.value {
                            crate::sheet::yaml::Value::Float(f) if !f.is_finite() => {
                                "`.nan` or `.inf`, which is no usable number"
                            }
                            _ => v.type_name(),
                        });
                        let wanted = expected_type(wanted);
                        let message =
                            format!("{} should be {wanted}, found {found}", describe(&pointer));
                        spot = Some(format!("should be {wanted}"));
                        let strings = said.items_are_strings;
                        let found_value = node.map(|v| &v.value);
                        let help = one_item_help(&wanted, node, &words)
                            .or_else(|| said.help.map(|h| words.fill(h, "")))
                            .or_else(|| type_help(&wanted, found_value, &words, strings));
                        (message, help)
                    }
                    ValidationErrorKind::Pattern { pattern } => {
                        let value = finding::shorten(words.value, 60);
                        let message = match said.expected {
                            Some(e) => format!("{} is `{value}`, not {e}", describe(&pointer)),
                            None => format!(
                                "{} is `{value}`, not in the expected form",
                                describe(&pointer)
                            ),
                        };
                        spot = said.expected.map(|e| format!("not {e}"));
                        let fix = suggestion(words.value, pattern, said.case)
                            .map(|s| format!(": write `{s}`"))
                            .unwrap_or_default();
                        (message, said.help.map(|h| words.fill(h, &fix)))
                    }
                    ValidationErrorKind::Enum { options } => {
                        let list: Vec<&str> = options
                            .as_array()
                            .map(|a| a.iter().filter_map(Json::as_str).collect())
                            .unwrap_or_default();
                        let shown = match node.map(|v| &v.value) {
                            Some(crate::sheet::yaml::Value::Str(s)) => {
                                format!("`{}`", finding::shorten(s, 60))
                            }
                            Some(_) => node.map_or("", |v| v.type_name()).to_owned(),
                            None => "something else".to_owned(),
                        };
                        let message = format!(
                            "{} is {shown}, expected one of {}",
                            describe(&pointer),
                            list.iter()
                                .map(|o| format!("`{o}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        spot = Some(format!("not one of the {} values", list.len()));
                        let help = did_you_mean(words.value, list.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"));
                        (message, help)
                    }
                    ValidationErrorKind::Required { property } => (
                        format!(
                            "{} is missing `{}`",
                            describe(&pointer),
                            property.as_str().unwrap_or_default()
                        ),
                        None,
                    ),
                    _ => (
                        format!("{}: {}", describe(&pointer), err),
                        said.help.map(|h| words.fill(h, "")),
                    ),
                };
                let mut f = Finding::of(RuleId::Schema, message).at(source, pointer, span);
                f.spot = spot;
                if let Some(h) = help {
                    f = f.with_help(h);
                }
                findings.push(f);
            }
        }
    }
    findings
}

/// What the schema says about the place an error is at: its `x-govsheet-expected` (what kind
/// of value belongs there, as a noun) and `x-govsheet-help` (how to write it), so that a
/// message is in the sheet's own words and never shows a raw regular expression.
#[derive(Debug, Default)]
struct Said<'a> {
    expected: Option<&'a str>,
    help: Option<&'a str>,
    /// `x-govsheet-case`: how a fix is spelled (`kebab`, `camel`, `snake`).
    case: Option<&'a str>,
    /// The node is a list whose items are strings (so `[VALUE]` is a fix for a lone string).
    items_are_strings: bool,
}

impl<'a> Said<'a> {
    /// The node that holds the failing keyword of an error's keyword path
    /// (`/$defs/duration/pattern`).
    fn at(schema: &'a Json, keyword_path: &str) -> Self {
        let parent = keyword_path.rsplit_once('/').map_or("", |(p, _)| p);
        Self::of(schema, parent)
    }

    /// The words of the schema node at `path`, a JSON pointer into the schema (jsonschema
    /// reports keyword paths with `$ref`s already followed); a node that refers to a
    /// definition (a property) speaks before the definition.
    fn of(schema: &'a Json, path: &str) -> Self {
        fn take<'a>(n: &'a Json, said: &mut Said<'a>, over: bool) {
            let get = |k: &str| n.get(k).and_then(Json::as_str);
            if over || said.expected.is_none() {
                said.expected = get("x-govsheet-expected").or(said.expected);
            }
            if over || said.help.is_none() {
                said.help = get("x-govsheet-help").or(said.help);
            }
            if over || said.case.is_none() {
                said.case = get("x-govsheet-case").or(said.case);
            }
        }
        let deref = |n: &'a Json| {
            n.get("$ref")
                .and_then(Json::as_str)
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|r| schema.pointer(r))
        };
        let mut said = Said::default();
        let Some(node) = schema.pointer(path) else {
            return said;
        };
        take(node, &mut said, true);
        let node = match deref(node) {
            Some(def) => {
                take(def, &mut said, false);
                def
            }
            None => node,
        };
        said.items_are_strings = node
            .get("items")
            .map(|i| deref(i).unwrap_or(i))
            .and_then(|i| i.get("type"))
            .is_some_and(|t| t == "string");
        said
    }
}

/// The text a help template may name: `{key}` (the last pointer segment), `{value}` (the
/// string at fault), `{raw}` (the value as written in the file), `{suggest}` (a fix).
struct Words<'a> {
    key: Option<String>,
    value: &'a str,
    raw: &'a str,
}

impl Words<'_> {
    fn fill(&self, template: &str, suggest: &str) -> String {
        template
            .replace("{key}", self.key.as_deref().unwrap_or("it"))
            .replace("{value}", &finding::shorten(self.value, 60))
            .replace("{raw}", &finding::shorten(self.raw.trim(), 60))
            .replace("{suggest}", suggest)
    }
}

/// A list of one string where one string belongs (`owner: [tracking]`): write the string.
fn one_item_help(wanted: &str, found: Option<&Node>, words: &Words<'_>) -> Option<String> {
    let item = match &found?.value {
        crate::sheet::yaml::Value::Seq(items) if items.len() == 1 => items[0].as_str()?,
        _ => return None,
    };
    (wanted == "a string").then(|| {
        format!(
            "write one value, not a list: `{}: {}`",
            words.key.as_deref().unwrap_or("it"),
            finding::shorten(item, 60)
        )
    })
}

/// How to write a value of the wanted type when the schema has no words of its own: the
/// YAML 1.1 booleans (`no`, `on`) that YAML 1.2 reads as text, and numbers that should be text.
fn type_help(
    wanted: &str,
    found: Option<&crate::sheet::yaml::Value>,
    words: &Words<'_>,
    items_are_strings: bool,
) -> Option<String> {
    use crate::sheet::yaml::Value;
    let key = words.key.as_deref().unwrap_or("it");
    let raw = finding::shorten(words.raw.trim(), 60);
    match (wanted, found?) {
        ("a boolean", Value::Str(s)) => Some(format!(
            "write `true` or `false` (YAML 1.2 has no `{}`)",
            finding::shorten(s, 20)
        )),
        ("a string", Value::Int(_) | Value::Float(_) | Value::Bool(_)) => {
            Some(format!("quote it: `{key}: \"{raw}\"`"))
        }
        ("a list", Value::Str(_)) if items_are_strings => {
            Some(format!("write a list: `{key}: [{raw}]`"))
        }
        _ => None,
    }
}

/// A fix for a value that does not match `pattern`: the value's words spelled in `case`
/// (`kebab`, `camel` or `snake`; without one, the first of them that matches), when that
/// matches and changes something.
fn suggestion(value: &str, pattern: &str, case: Option<&str>) -> Option<String> {
    let re = regex::Regex::new(pattern).ok()?;
    let words: Vec<&str> = value
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let spell = |case: &str| match case {
        "kebab" => words.join("-").to_lowercase(),
        "snake" => words.join("_"),
        _ => words
            .iter()
            .map(|w| {
                let mut cs = w.chars();
                cs.next()
                    .map(|f| f.to_uppercase().chain(cs).collect::<String>())
                    .unwrap_or_default()
            })
            .collect(),
    };
    let cases = case.map_or(vec!["kebab", "camel", "snake"], |c| vec![c]);
    cases
        .into_iter()
        .map(spell)
        .find(|c| !c.is_empty() && c != value && re.is_match(c))
}

/// A `type` name as a noun: "string" -> "a string"
fn expected_type(message: &str) -> String {
    let wanted: Vec<&str> = message
        .rsplit("of type")
        .next()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty() && *w != "or")
        .collect();
    let named: Vec<String> = wanted
        .iter()
        .map(|w| match *w {
            "object" => "a map".to_owned(),
            "array" => "a list".to_owned(),
            "integer" => "an integer".to_owned(),
            "null" => "empty".to_owned(),
            other => format!("a {other}"),
        })
        .collect();
    if named.is_empty() {
        "another type".into()
    } else {
        named.join(" or ")
    }
}

/// A readable name for a pointer: `/events/Purchase/owner` -> "`events.Purchase.owner`".
pub fn describe(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the top level".into();
    }
    let dotted: Vec<String> = pointer
        .trim_start_matches('/')
        .split('/')
        .map(crate::sheet::yaml::unescape_pointer)
        .collect();
    format!("`{}`", dotted.join("."))
}

/// The `properties` names allowed next to the `additionalProperties` keyword at `schema_path`.
fn known_keys(schema: &Json, schema_path: &str) -> Vec<String> {
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    schema
        .pointer(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Json::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_of_the_schema_has_words_for_its_messages() {
        fn walk(v: &Json, at: &str, missing: &mut Vec<String>) {
            if let Json::Object(m) = v {
                if m.contains_key("pattern")
                    && !(m.contains_key("x-govsheet-expected") && m.contains_key("x-govsheet-help"))
                {
                    missing.push(at.to_owned());
                }
                for (k, child) in m {
                    walk(child, &format!("{at}/{k}"), missing);
                }
            }
        }
        let mut missing = Vec::new();
        walk(schema(), "", &mut missing);
        assert!(
            missing.is_empty(),
            "patterns without x-govsheet words: {missing:?}"
        );
    }

    #[test]
    fn fixes_are_spelled_in_the_case_the_schema_asks_for() {
        let id = "^[a-z0-9][a-z0-9-]*$";
        let event = "^[A-Za-z][A-Za-z0-9_]*$";
        assert_eq!(
            suggestion("Checkout_Pixel", id, Some("kebab")).as_deref(),
            Some("checkout-pixel")
        );
        assert_eq!(
            suggestion("add to cart", event, Some("camel")).as_deref(),
            Some("AddToCart")
        );
        assert_eq!(
            suggestion("content ids", event, Some("snake")).as_deref(),
            Some("content_ids")
        );
        assert_eq!(
            suggestion("2 weeks", "^[0-9]+[dw]$", None),
            None,
            "no fix is invented"
        );
        assert_eq!(suggestion("---", id, Some("kebab")), None);
    }

    #[test]
    fn words_come_from_the_definition_behind_a_keyword_path() {
        let said = Said::at(schema(), "/$defs/duration/pattern");
        assert_eq!(said.expected, Some("a duration"));
        assert!(said.help.is_some_and(|h| h.contains("`30d`")));
        let said = Said::at(schema(), "/$defs/sheet/properties/dataset/type");
        assert!(
            said.help
                .is_some_and(|h| h.starts_with("quote the dataset id"))
        );
        let said = Said::at(schema(), "/$defs/event/properties/triggers/type");
        assert!(said.items_are_strings);
        assert_eq!(Said::at(schema(), "/no/such/place").help, None);
    }
    use crate::sheet::yaml::parse;

    fn run(text: &str) -> Vec<Finding> {
        let src = SourceFile::new("g.yaml", text);
        validate(&src, &parse(text).unwrap())
    }

    #[test]
    fn schema_compiles_and_accepts_minimal_sheet() {
        assert!(run("version: 1\n").is_empty());
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let f = run("version: 1\nowners:\n  tracking:\n    name: [a]\n");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].pointer, "/owners/tracking/name");
        assert_eq!(f[0].line(), Some(4));
        assert_eq!(f[0].column(), Some(11));
        assert!(
            f[0].message.contains("should be a string, found a list"),
            "{}",
            f[0].message
        );
    }

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let f = run("version: 1\nowners:\n  tracking:\n    nmae: Ana\n");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].pointer, "/owners/tracking/nmae");
        assert_eq!((f[0].line(), f[0].column()), (Some(4), Some(5)));
        assert_eq!(f[0].help.as_deref(), Some("did you mean `name`?"));
    }

    #[test]
    fn record_files_are_checked_as_records() {
        let text = "retest: purchase-dedupe\ndate: 2026-11-20\nresult: passed\n";
        let src = SourceFile::new("r.yaml", text);
        let f = validate_as(&src, &parse(text).unwrap(), Kind::Records);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].pointer, "/result");
        let list = "- retest: a\n  dat: 2026-11-20\n";
        let src = SourceFile::new("r.yaml", list);
        let f = validate_as(&src, &parse(list).unwrap(), Kind::Records);
        assert_eq!(f[0].pointer, "/0/dat");
        assert_eq!(f[0].help.as_deref(), Some("did you mean `date`?"));
    }

    #[test]
    fn blank_values_count_as_absent() {
        assert!(run("version: 1\nowners:\n  tracking:\n    name:\n").is_empty());
    }

    #[test]
    fn root_must_be_a_map() {
        assert!(run("- a\n")[0].message.contains("is a list"));
        assert!(run("")[0].message.contains("empty"));
    }
}
