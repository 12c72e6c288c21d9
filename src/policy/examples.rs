//! A rule's own examples as its tests: `examples.fail` must raise the rule and `examples.pass`
//! must not, each checked as a sheet through the whole `check` pipeline (loader, schema, every
//! rule of the policy, waivers); and a pack's whole-sheet cases (`tests:`), whose findings must
//! be the ones they expect. `govsheet test` reports the results; nothing here reads files.

use chrono::NaiveDate;

use super::pack::SheetTest;
use super::{Input, Policy, RuleInfo};
use crate::finding::Finding;

/// Which example of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Fail,
    Pass,
}

impl Which {
    pub fn key(self) -> &'static str {
        match self {
            Which::Fail => "examples.fail",
            Which::Pass => "examples.pass",
        }
    }
}

/// What running one example showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The example behaves as its name says.
    Ok,
    /// It does not: why, in words.
    Failed(String),
    /// It cannot be checked from a sheet alone: why.
    Skipped(String),
}

/// One example's result.
#[derive(Debug, Clone)]
pub struct ExampleResult<'a> {
    pub rule: &'a RuleInfo,
    pub which: Which,
    /// The 1-based line of the pack where the example starts (0: the rule has none).
    pub line: usize,
    pub outcome: Outcome,
}

/// A sheet fragment as a sheet: `version: 1` is added when the example leaves it out.
fn as_sheet(example: &str) -> String {
    if example.lines().any(|l| l.starts_with("version:")) {
        example.to_owned()
    } else {
        format!("version: 1\n{example}")
    }
}

/// The findings `check` reports for a sheet's text as of `today` (repository files unknown),
/// judged as `check` judges ([`Policy::judge`]).
fn judged(policy: &Policy, name: &str, text: &str, today: NaiveDate) -> Vec<Finding> {
    let loaded = crate::sheet::load(name, text.as_bytes().to_vec());
    match &loaded.sheet {
        Some(sheet) => policy.judge(sheet, loaded.findings.clone(), &Input::new(today, None)),
        None => loaded.findings,
    }
}

/// The rule ids `check` reports for a sheet's text as of `today`.
fn raised(policy: &Policy, text: &str, today: NaiveDate) -> Vec<String> {
    let findings = judged(policy, "example.yaml", text, today);
    let mut ids: Vec<String> = findings.into_iter().map(|f| f.rule).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Run the examples of `rules` (rules of `policy`), each as of its pack's `examples_today`, or
/// `today` when the pack sets none. Two results per rule, fail example first.
pub fn run<'a>(
    policy: &Policy,
    rules: impl IntoIterator<Item = &'a RuleInfo>,
    today: NaiveDate,
) -> Vec<ExampleResult<'a>> {
    let mut out = Vec::new();
    for rule in rules {
        let skip = if rule.command != "check" {
            Some(format!(
                "its findings come from `govsheet {}`, which an example sheet cannot run",
                rule.command
            ))
        } else if policy.reads_files(&rule.id) {
            Some("it reads the repository's files, which an example sheet does not have".into())
        } else {
            None
        };
        let today = rule.examples_today.unwrap_or(today);
        for (which, text, line) in [
            (Which::Fail, &rule.example_fail, rule.example_lines.0),
            (Which::Pass, &rule.example_pass, rule.example_lines.1),
        ] {
            let outcome = if let Some(why) = &skip {
                Outcome::Skipped(why.clone())
            } else if text.trim().is_empty() {
                Outcome::Failed(format!("rule `{}` has no `{}`", rule.id, which.key()))
            } else {
                let ids = raised(policy, &as_sheet(text), today);
                let fired = ids.contains(&rule.id);
                match (which, fired) {
                    (Which::Fail, true) | (Which::Pass, false) => Outcome::Ok,
                    (Which::Fail, false) => Outcome::Failed(format!(
                        "does not raise `{}` as of {today} (it raises: {})",
                        rule.id,
                        if ids.is_empty() {
                            "nothing".to_owned()
                        } else {
                            ids.join(", ")
                        }
                    )),
                    (Which::Pass, true) => {
                        Outcome::Failed(format!("raises `{}` as of {today}", rule.id))
                    }
                }
            };
            out.push(ExampleResult {
                rule,
                which,
                line,
                outcome,
            });
        }
    }
    out
}

