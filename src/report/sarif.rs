//! `--format sarif`: SARIF 2.1.0 with one run, as GitHub code scanning accepts it (every result
//! has its rule, a repository-relative file URI and a line >= 1, and a stable fingerprint).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::{RepoPaths, RuleInfo, rules_for};
use crate::finding::{Finding, Severity};

/// The schema address written in `$schema`.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Where the tool is documented.
pub const INFORMATION_URI: &str = "https://github.com/govsheet/govsheet";
/// The `partialFingerprints` key; bump the version if the hashed text ever changes.
pub const FINGERPRINT_KEY: &str = "govsheet/v1";

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file path as a URI reference: every byte outside the unreserved set and `/` is
/// percent-encoded (so spaces, `%`, `#`, `?` and a `:` that would read as a scheme survive).
pub fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// 64-bit FNV-1a: small, fixed forever (unlike std's hasher), good enough to tell findings apart.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The stable fingerprint of a finding: a hash of its rule, repository path and pointer, and
/// of its rank among findings sharing those three (so two of them never merge into one alert).
pub fn fingerprint(rule: &str, path: &str, pointer: &str, occurrence: usize) -> String {
    let text = format!("{rule}\0{path}\0{pointer}\0{occurrence}");
    format!("{:016x}", fnv1a(text.as_bytes()))
}

fn artifact_location(path: &str) -> Value {
    if path.starts_with('/') {
        // Outside any repository: an absolute file URI, which code scanning will ignore.
        json!({ "uri": format!("file://{}", encode_uri_path(path)) })
    } else {
        json!({ "uri": encode_uri_path(path), "uriBaseId": "%SRCROOT%" })
    }
}

fn region(f: &Finding) -> Value {
    let (line, column) = f
        .location
        .map_or((1, 1), |l| (l.line.max(1), l.column.max(1)));
    let mut r = Map::new();
    r.insert("startLine".into(), json!(line));
    r.insert("startColumn".into(), json!(column));
    if let (Some(src), Some(span)) = (&f.source, f.span)
        && span.len > 0
    {
        let end = src.location(span.end());
        if (end.line, end.column) > (line, column) {
            r.insert("endLine".into(), json!(end.line));
            r.insert("endColumn".into(), json!(end.column));
        }
    }
    Value::Object(r)
}

fn result(f: &Finding, rule_index: usize, path: &str, occurrence: usize) -> Value {
    let text = match &f.help {
        Some(h) => format!("{}\n\nhelp: {h}", f.message),
        None => f.message.clone(),
    };
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.rule));
    r.insert("ruleIndex".into(), json!(rule_index));
    r.insert("level".into(), json!(level(f.severity)));
    r.insert("message".into(), json!({ "text": text }));
    if let Some(changed) = &f.changed {
        // A retests finding is shown on the changed file behind it, where the pull request's
        // diff is; the sheet's place (the retest's definition) is its related location.
        r.insert(
            "locations".into(),
            json!([{ "physicalLocation": {
                "artifactLocation": artifact_location(changed),
                "region": { "startLine": 1, "startColumn": 1 },
            }}]),
        );
        if !path.is_empty() {
            r.insert(
                "relatedLocations".into(),
                json!([{
                    "id": 0,
                    "message": { "text": "the retest, in the governance sheet" },
                    "physicalLocation": {
                        "artifactLocation": artifact_location(path),
                        "region": region(f),
                    },
                }]),
            );
        }
    } else if !path.is_empty() {
        let location = artifact_location(path);
        r.insert(
            "locations".into(),
            json!([{ "physicalLocation": {
                "artifactLocation": location,
                "region": region(f),
            }}]),
        );
        if let Some(src) = &f.source {
            let related: Vec<Value> = f
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let start = src.location(l.span.start);
                    json!({
                        "id": i,
                        "message": { "text": l.message },
                        "physicalLocation": {
                            "artifactLocation": artifact_location(path),
                            "region": { "startLine": start.line, "startColumn": start.column },
                        },
                    })
                })
                .collect();
            if !related.is_empty() {
                r.insert("relatedLocations".into(), Value::Array(related));
            }
        }
    }
    r.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(&f.rule, path, &f.pointer, occurrence) }),
    );
    if !f.pointer.is_empty() {
        r.insert("properties".into(), json!({ "pointer": f.pointer }));
    }
    Value::Object(r)
}

