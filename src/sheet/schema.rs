//! The JSON Schema step: shape and types of a sheet, with every error walked back to the
//! source span of the key or value at fault.
//!
//! The schema is compiled once per process, lazily. Unknown keys get the nearest known key
//! as a suggestion, read from the schema's own `properties`.

use std::sync::{Arc, OnceLock};

use jsonschema::error::ValidationErrorKind;
use serde_json::Value as Json;

use super::source::SourceFile;
use super::yaml::{Node, escape_pointer};
use crate::finding::{Finding, Severity};
use crate::suggest::did_you_mean;

/// The schema as shipped (`govsheet schema` prints it).
pub const SCHEMA_TEXT: &str = include_str!("../../schema/governance.schema.json");

/// The schema and its validators, each compiled on first use: a run that reads no
/// `records_dir` file never compiles the record validators.
struct Compiled {
    schema: Json,
    sheet: OnceLock<jsonschema::Validator>,
    /// Files of `records_dir` / `incidents_dir`: one item, or a list of them.
    record: OnceLock<jsonschema::Validator>,
    records: OnceLock<jsonschema::Validator>,
    incident: OnceLock<jsonschema::Validator>,
    incidents: OnceLock<jsonschema::Validator>,
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

fn build(schema: &Json) -> jsonschema::Validator {
    // The schema is part of the binary and covered by tests: failing here is a build bug.
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .expect("embedded schema compiles")
}

/// The embedded schema with its root replaced by `root` (keeping `$defs`, so that schema
/// paths such as `/$defs/record/additionalProperties` stay valid).
fn rooted(schema: &Json, root: Json) -> Json {
    let mut obj = serde_json::Map::new();
    for key in ["$schema", "$id", "$defs"] {
        if let Some(v) = schema.get(key) {
            obj.insert(key.into(), v.clone());
        }
    }
    if let Json::Object(extra) = root {
        obj.extend(extra);
    }
    Json::Object(obj)
}

fn one(schema: &Json, def: &str) -> jsonschema::Validator {
    build(&rooted(
        schema,
        serde_json::json!({"$ref": format!("#/$defs/{def}")}),
    ))
}

fn many(schema: &Json, def: &str) -> jsonschema::Validator {
    build(&rooted(
        schema,
        serde_json::json!({"type": "array", "items": {"$ref": format!("#/$defs/{def}")}}),
    ))
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled {
        schema: serde_json::from_str(SCHEMA_TEXT).expect("embedded schema is valid JSON"),
        sheet: OnceLock::new(),
        record: OnceLock::new(),
        records: OnceLock::new(),
        incident: OnceLock::new(),
        incidents: OnceLock::new(),
    })
}

/// Compile the sheet's validator, then that of a one-record file, now. The CLI calls this on
/// a helper thread while the main thread reads and parses the sheet.
pub fn warm_up() {
    let c = compiled();
    c.sheet.get_or_init(|| build(&c.schema));
    c.record.get_or_init(|| one(&c.schema, "record"));
}

/// The embedded schema as JSON.
pub fn schema() -> &'static Json {
    &compiled().schema
}

/// Validate a sheet's tree; every error becomes a `schema` finding at its source span.
pub fn validate(source: &Arc<SourceFile>, root: &Node) -> Vec<Finding> {
    validate_as(source, root, Kind::Sheet)
}

/// Validate a tree as a sheet or as a records/incidents file.
pub fn validate_as(source: &Arc<SourceFile>, root: &Node, kind: Kind) -> Vec<Finding> {
    let c = compiled();
    let seq = matches!(root.value, crate::sheet::yaml::Value::Seq(_));
    let validator = match (kind, seq) {
        (Kind::Sheet, _) => c.sheet.get_or_init(|| build(&c.schema)),
        (Kind::Records, true) => c.records.get_or_init(|| many(&c.schema, "record")),
        (Kind::Records, false) => c.record.get_or_init(|| one(&c.schema, "record")),
        (Kind::Incidents, true) => c.incidents.get_or_init(|| many(&c.schema, "incident")),
        (Kind::Incidents, false) => c.incident.get_or_init(|| one(&c.schema, "incident")),
    };
    if kind != Kind::Sheet {
        return check(source, root, &c.schema, validator);
    }
    if root.as_map().is_none() {
        let message = if root.is_null() {
            "the sheet is empty: a governance sheet is a map that starts with `version: 1`"
                .to_string()
        } else {
            format!(
                "the sheet is {}; a governance sheet is a map that starts with `version: 1`",
                root.type_name()
            )
        };
        return vec![Finding::new("schema", Severity::Error, message).at(
            source,
            "",
            Some(root.span),
        )];
    }
    check(source, root, &c.schema, validator)
}

