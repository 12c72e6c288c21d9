//! Which governance changes weaken the gate: the one table `governance-weakened` reads.
//!
//! Weakening: an event, parameter, trigger, event or component retest, component, component
//! path, `depends_on` entry, retest definition, record, policy pack or open incident removed;
//! `required` turned off; a rollback (or its `rule`, `resume_when` or a `pause` entry) removed;
//! a rule lowered or turned off in `policy.rules`; a waiver added (an edited waiver counts as
//! added); a `verify` threshold loosened or removed; a `!` exclusion added to a component; a
//! retest's `max_age` lengthened or removed; the component `root` changed.

use super::{Change, Kind};
use crate::finding::Severity;
use crate::sheet::model::parse_duration_days;
use crate::sheet::yaml::{Node, Value};

/// The rule id of a weakening change.
pub const RULE: &str = crate::finding::RuleId::GovernanceWeakened.as_str();

fn number(n: Option<&Node>) -> Option<f64> {
    match n?.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// A severity as `policy.rules` spells it, `None` for `off`; an unknown word keeps `default`.
fn level(text: Option<&Node>, default: Option<Severity>) -> Option<Option<Severity>> {
    match text.map(|n| n.as_str()) {
        None => Some(default),
        Some(Some("off")) => Some(None),
        Some(Some(s)) => Some(Severity::parse(s).or(default)),
        Some(None) => Some(default),
    }
}

fn word(s: Option<Severity>) -> &'static str {
    s.map_or("off", Severity::as_str)
}

/// Why a change weakens the gate, or `None`: fixed words, never text from the sheet. `segs` is the changed place's path (for an item
/// of a list of ids or globs, the list's path and `item` the item).
pub(super) fn why(
    segs: &[String],
    kind: Kind,
    item: Option<&Node>,
    before: Option<&Node>,
    after: Option<&Node>,
) -> Option<String> {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let removed = kind == Kind::Removed;
    let is_item = item.is_some();
    let text = |m: &str| Some(m.to_owned());
    match (s.as_slice(), kind) {
        (["events", _], Kind::Removed) => {
            text("an event removed: its triggers, retests and rollback no longer gate any change")
        }
        (["events", _, "parameters"], Kind::Removed)
        | (["events", _, "parameters", _], Kind::Removed) => {
            text("a parameter removed from the event contract")
        }
        (["events", _, "parameters", _, "required"], _) => {
            let was = before.is_some_and(|b| b.value == Value::Bool(true));
            let is = after.is_some_and(|a| a.value == Value::Bool(true));
            (was && !is).then(|| "`required` turned off: the parameter may now be missing".into())
        }
        (["events", _, "triggers"], Kind::Removed) => text(
            "a trigger removed: a change of that component no longer requires the event's retests",
        ),
        (["events", _, "retests"], Kind::Removed) => {
            text("a retest removed: the event's changes no longer require it")
        }
        (["events", _, "rollback"], Kind::Removed) => {
            text("the rollback removed: nothing says what to revert and what to pause")
        }
        (["events", _, "rollback", "rule" | "resume_when"], Kind::Removed) => {
            text("part of the rollback removed")
        }
        (["events", _, "rollback", "pause"], Kind::Removed) => text(
            "the rollback `pause` shortened: a decision is no longer paused when the signal breaks",
        ),
        (["events", _, "verify"], Kind::Removed) => text("the `verify` thresholds removed"),
        (["events", _, "verify", "min_dedupe_rate"], _) => loosened(before, after, false),
        (["events", _, "verify", "max_value_drift"], _) => loosened(before, after, true),
        (["components", _], Kind::Removed) => {
            text("a component removed: its files no longer trigger retests")
        }
        (["components", _, "paths"], Kind::Added) if is_item => item
            .and_then(Node::as_str)
            .is_some_and(|p| p.starts_with('!'))
            .then(|| "a path excluded: changes to those files no longer trigger retests".into()),
        (["components", _, "paths"], Kind::Removed) => {
            let negated = item
                .and_then(Node::as_str)
                .is_some_and(|p| p.starts_with('!'));
            (!negated).then(|| {
                "a component path removed: changes to those files no longer trigger retests".into()
            })
        }
        (["components", _, "depends_on"], Kind::Removed) => {
            text("a dependency removed: a change of that component no longer reaches this one")
        }
        (["components", _, "retests"], Kind::Removed) => {
            text("a retest removed: the component's changes no longer require it")
        }
        (["retests", _], Kind::Removed) => text("a retest definition removed"),
        (["retests", _, "events"], Kind::Removed) => text(
            "an event removed from the retest's `events`: that event's changes no longer require it",
        ),
        (["retests", _, "max_age"], _) => {
            let days = |n: Option<&Node>| n.and_then(Node::as_str).and_then(parse_duration_days);
            match (days(before), days(after), removed) {
                (Some(_), _, true) => text("`max_age` removed: a record of any age now covers"),
                (Some(b), Some(a), false) if a > b => {
                    text("`max_age` lengthened: older records now cover")
                }
                _ => None,
            }
        }
        (["records"], Kind::Removed) => text("a record removed: evidence left the history"),
        (["waivers"] | ["waivers", _], Kind::Added) => {
            text("a waiver added: it hides findings of the change that adds it")
        }
        (["policy", "rules", id], _) => {
            let default = crate::policy::core().rule(id).map(|r| r.severity);
            // A team pack's rule: its default is unknown here, so any level below error counts.
            let default = default.or(Some(Severity::Error));
            let b = level(before, default)?;
            let a = level(after, default)?;
            // The reason holds no text from the sheet (the rule id is the change's path), so
            // reports can print it as it is.
            (a < b).then(|| {
                if a.is_none() {
                    format!("a rule turned off (it was {})", word(b))
                } else {
                    format!("a rule lowered from {} to {}", word(b), word(a))
                }
            })
        }
        (["policy", "packs"], Kind::Removed) => {
            text("a policy pack removed: its rules no longer run")
        }
        (["root"], _) => {
            text("the component root changed: every component path now means other files")
        }
        (["incidents"], Kind::Removed) => {
            let open = before
                .and_then(|b| b.get("status"))
                .and_then(Node::as_str)
                .is_none_or(|s| s != "resolved");
            open.then(|| "an open incident removed: its events are no longer stopped".into())
        }
        _ => None,
    }
}

/// A threshold loosened: a lower minimum (`higher_is_looser` false) or a higher maximum, or
/// removed.
fn loosened(before: Option<&Node>, after: Option<&Node>, higher_is_looser: bool) -> Option<String> {
    let b = number(before)?;
    match number(after) {
        None => Some("a `verify` threshold removed".into()),
        Some(a) if (higher_is_looser && a > b) || (!higher_is_looser && a < b) => {
            Some(format!("a `verify` threshold loosened from {b} to {a}"))
        }
        _ => None,
    }
}

/// What to do about a weakening change.
pub(super) fn help(c: &Change) -> String {
    match (c.section.as_str(), c.kind) {
        ("waivers", _) => "a waiver added in a change does not hide that change's retest findings; have it approved in its own pull request, or fix what it waives".into(),
        ("policy", _) => "severities lowered in a change do not apply to that change's retest findings; change the policy in its own pull request if it is meant".into(),
        _ => "if this is meant, say why in the pull request and have the event's owner approve it; the retests of what it covered are still required for this change".into(),
    }
}
