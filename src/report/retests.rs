//! The `govsheet retests` report as text: human (grouped by retest, then what to pause) and
//! JSON (the report's fields plus `findings` and `summary`). Pure views of
//! [`retest::Report`](crate::retest::Report).

use std::fmt::Write;

use serde_json::Value;

use super::human::{self, HumanOptions};
use crate::finding::Finding;
use crate::retest::{Report, Required, Status, chain_text};

/// How many why-chains the human report shows per retest before it counts the rest.
pub const MAX_CHAINS_SHOWN: usize = 5;

/// The JSON report: the retest fields and the findings object, in one object.
pub fn json(report: &Report, findings: &[Finding]) -> String {
    let mut obj = match serde_json::to_value(report) {
        Ok(Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    obj.extend(super::json::findings_object(findings, 1));
    let mut s = serde_json::to_string_pretty(&Value::Object(obj)).unwrap_or_default();
    s.push('\n');
    super::escape::json(s)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How many names a one-line list shows before it counts the rest.
const MAX_NAMES: usize = 20;

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    let shown = items[..items.len().min(MAX_NAMES)]
        .iter()
        .map(|i| esc(i))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > MAX_NAMES {
        format!("{shown} (+{} more)", items.len() - MAX_NAMES)
    } else {
        shown
    }
}

fn label(r: &Required) -> &'static str {
    match r.status {
        Status::Covered
            if r.record
                .as_ref()
                .is_some_and(|rec| rec.result == "not-needed") =>
        {
            "NOT-NEEDED"
        }
        Status::Covered => "COVERED",
        Status::Missing => "MISSING",
        Status::Failed => "FAILED",
    }
}

fn one_line(s: &str) -> String {
    esc(&s.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// Text from the inputs (paths, ids, values) with control characters as visible escapes.
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    super::escape::control(s)
}

fn required_block(out: &mut String, r: &Required) {
    let title = r
        .title
        .as_deref()
        .map(|t| format!("  {}", one_line(t)))
        .unwrap_or_default();
    let _ = writeln!(out, "{:<10} {}{title}", label(r), esc(&r.retest));
    let mut facts = vec![format!(
        "owner: {}",
        esc(r.owner.as_deref().unwrap_or("(none)"))
    )];
    facts.push(match r.change_commit.as_deref() {
        Some(crate::retest::history::INDEX) => format!("change: {} (the index)", r.change_date),
        Some(c) => format!(
            "change: {} (commit {})",
            r.change_date,
            crate::retest::history::short(c)
        ),
        None => format!("change: {}", r.change_date),
    });
    if let Some(d) = r.max_age_days {
        facts.push(format!("max age: {d} days"));
    }
    if !r.defined {
        facts.push("not defined under `retests`".into());
    }
    let _ = writeln!(out, "           {}", facts.join("   "));
    if let Some(m) = &r.method {
        let _ = writeln!(out, "           method: {}", one_line(m));
    }
    let _ = writeln!(out, "           because:");
    let mut shown = 0;
    let total: usize = r.because.iter().map(|w| w.files.len()).sum::<usize>() + r.because_not_shown;
    'outer: for w in &r.because {
        for f in &w.files {
            if shown == MAX_CHAINS_SHOWN {
                break 'outer;
            }
            let _ = writeln!(out, "             {}", esc(&chain_text(f, w)));
            shown += 1;
        }
    }
    if total > shown {
        let _ = writeln!(out, "             ... and {} more", total - shown);
    }
    match &r.record {
        Some(rec) => {
            let by = rec.by.as_deref().unwrap_or("(nobody)");
            let _ = writeln!(
                out,
                "           record: {} on {} by {} ({}:{})",
                esc(&rec.result),
                esc(&rec.date),
                esc(by),
                esc(&rec.file),
                rec.line
            );
            if let Some(at) = &rec.entered {
                let _ = writeln!(out, "             entered: {at}");
            }
            if let Some(e) = &rec.evidence {
                let _ = writeln!(out, "             evidence: {}", one_line(e));
            }
            if let Some(n) = &rec.notes {
                let _ = writeln!(out, "             notes: {}", one_line(n));
            }
        }
        None => {
            let _ = writeln!(out, "           record: none");
        }
    }
    if r.status != Status::Covered {
        let _ = writeln!(out, "           why: {}", esc(&r.reason));
    }
    out.push('\n');
}

/// The human report: what changed, each required retest, what to pause, then the findings.
pub fn human(report: &Report, findings: &[Finding], opts: HumanOptions) -> String {
    let mut out = String::new();
    if let Some(c) = &report.compared {
        let _ = writeln!(out, "compared: {}", esc(c));
    }
    let _ = writeln!(
        out,
        "{} -> components: {} -> events: {}\n",
        plural(report.changed_files.len(), "changed file", "changed files"),
        list(&report.components),
        list(&report.events)
    );
    if report.outside_root > 0 {
        let _ = writeln!(
            out,
            "note: {} outside the component root left out\n",
            plural(report.outside_root, "changed path", "changed paths")
        );
    }
    if let Some(g) = &report.governance {
        let base = crate::diff::printable(&g.base);
        if g.changes.is_empty() {
            let _ = writeln!(out, "governance changes since {base}: none\n");
        } else {
            let _ = writeln!(out, "governance changes since {base}:");
            super::diff::human_changes(&mut out, g);
        }
    }
    if report.required.is_empty() {
        let _ = writeln!(
            out,
            "no retest required: the changed files touch no component that asks for one\n"
        );
    }
    for r in &report.required {
        required_block(&mut out, r);
    }
    if !report.paused.is_empty() {
        let _ = writeln!(out, "conclusions to pause for the affected events:");
        for p in &report.paused {
            let until = if p.until.is_empty() {
                "(its required retests are covered)".to_string()
            } else {
                format!("until {} pass", p.until.join(", "))
            };
            let _ = writeln!(
                out,
                "  {}: {} {}",
                esc(&p.event),
                esc(&p.conclusions.join(", ")),
                esc(&until)
            );
        }
        out.push('\n');
    }
    if !report.incidents.is_empty() {
        let _ = writeln!(out, "open incidents on the affected events:");
        for i in &report.incidents {
            let route = i
                .route
                .as_deref()
                .map_or(String::new(), |r| format!(", route {}", esc(r)));
            let _ = writeln!(
                out,
                "  {} ({}) on {}: paused {}{route} ({}:{})",
                esc(i.id.as_deref().unwrap_or("(no id)")),
                esc(&i.status),
                esc(&i.events.join(", ")),
                list(&i.paused),
                esc(&i.file),
                i.line
            );
        }
        out.push('\n');
    }
    let counts = |s: Status| report.required.iter().filter(|r| r.status == s).count();
    if !report.required.is_empty() {
        let _ = writeln!(
            out,
            "{}: {} covered, {} missing, {} failed\n",
            plural(report.required.len(), "required retest", "required retests"),
            counts(Status::Covered),
            counts(Status::Missing),
            counts(Status::Failed)
        );
    }
    out.push_str(&human::render(findings, 1, opts));
    super::escape::log_lines(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::globs::Matcher;
    use crate::retest::{ChangedPath, evaluate, findings};
    use crate::sheet::{model, source::SourceFile, yaml};
    use chrono::NaiveDate;

    const SHEET: &str = "\
version: 1
events:
  Purchase:
    triggers: [checkout]
    retests: [dedupe, smoke]
    rollback: {pause: [budget]}
components:
  checkout: {paths: ['checkout/**']}
retests:
  dedupe: {title: Dedupe, owner: tracking, method: place 3 orders}
  smoke: {title: Smoke, owner: tracking, method: click}
records:
  - {retest: smoke, date: 2026-11-21, result: not-needed, by: tracking, evidence: diff, notes: comment only}
";

    #[test]
    fn human_groups_by_retest_and_says_what_to_pause() {
        let src = SourceFile::new("g.yaml", SHEET);
        let sheet = model::build(&src, yaml::parse(SHEET).unwrap()).0;
        let (m, _) = Matcher::new(&sheet.components);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let paths = (0..7)
            .map(|i| ChangedPath::new(format!("checkout/{i}.js"), None))
            .collect();
        let records = crate::retest::coverage::without_history(&sheet.records);
        let none = crate::retest::History::default();
        let report = evaluate(&sheet, &m, paths, &records, &none, day, day);
        let f = findings(&sheet, &report);
        let text = human(&report, &f, HumanOptions::default());
        assert!(
            text.contains("7 changed files -> components: checkout -> events: Purchase"),
            "{text}"
        );
        assert!(text.contains("MISSING    dedupe  Dedupe"), "{text}");
        assert!(
            text.contains("checkout/4.js -> checkout -> Purchase"),
            "{text}"
        );
        assert!(!text.contains("checkout/5.js -> checkout"), "{text}");
        assert!(text.contains("... and 2 more"), "{text}");
        assert!(text.contains("NOT-NEEDED smoke  Smoke"), "{text}");
        assert!(text.contains("notes: comment only"), "{text}");
        assert!(
            text.contains("Purchase: budget until dedupe pass"),
            "{text}"
        );
        assert!(
            text.contains("2 required retests: 1 covered, 1 missing, 0 failed"),
            "{text}"
        );
        let json: serde_json::Value = serde_json::from_str(&super::json(&report, &f)).unwrap();
        assert_eq!(json["summary"]["errors"], 1);
        assert_eq!(json["required"][0]["because"].as_array().unwrap().len(), 7);
    }

    #[test]
    fn nothing_touched_says_no_retest_required() {
        let src = SourceFile::new("g.yaml", SHEET);
        let sheet = model::build(&src, yaml::parse(SHEET).unwrap()).0;
        let (m, _) = Matcher::new(&sheet.components);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let report = evaluate(
            &sheet,
            &m,
            vec![ChangedPath::new("docs/a.md", None)],
            &[],
            &crate::retest::History::default(),
            day,
            day,
        );
        let text = human(&report, &[], HumanOptions::default());
        assert!(text.contains("no retest required"), "{text}");
    }
}
