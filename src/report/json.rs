//! `--format json`: one JSON object with `findings` and `summary`, as the CLI contract shows.

use serde_json::{Map, Value, json};

use crate::finding::{Finding, Summary};

/// One finding as the JSON contract spells it.
pub fn finding_json(f: &Finding) -> Value {
    let mut m = Map::new();
    m.insert("rule".into(), json!(f.rule));
    m.insert("severity".into(), json!(f.severity.as_str()));
    m.insert("message".into(), json!(f.message));
    m.insert("file".into(), json!(f.file));
    m.insert("pointer".into(), json!(f.pointer));
    m.insert("line".into(), json!(f.line()));
    m.insert("column".into(), json!(f.column()));
    if let Some(h) = &f.help {
        m.insert("help".into(), json!(h));
    }
    Value::Object(m)
}

/// The `findings` and `summary` members every JSON report has.
pub fn findings_object(findings: &[Finding], files: usize) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "findings".into(),
        Value::Array(findings.iter().map(finding_json).collect()),
    );
    m.insert("summary".into(), json!(Summary::of(findings, files)));
    m
}

/// Render a `check` report.
pub fn render(findings: &[Finding], files: usize) -> String {
    let mut s = serde_json::to_string_pretty(&Value::Object(findings_object(findings, files)))
        .unwrap_or_default();
    s.push('\n');
    super::escape::json(s)
}
