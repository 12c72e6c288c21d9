//! Applying a sheet's configuration to findings: `policy.rules` severities and `off`, waivers
//! (active ones hide, expired ones bring the finding back), and the findings about both.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::Policy;
use crate::finding::{Finding, RuleId, Severity};
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

/// A sheet's `policy.rules`, read once: the one place a rule's severity is changed or turned
/// off, for every command (`check`, `retests`, `doc`, `verify`, and the rule lists of SARIF and
/// `JUnit`). The rules the loader makes ([`RuleId::fixed`]: `yaml-syntax`, `schema`) keep their
/// severity whatever the sheet says: a sheet that cannot be read never passes.
#[derive(Debug, Default)]
pub struct Overrides<'a> {
    /// Rule id -> `None` (off) or the severity; the last entry of an id wins, an unreadable
    /// level is left out (the schema reports it).
    levels: HashMap<&'a str, Option<Severity>>,
}

impl<'a> Overrides<'a> {
    pub fn of(rules: &'a [(Text, Text)]) -> Self {
        let mut levels = HashMap::new();
        for (id, level) in rules {
            let sev = match level.value.as_str() {
                "off" => None,
                s => match Severity::parse(s) {
                    Some(s) => Some(s),
                    None => continue,
                },
            };
            levels.insert(id.value.as_str(), sev);
        }
        Overrides { levels }
    }

    /// The severity of rule `id` whose default is `default`: `None` when the sheet turns it off.
    pub fn severity(&self, id: &str, default: Severity) -> Option<Severity> {
        if fixed(id) {
            return Some(default);
        }
        self.levels.get(id).copied().unwrap_or(Some(default))
    }

    /// A finding as the sheet configures it: `None` when its rule is off.
    pub fn apply(&self, mut f: Finding) -> Option<Finding> {
        if fixed(&f.rule) {
            return Some(f);
        }
        match self.levels.get(f.rule.as_str()) {
            Some(None) => None,
            Some(Some(s)) => {
                f.severity = *s;
                Some(f)
            }
            None => Some(f),
        }
    }
}

/// Whether rule `id` is made by the loader and cannot be configured or waived.
fn fixed(id: &str) -> bool {
    RuleId::parse(id).is_some_and(RuleId::fixed)
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
    let overrides = Overrides::of(sheet.rules);
    let mut extra = Vec::new();
    let new = Finding::of;
    let ids: Vec<&str> = policy.rules().map(|r| r.id.as_str()).collect();
    let unknown = |id: &str| -> String {
        match did_you_mean(id, ids.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? (`govsheet rules` lists every rule)"),
            None => "`govsheet rules` lists every rule id; a team's own rules come from the packs in `policy.packs`".into(),
        }
    };
    // The configuration's own findings belong to `check`; other commands finalizing their
    // findings (`retests`) do not repeat them.
    let check_config = ran(RuleId::UnknownRule.as_str());
    let config_pointer =
        |id: &str| format!("/policy/rules/{}", crate::sheet::yaml::escape_pointer(id));
    for (id, _) in sheet.rules {
        if check_config && fixed(&id.value) {
            extra.push(
                new(
                    RuleId::Schema,
                    format!("`policy.rules` configures `{}`, which cannot be configured: a sheet that cannot be read never passes", id.value),
                )
                .at(src, config_pointer(&id.value), Some(id.span))
                .with_help(format!("remove `{}` from `policy.rules` and fix what its findings say", id.value)),
            );
        }
        if check_config && policy.rule(&id.value).is_none() {
            extra.push(
                new(
                    RuleId::UnknownRule,
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
        if fixed(&rule.value) {
            // Never hides anything.
            if check_config {
                extra.push(
                    new(
                        RuleId::Schema,
                        format!("waiver names `{}`, which cannot be waived: a sheet that cannot be read never passes", rule.value),
                    )
                    .at(src, format!("{}/rule", w.pointer), Some(rule.span))
                    .with_help("fix what the finding says and remove the waiver"),
                );
            }
            continue;
        }
        if policy.rule(&rule.value).is_none() {
            if !check_config {
                continue;
            }
            extra.push(
                new(
                    RuleId::UnknownRule,
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
        if fixed(&rule.value) || policy.rule(&rule.value).is_none() || !ran(&rule.value) {
            continue;
        }
        let off = policy
            .rule(&rule.value)
            .is_some_and(|r| overrides.severity(&r.id, r.severity).is_none());
        let target = w
            .target
            .as_ref()
            .map_or(String::new(), |t| t.value.to_string());
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
                    new(RuleId::WaiverExpired, format!("the waiver of `{}` for {shown} expired on {exp}{tail}", rule.value))
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
                    new(RuleId::WaiverExpired, format!("the waiver of `{}` for {shown} has no readable expiry date, so it hides nothing", rule.value))
                        .at(src, pointer, Some(span))
                        .with_help("write `expires: YYYY-MM-DD`: every exception ends"),
                );
            }
            State::Active if !used[i] && !off => {
                extra.push(
                    new(RuleId::WaiverUnused, format!("the waiver of `{}` for {shown} matches no finding", rule.value))
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
                            new(RuleId::WaiverExpiring, format!("the waiver of `{}` for {shown} expires on {} (in {days} days)", rule.value, e.raw))
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
    kept.into_iter()
        .filter_map(|f| overrides.apply(f))
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
