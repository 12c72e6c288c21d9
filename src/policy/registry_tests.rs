//! The rule ids the code makes against the registry: every id made anywhere in `src/` is a
//! declared rule (the type system, [`RuleId`], generated from the packs, plus a scan that no
//! finding is made from a string literal), the generated ids agree with the real pack parser,
//! and every declared rule is made somewhere (by the engine from the pack, by a built-in, or
//! by name in the code).

use std::path::{Path, PathBuf};

use super::builtin::{Builtin, Needs};
use super::core;
use super::rule::Check;
use crate::finding::RuleId;

/// Every `.rs` file under `src/`, with its text up to its first `#[cfg(test)]` (test modules
/// and `tests.rs` files make findings of made-up rules on purpose).
fn code() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs")
                && p.file_name()
                    .is_some_and(|n| n != "tests.rs" && n != "registry_tests.rs")
            {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default();
                out.push((p, code.to_owned()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.len() > 50, "the scan finds the sources");
    out
}

#[test]
fn the_generated_ids_are_the_registry_s_rules_unique_with_their_severity() {
    let registry = super::registry();
    assert_eq!(registry.len(), RuleId::ALL.len());
    for (info, id) in registry.iter().zip(RuleId::ALL) {
        assert_eq!(info.id, id.as_str(), "pack order");
        assert_eq!(info.severity, id.severity(), "{id}: the pack's `severity:`");
        assert_eq!(RuleId::parse(&info.id), Some(id));
        let loader = core().rules[core().index[&info.id]]
            .checks
            .iter()
            .any(|c| matches!(c, Check::Builtin(Builtin::SheetLoader)));
        assert_eq!(id.fixed(), loader, "{id}: fixed is `builtin: sheet-loader`");
    }
    let mut ids: Vec<&str> = RuleId::ALL.iter().map(|r| r.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RuleId::ALL.len(), "ids are unique");
    assert!(RuleId::YamlSyntax.fixed() && RuleId::Schema.fixed());
    assert_eq!(RuleId::parse("no-such-rule"), None);
}

#[test]
fn no_finding_is_made_from_a_string_literal() {
    // A rule id the code makes is a `RuleId` (declared by construction) or a `RuleInfo` id
    // read from a pack; a literal could name a rule nobody declared.
    let mut bad = Vec::new();
    for (path, text) in code() {
        for call in ["Finding::new(", "Issue::new("] {
            for (at, _) in text.match_indices(call) {
                let rest = text[at + call.len()..].trim_start();
                if rest.starts_with('"') {
                    let line = text[..at].lines().count();
                    bad.push(format!("{}:{line}", path.display()));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "findings made from a literal rule id: {bad:?}"
    );
}

#[test]
fn every_declared_rule_is_made_somewhere() {
    let sources = code();
    let verify_rules = sources
        .iter()
        .find(|(p, _)| p.ends_with("policy/verify_rules.rs"))
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let elsewhere = |needle: &str| {
        sources
            .iter()
            .filter(|(p, _)| !p.ends_with("policy/verify_rules.rs"))
            .any(|(_, t)| t.contains(needle))
    };
    let mut unmade = Vec::new();
    for id in RuleId::ALL {
        let rule = &core().rules[core().index[id.as_str()]];
        // Made by the engine from the pack itself (pack-only), or by a built-in that runs.
        let by_pack = rule.checks.iter().any(|c| match c {
            Check::Select(_) => true,
            Check::Builtin(b) => b.needs() != Needs::CoreOnly,
        });
        let variant = format!("{id:?}");
        let by_code = elsewhere(&format!("RuleId::{variant}"))
            || verify_rules
                .lines()
                .find(|l| l.contains(&format!("RuleId::{variant}.")))
                .and_then(|l| l.strip_prefix("pub const "))
                .and_then(|l| l.split(':').next())
                .is_some_and(|name| elsewhere(&format!("rules::{name}")));
        if !by_pack && !by_code {
            unmade.push(id.as_str());
        }
    }
    assert!(unmade.is_empty(), "declared but never made: {unmade:?}");
}
