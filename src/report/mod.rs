//! Renderers: views of the one [`Finding`](crate::finding::Finding) type. Each renderer is a
//! pure function from findings to text; the CLI decides where the text goes.
//!
//! This module also holds what the CI renderers share: [`RuleInfo`] (the rule metadata SARIF and
//! `JUnit` list) and [`RepoPaths`] (a finding's file as a path relative to the repository root).

use std::collections::BTreeMap;

use crate::finding::{Finding, Severity};

pub mod diff;
pub mod escape;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod retests;
pub mod sarif;
pub mod verify;

/// Where each rule is documented; the rule id is the anchor.
pub const RULES_DOC_URL: &str = "https://github.com/govsheet/govsheet/blob/main/docs/rules.md";

/// The metadata of one rule as the CI formats show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    pub id: String,
    /// One line: what the rule finds.
    pub summary: String,
    /// The full explanation.
    pub description: String,
    pub default_severity: Severity,
    pub help_uri: String,
}

impl RuleInfo {
    pub fn new(
        id: impl Into<String>,
        summary: impl Into<String>,
        description: impl Into<String>,
        default_severity: Severity,
    ) -> Self {
        let id = id.into();
        Self {
            help_uri: help_uri(&id),
            id,
            summary: summary.into(),
            description: description.into(),
            default_severity,
        }
    }
}

/// The documentation address of a rule.
pub fn help_uri(rule: &str) -> String {
    format!("{RULES_DOC_URL}#{rule}")
}

/// The rules a report lists: `known` in its order, then every rule a finding names that
/// `known` lacks (described by its first finding), so that each finding has its rule.
pub fn rules_for(findings: &[Finding], known: &[RuleInfo]) -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = known.to_vec();
    for f in findings {
        if !rules.iter().any(|r| r.id == f.rule) {
            rules.push(RuleInfo::new(
                f.rule.clone(),
                f.message.clone(),
                f.message.clone(),
                f.severity,
            ));
        }
    }
    rules
}

/// Each finding's file as a path relative to the repository root with `/` separators, as
/// SARIF, GitHub annotations and PR comments need it. The CLI fills it (it knows the working
/// folder and the repository root); a file it has no entry for is cleaned up lexically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoPaths {
    map: BTreeMap<String, String>,
}

impl RepoPaths {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record that `file` (as findings name it) is `repo_relative` in the repository.
    pub fn insert(&mut self, file: impl Into<String>, repo_relative: impl Into<String>) {
        self.map
            .insert(file.into(), slash_path(&repo_relative.into()));
    }

    /// The repository-relative path of a finding's file.
    pub fn get(&self, file: &str) -> String {
        match self.map.get(file) {
            Some(p) => p.clone(),
            None => slash_path(file),
        }
    }
}

/// `\` to `/`, and no leading `./`.
fn slash_path(p: &str) -> String {
    let mut s = p.replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.to_owned();
    }
    s
}

/// `file:line:col` (or just the file) of a finding, with the file as `paths` names it.
pub fn location_text(f: &Finding, paths: &RepoPaths) -> String {
    let file = paths.get(&f.file);
    match f.location {
        Some(l) => format!("{file}:{}:{}", l.line, l.column),
        None => file,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_adds_rules_only_findings_name() {
        let known = vec![RuleInfo::new("schema", "s", "d", Severity::Error)];
        let findings = vec![
            Finding::new("schema", Severity::Error, "x"),
            Finding::new("event-owner", Severity::Warning, "no owner"),
            Finding::new("event-owner", Severity::Warning, "no owner either"),
        ];
        let rules = rules_for(&findings, &known);
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["schema", "event-owner"]);
        assert_eq!(rules[1].description, "no owner");
        assert_eq!(rules[1].default_severity, Severity::Warning);
        assert_eq!(
            rules[1].help_uri,
            "https://github.com/govsheet/govsheet/blob/main/docs/rules.md#event-owner"
        );
    }

    #[test]
    fn repo_paths_fall_back_to_slashes() {
        let mut p = RepoPaths::new();
        p.insert("../a/governance.yaml", "shop/a/governance.yaml");
        assert_eq!(p.get("../a/governance.yaml"), "shop/a/governance.yaml");
        assert_eq!(p.get(".\\x\\governance.yaml"), "x/governance.yaml");
        assert_eq!(p.get("./././g.yaml"), "g.yaml");
    }
}
