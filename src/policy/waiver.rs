//! Applying a sheet's configuration to findings: `policy.rules` severities and `off`, waivers
//! (active ones hide, expired ones bring the finding back), and the findings about both.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::{Policy, effective_in};
use crate::finding::{Finding, Severity};
use crate::sheet::Sheet;
use crate::sheet::model::{Text, Waiver};
use crate::suggest::did_you_mean;

/// Days before expiry from which an active waiver is reported as expiring.
pub(super) const EXPIRING_DAYS: i64 = 14;

/// Does a waiver target (a JSON pointer) cover a finding's pointer?
pub(super) fn covers(target: &str, pointer: &str) -> bool {
    target.is_empty()
        || pointer == target
        || (pointer.starts_with(target) && pointer.as_bytes().get(target.len()) == Some(&b'/'))
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Active,
    Expired,
    /// No readable `expires`: it never hides anything.
    Undated,
}

fn state(w: &Waiver, today: NaiveDate) -> State {
    match w.expires.as_ref().and_then(|e| e.date) {
        Some(d) if today <= d => State::Active,
        Some(_) => State::Expired,
        None => State::Undated,
    }
}

fn rule_of(policy: &Policy, id: &str) -> Option<(Severity, String)> {
    policy.rule(id).map(|r| (r.severity, r.id.clone()))
}

/// What judges findings: the sheet they are reported in, its `policy.rules` and its waivers.
/// Usually all three are the sheet's own; a commit range judges its own findings with the
/// stricter rules and the older waivers of its two sheets (`retest::gate`).
pub struct Config<'a> {
    pub source: &'a std::sync::Arc<crate::source::SourceFile>,
    pub rules: &'a [(Text, Text)],
    pub waivers: &'a [Waiver],
}

impl<'a> Config<'a> {
    pub fn of(sheet: &'a Sheet) -> Self {
        Config {
            source: &sheet.source,
            rules: &sheet.policy.rules,
            waivers: &sheet.waivers,
        }
    }
}

pub(super) fn finalize(
    policy: &Policy,
    sheet: &Sheet,
    findings: Vec<Finding>,
    today: NaiveDate,
    ran: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    finalize_with(policy, &Config::of(sheet), findings, today, ran)
}

