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

struct Compiled {
    schema: Json,
    validator: jsonschema::Validator,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        // The schema is part of the binary and covered by tests: failing here is a build bug.
        let schema: Json =
            serde_json::from_str(SCHEMA_TEXT).expect("embedded schema is valid JSON");
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&schema)
            .expect("embedded schema compiles");
        Compiled { schema, validator }
    })
}

/// The embedded schema as JSON.
pub fn schema() -> &'static Json {
    &compiled().schema
}

/// Validate a sheet's tree; every error becomes a `schema` finding at its source span.
pub fn validate(source: &Arc<SourceFile>, root: &Node) -> Vec<Finding> {
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
    let c = compiled();
    let instance = root.to_json();
    let mut findings = Vec::new();
    for err in c.validator.iter_errors(&instance) {
        let pointer = err.instance_path().as_str().to_string();
        let at = |ptr: &str| root.walk(ptr);
        match err.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_keys(&c.schema, err.schema_path().as_str());
                let Some((_, map)) = at(&pointer) else {
                    continue;
                };
                for key in unexpected {
                    let child = format!("{pointer}/{}", escape_pointer(key));
                    let span = map
                        .as_map()
                        .and_then(|m| m.iter().find(|(k, _)| k.key_text() == *key))
                        .map(|(k, _)| k.span);
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
                            .and_then(|m| m.iter().find(|(k, _)| k.key_text() == name))
                    })
                    .map(|(k, _)| k.span);
                let rule = if pointer == "/events" {
                    "an event name is a standard event such as `Purchase` or a custom name matching ^[A-Za-z][A-Za-z0-9_]*$"
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
                        let found = at(&pointer).map_or("something else", |(_, v)| v.type_name());
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
    fn root_must_be_a_map() {
        assert!(run("- a\n")[0].message.contains("is a list"));
        assert!(run("")[0].message.contains("empty"));
    }
}
