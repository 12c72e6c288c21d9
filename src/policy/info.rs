//! A rule's metadata, the same shape for every rule whether declared in YAML or backed by a
//! built-in check: what `rules`, `explain`, the reports and the examples read.

use crate::finding::Severity;

/// What every rule has, whether declared in YAML or backed by a built-in check.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub summary: String,
    /// What it finds.
    pub description: String,
    /// Why it matters for ad signals.
    pub why: String,
    pub example_fail: String,
    pub example_pass: String,
    /// The 1-based lines of the pack file where `examples.fail` and `examples.pass` start.
    pub example_lines: (usize, usize),
    /// The pack's `examples_today`: the date its examples are written for.
    pub examples_today: Option<chrono::NaiveDate>,
    /// The pack that declares it (`core`, or the name a team pack gives itself).
    pub pack: String,
    /// The pack's file as the user names it (`policies/core.yaml` for the embedded one).
    pub file: String,
    /// The command that produces its findings (`check`, `retests`, `verify`).
    pub command: String,
}