/// A rule id as SARIF's `name` wants it: `retest-missing` -> `RetestMissing`.
pub fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|f| format!("{}{}", f.to_ascii_uppercase(), cs.as_str()))
                .unwrap_or_default()
        })
        .collect()
}

fn rule_json(r: &RuleInfo) -> Value {
    json!({
        "id": r.id,
        "name": pascal_case(&r.id),
        "shortDescription": { "text": r.summary },
        "fullDescription": { "text": r.description },
        "helpUri": r.help_uri,
        "help": { "text": format!("{}\n\n{}", r.description, r.help_uri) },
        "defaultConfiguration": { "level": level(r.default_severity) },
    })
}

/// The SARIF log as a JSON value. `rules` is the rule metadata; a rule a finding names that
/// is not in it is added from the finding.
pub fn log(findings: &[Finding], rules: &[RuleInfo], paths: &RepoPaths) -> Value {
    let rules = rules_for(findings, rules);
    let index: HashMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let path = if f.file.is_empty() {
                String::new()
            } else {
                paths.get(&f.file)
            };
            let n = seen
                .entry((f.rule.clone(), path.clone(), f.pointer.clone()))
                .or_insert(0);
            let occurrence = *n;
            *n += 1;
            result(f, index[f.rule.as_str()], &path, occurrence)
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "govsheet",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules.iter().map(rule_json).collect::<Vec<_>>(),
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// Render the SARIF log as pretty JSON.
pub fn render(findings: &[Finding], rules: &[RuleInfo], paths: &RepoPaths) -> String {
    let mut s = serde_json::to_string_pretty(&log(findings, rules, paths)).unwrap_or_default();
    s.push('\n');
    super::escape::json(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(pascal_case("retest-missing"), "RetestMissing");
        assert_eq!(pascal_case("schema"), "Schema");
        assert_eq!(pascal_case("yaml-syntax"), "YamlSyntax");
    }

    #[test]
    fn uri_paths_are_percent_encoded() {
        assert_eq!(
            encode_uri_path("shop a/100%/c:d#e?.yaml"),
            "shop%20a/100%25/c%3Ad%23e%3F.yaml"
        );
        assert_eq!(encode_uri_path("é.yaml"), "%C3%A9.yaml");
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        // Fixed forever: a change here re-opens every alert in code scanning.
        assert_eq!(
            fingerprint("event-owner", "governance.yaml", "/events/Lead", 0),
            fingerprint("event-owner", "governance.yaml", "/events/Lead", 0)
        );
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let a = fingerprint("event-owner", "governance.yaml", "/events/Lead", 0);
        assert_ne!(
            a,
            fingerprint("event-owner", "governance.yaml", "/events/Lead", 1)
        );
        assert_ne!(
            a,
            fingerprint("event-owner", "governance.yaml", "/events/Lea", 0)
        );
    }

    #[test]
    fn every_result_points_at_its_rule() {
        let findings = vec![
            Finding::new("schema", Severity::Error, "bad").at_line("governance.yaml", 3, 1),
            Finding::new("review-overdue", Severity::Info, "late").at_line("governance.yaml", 0, 0),
        ];
        let log = log(&findings, &[], &RepoPaths::new());
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in run["results"].as_array().unwrap() {
            let i = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[i]["id"], r["ruleId"]);
        }
        assert_eq!(run["results"][1]["level"], "note");
        let region = &run["results"][1]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 1, "a line 0 is raised to 1");
        assert_eq!(region["startColumn"], 1);
    }
}