fn check(
    source: &Arc<SourceFile>,
    root: &Node,
    schema: &Json,
    validator: &jsonschema::Validator,
) -> Vec<Finding> {
    let instance = root.to_json();
    let mut findings = errors(source, root, schema, validator, &instance, false);
    // A key with no value counts as absent for the type checks, but a key the format does
    // not know is an error whatever its value (`pahts:`; `{description: a, b}` makes `b` a
    // key): a second pass with empty values kept reports only those.
    if has_empty_value(root) {
        let with_empty = to_json_keeping_empty(root);
        findings.extend(errors(source, root, schema, validator, &with_empty, true));
    }
    findings
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

/// The findings of one validation of `instance`. `empty_keys_only`: report nothing but the
/// unknown keys whose value is empty (the first pass, without them, reported the rest).
fn errors(
    source: &Arc<SourceFile>,
    root: &Node,
    schema: &Json,
    validator: &jsonschema::Validator,
    instance: &Json,
    empty_keys_only: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for err in validator.iter_errors(instance) {
        if empty_keys_only
            && !matches!(err.kind(), ValidationErrorKind::AdditionalProperties { .. })
        {
            continue;
        }
        let pointer = err.instance_path().as_str().to_string();
        let at = |ptr: &str| root.walk(ptr);
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_keys(schema, err.schema_path().as_str());
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
                    let mut f = Finding::new(
                        "schema",
                        Severity::Error,
                        format!("unknown key `{key}` in {}", describe(&pointer)),
                    )
                    .at(source, child, span);
                    f = match did_you_mean(key, known.iter().map(String::as_str)) {
                        Some(s) => f.with_help(format!("did you mean `{s}`?")),
                        None if !known.is_empty() => {
                            f.with_help(format!("known keys here: {}", known.join(", ")))
                        }
                        None => f,
                    };
                    findings.push(f);
                }
            }
            ValidationErrorKind::PropertyNames { error } => {
                let name = error.instance().as_str().unwrap_or_default().to_string();
                let span = at(&pointer)
                    .and_then(|(_, m)| {
                        m.as_map()
                            .and_then(|m| m.iter().find(|(k, _)| k.key_is(&name)))
                    })
                    .map(|(k, _)| k.span);
                let rule = if pointer == "/events" {
                    "an event name is a standard event such as `Purchase` or a custom name matching ^[A-Za-z][A-Za-z0-9_]*$"
                } else if pointer.ends_with("/parameters") {
                    "a parameter name is the name Meta receives, such as `value` or `content_ids`: ^[A-Za-z_][A-Za-z0-9_]*$"
                } else if pointer == "/policy/rules" {
                    "rule ids are lowercase kebab-case, such as `event-owner` (see `govsheet rules`)"
                } else {
                    "ids are lowercase kebab-case: ^[a-z0-9][a-z0-9-]*$"
                };
                findings.push(
                    Finding::new(
                        "schema",
                        Severity::Error,
                        format!("`{name}` is not a valid key in {}", describe(&pointer)),
                    )
                    .at(source, format!("{pointer}/{}", escape_pointer(&name)), span)
                    .with_help(rule),
                );
            }
            kind => {
                let span = at(&pointer).map(|(_, v)| v.span);
                let message = match kind {
                    ValidationErrorKind::Type { .. } => {
                        let found = at(&pointer).map_or("something else", |(_, v)| match v.value {
                            crate::sheet::yaml::Value::Float(f) if !f.is_finite() => {
                                "`.nan` or `.inf`, which is no usable number"
                            }
                            _ => v.type_name(),
                        });
                        format!(
                            "{} should be {}, found {found}",
                            describe(&pointer),
                            expected_type(&err.to_string())
                        )
                    }
                    ValidationErrorKind::Required { property } => {
                        format!(
                            "{} is missing `{}`",
                            describe(&pointer),
                            property.as_str().unwrap_or_default()
                        )
                    }
                    _ => format!("{}: {}", describe(&pointer), err),
                };
                findings.push(
                    Finding::new("schema", Severity::Error, message).at(source, pointer, span),
                );
            }
        }
    }
    findings
}

/// "is not of type \"string\"" -> "a string"
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
            "object" => "a map".to_string(),
            "array" => "a list".to_string(),
            "integer" => "an integer".to_string(),
            "null" => "empty".to_string(),
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
