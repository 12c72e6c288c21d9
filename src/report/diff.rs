//! `govsheet diff` (and the governance changes of `govsheet retests`) as text: human, a
//! markdown pull-request comment (short, grouped by event, weakening changes first, every text
//! from the sheet in a code span so that no link, HTML or @mention in it is live), and JSON.
//! Pure views of [`Governance`](crate::retest::gate::Governance).

use std::fmt::Write;

use serde_json::{Value, json};

use super::markdown::{code, escape_cell};
use crate::diff::{Change, Kind, printable};
use crate::finding::{Finding, Summary};
use crate::retest::gate::Governance;

/// How many changes a section of the markdown comment lists before it counts the rest.
pub const MARKDOWN_MAX_CHANGES: usize = 40;

/// What was compared, for the headings.
pub struct Compared<'a> {
    /// The sheet, as the repository names it.
    pub sheet: &'a str,
    /// The head side (`HEAD`, `feature`, `the working tree`).
    pub head: &'a str,
}

/// Changes in the order they are shown: weakening ones first, each part grouped by entry in
/// sheet order.
fn grouped(changes: &[Change], weak: bool) -> Vec<(String, Vec<&Change>)> {
    let mut groups: Vec<(String, Vec<&Change>)> = Vec::new();
    for c in changes.iter().filter(|c| c.weakens.is_some() == weak) {
        let g = c.group();
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(c),
            None => groups.push((g, vec![c])),
        }
    }
    groups
}

fn place(c: &Change) -> String {
    match (c.kind, &c.head, &c.base) {
        (Kind::Removed, _, Some(b)) => format!("was {}:{}", printable(&b.file), b.line),
        (_, Some(h), _) => format!("{}:{}", printable(&h.file), h.line),
        (_, None, Some(b)) => format!("was {}:{}", printable(&b.file), b.line),
        _ => String::new(),
    }
}

/// The human report: one block per entry, weakening changes first and marked `!`.
pub fn human(gov: &Governance, compared: &Compared<'_>, findings: &[Finding]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "govsheet diff: {} at {} -> {}",
        printable(compared.sheet),
        printable(&gov.base),
        printable(compared.head)
    );
    human_changes(&mut out, gov);
    let s = Summary::of(findings, 1);
    let word = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let _ = writeln!(
        out,
        "governance-weakened: {} {}, {} {}, {} {}",
        s.errors,
        word(s.errors, "error", "errors"),
        s.warnings,
        word(s.warnings, "warning", "warnings"),
        s.infos,
        word(s.infos, "info", "infos")
    );
    out
}

/// The governance changes as lines of the human report (also the `retests` report's section).
pub fn human_changes(out: &mut String, gov: &Governance) {
    if gov.changes.is_empty() {
        let _ = writeln!(out, "no governance change\n");
        return;
    }
    let _ = writeln!(
        out,
        "{} governance {}, {} {} the gate\n",
        gov.changes.len(),
        if gov.changes.len() == 1 {
            "change"
        } else {
            "changes"
        },
        gov.weakening,
        if gov.weakening == 1 {
            "weakens"
        } else {
            "weaken"
        }
    );
    for weak in [true, false] {
        for (group, list) in grouped(&gov.changes, weak) {
            let _ = writeln!(out, "{group}{}", if weak { " (weakened)" } else { "" });
            for c in list {
                let mark = if weak { "!" } else { " " };
                let _ = writeln!(out, "  {mark} {}   {}", c.describe_as(false), place(c));
                if let Some(why) = &c.weakens {
                    let _ = writeln!(out, "      {why}");
                }
            }
        }
        if gov.changes.iter().any(|c| c.weakens.is_some() == weak) {
            out.push('\n');
        }
    }
}