pub(super) fn finalize_with(
    policy: &Policy,
    sheet: &Config<'_>,
    findings: Vec<Finding>,
    today: NaiveDate,
    ran: &dyn Fn(&str) -> bool,
) -> Vec<Finding> {
    let src = sheet.source;
    let mut extra = Vec::new();
    let new = |id: &str, msg: String| -> Finding {
        let sev = rule_of(policy, id).map_or(Severity::Error, |r| r.0);
        Finding::new(id, sev, msg)
    };
    let ids: Vec<&str> = policy.rules().map(|r| r.id.as_str()).collect();
    let unknown = |id: &str| -> String {
        match did_you_mean(id, ids.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (`govsheet rules` lists every rule)"),
            None => "`govsheet rules` lists every rule id; a team's own rules come from the packs in `policy.packs`".into(),
        }
    };
    // The configuration's own findings belong to `check`; other commands finalizing their
    // findings (`retests`) do not repeat them.
    let check_config = ran("unknown-rule");
    for (id, _) in sheet.rules {
        if check_config && policy.rule(&id.value).is_none() {
            extra.push(
                new(
                    "unknown-rule",
                    format!("`policy.rules` configures `{}`, which is no rule", id.value),
                )
                .at(
                    src,
                    format!(
                        "/policy/rules/{}",
                        crate::sheet::yaml::escape_pointer(&id.value)
                    ),
                    Some(id.span),
                )
                .with_help(unknown(&id.value)),
            );
        }
    }

    // Waivers by rule, for a lookup per finding.
    let mut by_rule: HashMap<&str, Vec<usize>> = HashMap::new();
    let states: Vec<State> = sheet.waivers.iter().map(|w| state(w, today)).collect();
    for (i, w) in sheet.waivers.iter().enumerate() {
        let Some(rule) = &w.rule else { continue };
        if policy.rule(&rule.value).is_none() {
            if !check_config {
                continue;
            }
            extra.push(
                new(
                    "unknown-rule",
                    format!("waiver names rule `{}`, which is no rule", rule.value),
                )
                .at(src, format!("{}/rule", w.pointer), Some(rule.span))
                .with_help(unknown(&rule.value)),
            );
            continue;
        }
        by_rule.entry(rule.value.as_str()).or_default().push(i);
    }
    let mut used = vec![false; sheet.waivers.len()];
    let mut kept = Vec::with_capacity(findings.len());
    for f in findings {
        let mut hidden = false;
        if f.file == src.name
            && let Some(ws) = by_rule.get(f.rule.as_str())
        {
            for &i in ws {
                let target = sheet.waivers[i].target.as_ref().map_or("", |t| t.as_str());
                if covers(target, &f.pointer) {
                    used[i] = true;
                    hidden |= states[i] == State::Active;
                }
            }
        }
        if !hidden {
            kept.push(f);
        }
    }
    for (i, w) in sheet.waivers.iter().enumerate() {
        let Some(rule) = &w.rule else { continue };
        if policy.rule(&rule.value).is_none() || !ran(&rule.value) {
            continue;
        }
        let off = policy
            .rule(&rule.value)
            .is_some_and(|r| effective_in(sheet.rules, r).is_none());
        let target = w.target.as_ref().map_or(String::new(), |t| t.value.clone());
        let shown = if target.is_empty() {
            "the whole sheet".to_owned()
        } else {
            format!("`{target}`")
        };
        match states[i] {
            State::Expired => {
                let exp = w.expires.as_ref().map_or(String::new(), |e| e.raw.clone());
                let span = w.expires.as_ref().map_or(w.span, |e| e.span);
                let tail = if used[i] {
                    "; its findings are reported again"
                } else {
                    ""
                };
                extra.push(
                    new("waiver-expired", format!("the waiver of `{}` for {shown} expired on {exp}{tail}", rule.value))
                        .at(src, format!("{}/expires", w.pointer), Some(span))
                        .with_help("fix what it waived and remove the waiver, or have it approved again with a new `expires` date"),
                );
            }
            State::Undated => {
                let (pointer, span) = match &w.expires {
                    Some(e) => (format!("{}/expires", w.pointer), e.span),
                    None => (w.pointer.clone(), rule.span),
                };
                extra.push(
                    new("waiver-expired", format!("the waiver of `{}` for {shown} has no readable expiry date, so it hides nothing", rule.value))
                        .at(src, pointer, Some(span))
                        .with_help("write `expires: YYYY-MM-DD`: every exception ends"),
                );
            }
            State::Active if !used[i] && !off => {
                extra.push(
                    new("waiver-unused", format!("the waiver of `{}` for {shown} matches no finding", rule.value))
                        .at(src, w.pointer.clone(), Some(w.target.as_ref().map_or(rule.span, |t| t.span)))
                        .with_help("remove the waiver: what it waived is fixed (or the target is not the finding's JSON pointer)"),
                );
            }
            State::Active if used[i] => {
                if let Some(e) = &w.expires
                    && let Some(d) = e.date
                {
                    let days = (d - today).num_days();
                    if days <= EXPIRING_DAYS {
                        extra.push(
                            new("waiver-expiring", format!("the waiver of `{}` for {shown} expires on {} (in {days} days)", rule.value, e.raw))
                                .at(src, format!("{}/expires", w.pointer), Some(e.span))
                                .with_help("fix what it waives before then, or have the exception approved again"),
                        );
                    }
                }
            }
            State::Active => {}
        }
    }
    kept.extend(extra);
    // The sheet's severities, last: they apply to every finding, including the ones above.
    let mut overrides: HashMap<&str, Option<Severity>> = HashMap::new();
    for (id, level) in sheet.rules {
        let sev = match level.value.as_str() {
            "off" => None,
            s => match Severity::parse(s) {
                Some(s) => Some(s),
                None => continue,
            },
        };
        overrides.insert(id.value.as_str(), sev);
    }
    if overrides.is_empty() {
        return kept;
    }
    kept.into_iter()
        .filter_map(|mut f| match overrides.get(f.rule.as_str()) {
            Some(None) => None,
            Some(Some(s)) => {
                f.severity = *s;
                Some(f)
            }
            None => Some(f),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::covers;
    use crate::finding::{Finding, Severity};
    use crate::policy::core;
    use crate::sheet;
    use chrono::NaiveDate;

    #[test]
    fn another_command_finalizes_only_its_own_rules() {
        let text = "version: 1\nowners: {ops: {name: O}}\nwaivers:\n  - {rule: retest-missing, target: /retests/a, reason: r, approved_by: ops, expires: 2027-01-01}\n  - {rule: event-owner, target: /events/X, reason: r, approved_by: ops, expires: 2027-01-01}\n  - {rule: retest-failed, target: /retests/b, reason: r, approved_by: ops, expires: 2026-01-01}\npolicy:\n  rules:\n    nope: off\n    retest-missing: warning\n";
        let loaded = sheet::load("g.yaml", text.as_bytes().to_vec());
        let s = loaded.sheet.unwrap();
        let mk = |rule: &str, ptr: &str| {
            Finding::new(rule, Severity::Error, format!("{rule} at {ptr}")).at(&s.source, ptr, None)
        };
        let findings = vec![
            mk("retest-missing", "/retests/a"),
            mk("retest-missing", "/retests/c"),
            mk("retest-failed", "/retests/b"),
        ];
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let ran = |id: &str| id == "retest-missing" || id == "retest-failed";
        let out = core().finalize(&s, findings, today, &ran);
        let got: Vec<(&str, &str, Severity)> = out
            .iter()
            .map(|f| (f.rule.as_str(), f.pointer.as_str(), f.severity))
            .collect();
        assert_eq!(
            got,
            [
                ("retest-missing", "/retests/c", Severity::Warning),
                ("retest-failed", "/retests/b", Severity::Error),
                ("waiver-expired", "/waivers/2/expires", Severity::Error),
            ]
        );
    }

    #[test]
    fn targets_cover_at_slash_boundaries() {
        assert!(covers("/events/Lead", "/events/Lead"));
        assert!(covers("/events/Lead", "/events/Lead/rollback"));
        assert!(!covers("/events/Lead", "/events/LeadForm"));
        assert!(covers("", "/anything"));
        assert!(!covers("/events/Lead/rollback", "/events/Lead"));
    }
}