/// Run one whole-sheet case on its sheet's `text` (`name`: the file as shown), as of the
/// case's `today` or else `today`. The findings judged are those of the case's pack's rules and
/// of the rules its `expect` names: each expected finding must be raised (at its line and
/// severity, when given), and nothing else among them. `Failed` says what was missing and
/// what was raised unexpectedly.
pub fn run_case(
    policy: &Policy,
    case: &SheetTest,
    name: &str,
    text: &str,
    today: NaiveDate,
) -> Outcome {
    let today = case.today.unwrap_or(today);
    let findings = judged(policy, name, text, today);
    let named = |rule: &str| case.expect.iter().any(|e| e.rule == rule);
    let mut left: Vec<&Finding> = findings
        .iter()
        .filter(|f| named(&f.rule) || policy.rule(&f.rule).is_some_and(|r| r.pack == case.pack))
        .collect();
    let mut missing = Vec::new();
    for e in &case.expect {
        let at = left.iter().position(|f| {
            f.rule == e.rule
                && e.line.is_none_or(|l| f.line() == Some(l))
                && e.severity.is_none_or(|s| f.severity == s)
        });
        match at {
            Some(i) => {
                left.remove(i);
            }
            None => {
                let mut what = format!("`{}`", e.rule);
                if let Some(l) = e.line {
                    what.push_str(&format!(" at line {l}"));
                }
                if let Some(s) = e.severity {
                    what.push_str(&format!(" ({})", s.as_str()));
                }
                missing.push(what);
            }
        }
    }
    if missing.is_empty() && left.is_empty() {
        return Outcome::Ok;
    }
    let mut why = Vec::new();
    if !missing.is_empty() {
        why.push(format!("expected {}, not raised", missing.join(", ")));
    }
    if !left.is_empty() {
        let extra: Vec<String> = left
            .iter()
            .map(|f| {
                let line = f.line().map_or(String::new(), |l| format!(" at line {l}"));
                format!(
                    "`{}`{line} ({}): {}",
                    f.rule,
                    f.severity.as_str(),
                    f.message
                )
            })
            .collect();
        why.push(format!("raised unexpectedly {}", extra.join("; ")));
    }
    Outcome::Failed(format!("{} (as of {today})", why.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every example of the core pack behaves as its name says (or says why it cannot run).
    #[test]
    fn every_core_rule_passes_its_own_examples() {
        let policy = crate::policy::core();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let results = run(policy, policy.rules().filter(|r| r.pack == "core"), today);
        assert!(results.len() > 40);
        let failed: Vec<String> = results
            .iter()
            .filter_map(|r| match &r.outcome {
                Outcome::Failed(why) => Some(format!("{} {}: {why}", r.rule.id, r.which.key())),
                _ => None,
            })
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
        let skipped = results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Skipped(_)))
            .count();
        assert!(
            skipped < results.len() / 4,
            "{skipped} of {} skipped",
            results.len()
        );
        let ok = results.iter().filter(|r| r.outcome == Outcome::Ok).count();
        assert_eq!(ok + skipped, results.len());
    }

    /// The core pack's whole-sheet cases pass, and a case expecting another line fails saying
    /// what was missing and what was raised instead.
    #[test]
    fn core_sheet_cases_pass_and_a_wrong_expectation_fails() {
        let policy = crate::policy::core();
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        assert!(policy.sheet_tests().len() >= 3);
        for case in policy.sheet_tests() {
            let super::super::pack::CaseSheet::Inline(text) = &case.sheet else {
                panic!("{}: an embedded case is inline", case.name);
            };
            assert_eq!(
                run_case(policy, case, "case.yaml", text, today),
                Outcome::Ok,
                "{}",
                case.name
            );
            let mut wrong = case.clone();
            wrong.expect = vec![super::super::pack::Expected {
                rule: "event-owner".into(),
                line: None,
                severity: None,
            }];
            assert!(
                matches!(run_case(policy, &wrong, "case.yaml", text, today),
                    Outcome::Failed(w) if w.starts_with("expected `event-owner`, not raised")),
                "{}",
                case.name
            );
        }
    }

    /// An example that does not do what it says is reported, with why.
    #[test]
    fn a_wrong_example_is_reported() {
        let policy = crate::policy::core();
        let mut rule = policy
            .rules()
            .find(|r| r.id == "event-owner")
            .unwrap()
            .clone();
        std::mem::swap(&mut rule.example_fail, &mut rule.example_pass);
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let results = run(policy, [&rule], today);
        assert!(
            matches!(&results[0].outcome, Outcome::Failed(w) if w.starts_with("does not raise `event-owner`")),
            "{:?}",
            results[0].outcome
        );
        assert!(matches!(&results[1].outcome, Outcome::Failed(w) if w.starts_with("raises")));
    }
}