/// One change as a markdown list item: sheet text only inside code spans.
fn markdown_item(c: &Change) -> String {
    let short = |s: &str| code(&printable(&crate::finding::shorten(s, 120)));
    let what = if c.path.is_empty() {
        String::new()
    } else {
        code(&printable(&c.path))
    };
    let mut line = match (c.kind, &c.item) {
        (Kind::Added, Some(v)) if what.is_empty() => format!("added {}", short(v)),
        (Kind::Removed, Some(v)) if what.is_empty() => format!("removed {}", short(v)),
        (Kind::Added, Some(v)) => format!("added {} to {what}", short(v)),
        (Kind::Removed, Some(v)) => format!("removed {} from {what}", short(v)),
        (Kind::Added, None) if what.is_empty() => "added".to_owned(),
        (Kind::Removed, None) if what.is_empty() => "removed".to_owned(),
        (Kind::Added, None) => format!("added {what}: {}", short(c.after.as_deref().unwrap_or(""))),
        (Kind::Removed, None) => format!("removed {what}"),
        (Kind::Changed, _) => format!(
            "changed {what}: {} → {}",
            short(c.before.as_deref().unwrap_or("")),
            short(c.after.as_deref().unwrap_or(""))
        ),
    };
    if let Some(why) = &c.weakens {
        line.push_str(&format!(": {}", escape_cell(why)));
    }
    let at = place(c);
    if !at.is_empty() {
        line.push_str(&format!(" ({})", code(&at)));
    }
    format!("- {line}\n")
}

/// The markdown comment: a heading that says how many changes weaken the gate, the weakening
/// changes grouped by entry, then the others in a collapsed block.
pub fn markdown(gov: &Governance, compared: &Compared<'_>) -> String {
    let mut out = String::new();
    let total = gov.changes.len();
    let _ = writeln!(
        out,
        "### govsheet diff: {}\n",
        if total == 0 {
            "no governance change".to_owned()
        } else {
            format!(
                "{total} governance {}, {} {} the gate",
                if total == 1 { "change" } else { "changes" },
                gov.weakening,
                if gov.weakening == 1 {
                    "weakens"
                } else {
                    "weaken"
                }
            )
        }
    );
    let _ = writeln!(
        out,
        "{} at {} → {}\n",
        code(&printable(compared.sheet)),
        code(&printable(&gov.base)),
        code(&printable(compared.head))
    );
    for weak in [true, false] {
        let groups = grouped(&gov.changes, weak);
        if groups.is_empty() {
            continue;
        }
        let count: usize = groups.iter().map(|(_, l)| l.len()).sum();
        if weak {
            let _ = writeln!(out, "#### ⚠️ Weakening changes ({count})\n");
        } else {
            let _ = writeln!(out, "<details><summary>Other changes ({count})</summary>\n");
        }
        let mut shown = 0;
        'groups: for (_, list) in groups {
            let _ = writeln!(out, "**{}**\n", group_markdown(list[0]));
            for c in list {
                if shown == MARKDOWN_MAX_CHANGES {
                    break 'groups;
                }
                out.push_str(&markdown_item(c));
                shown += 1;
            }
            out.push('\n');
        }
        if count > shown {
            let _ = writeln!(
                out,
                "\n... and {} more: run `govsheet diff` for the whole list\n",
                count - shown
            );
        }
        if !weak {
            let _ = writeln!(out, "</details>\n");
        }
    }
    if gov.weakening > 0 {
        let _ = writeln!(
            out,
            "Each weakening change still counts for this pull request: the retests either sheet requires are required, and rules lowered or waivers added here do not apply to its own findings."
        );
    }
    out
}

/// The group heading: the section in words, the id as code.
fn group_markdown(c: &Change) -> String {
    match &c.id {
        Some(id) => format!(
            "{} {}",
            crate::diff::singular(&c.section),
            code(&printable(id))
        ),
        None => code(&printable(&c.section)),
    }
}

/// The JSON report: what was compared, the changes, and the findings object.
pub fn json(gov: &Governance, compared: &Compared<'_>, findings: &[Finding]) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("sheet".into(), json!(compared.sheet));
    obj.insert("base".into(), json!(gov.base));
    obj.insert("head".into(), json!(compared.head));
    obj.insert("weakening".into(), json!(gov.weakening));
    obj.insert(
        "changes".into(),
        serde_json::to_value(&gov.changes).unwrap_or(Value::Null),
    );
    obj.extend(super::json::findings_object(findings, 1));
    let mut s = serde_json::to_string_pretty(&Value::Object(obj)).unwrap_or_default();
    s.push('\n');
    s
}
