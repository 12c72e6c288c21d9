//! The `govsheet retests` report as text: human (grouped by retest, then what to pause) and
//! JSON (the report's fields plus `findings` and `summary`). Pure views of
//! [`retest::Report`](crate::retest::Report).

use std::fmt::Write;

use serde_json::Value;

use super::human::{self, HumanOptions};
use crate::finding::Finding;
use crate::retest::{Report, Required, Status, chain_text};

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

/// Whether a finding is a required retest's verdict (`retest-missing`, `retest-failed`): the
/// retest's own block (or `JUnit` case) shows it, not a finding of its own.
fn is_verdict(f: &Finding) -> bool {
    matches!(f.rule.as_str(), "retest-missing" | "retest-failed")
}

/// The verdict finding of a required retest (see [`crate::retest::findings`]), if it has one.
fn verdict_of<'a>(r: &Required, findings: &'a [Finding]) -> Option<&'a Finding> {
    let head = format!("retest `{}` ", r.retest);
    findings
        .iter()
        .find(|f| is_verdict(f) && f.message.starts_with(&head))
}

/// The status word, padded, in its colour when `color`: red for what fails the check, green
/// for covered, yellow for the not-needed escape hatch (always shown as such).
fn status(r: &Required, color: bool) -> String {
    use owo_colors::OwoColorize;
    let word = format!("{:<10}", label(r));
    if !color {
        return word;
    }
    match (r.status, label(r)) {
        (Status::Covered, "NOT-NEEDED") => word.yellow().bold().to_string(),
        (Status::Covered, _) => word.green().bold().to_string(),
        _ => word.red().bold().to_string(),
    }
}

fn one_line(s: &str) -> String {
    esc(&s.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// Text from the inputs (paths, ids, values) with control characters as visible escapes.
fn esc(s: &str) -> std::borrow::Cow<'_, str> {
    super::escape::control(s)
}

/// Indent of the lines under a retest's status line, and the width of their names.
const INDENT: &str = "    ";
const NAME: usize = 8;

/// `name  text`, the text wrapped to `width` and its continuation lines aligned under it.
fn field(out: &mut String, name: &str, text: &str, width: usize, color: bool) {
    use owo_colors::OwoColorize;
    let lead = format!("{INDENT}{name:<NAME$}");
    let rest = " ".repeat(lead.chars().count());
    // Ids and commands hold `-`: never split a word there, nor anywhere.
    let opts = textwrap::Options::new(width.max(lead.len() + 20))
        .initial_indent(&rest)
        .subsequent_indent(&rest)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let text = esc(text);
    for (i, line) in textwrap::wrap(&text, opts).iter().enumerate() {
        let line = line.trim_start();
        if i == 0 {
            let shown = if color {
                lead.dimmed().to_string()
            } else {
                lead.clone()
            };
            let _ = writeln!(out, "{shown}{line}");
        } else {
            let _ = writeln!(out, "{rest}{line}");
        }
    }
}

/// The why-chains on one line: the first one and how many more.
fn why_line(r: &Required) -> String {
    let total: usize = r.because.iter().map(|w| w.files.len()).sum::<usize>() + r.because_not_shown;
    let first = r
        .because
        .iter()
        .find_map(|w| w.files.first().map(|f| chain_text(f, w)))
        .unwrap_or_else(|| "(no changed file)".into());
    let more = if total > 1 {
        format!(" (+{} more)", total - 1)
    } else {
        String::new()
    };
    let change = match r.change_commit.as_deref() {
        Some(crate::retest::history::INDEX) => format!("changed {} (the index)", r.change_date),
        Some(c) => format!(
            "changed {} (commit {})",
            r.change_date,
            crate::retest::history::short(c)
        ),
        None => format!("changed {}", r.change_date),
    };
    format!("{first}{more}; {change}")
}

/// One required retest: a status line, then what it needs, folded and wrapped to `width`.
fn required_block(out: &mut String, r: &Required, findings: &[Finding], opts: HumanOptions) {
    let title = r.title.as_deref().map(one_line).unwrap_or_default();
    let owner = r.owner.as_deref().unwrap_or("(no owner)");
    // The title on the status line, cut to the width so the line never wraps.
    let id = esc(&r.retest);
    let room = opts.width.saturating_sub(11 + id.chars().count() + 2);
    let title = if title.chars().count() > room {
        let cut: String = title.chars().take(room.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    } else {
        title
    };
    let head = format!("{} {id}  {title}", status(r, opts.color));
    let _ = writeln!(out, "{head}");
    // The finding this block stands for (a missing or failed retest): its place and help.
    let finding = verdict_of(r, findings);
    let mut facts = vec![format!("owner {owner}")];
    if let Some(d) = r.max_age_days {
        facts.push(format!("max age {d} days"));
    }
    if !r.defined {
        facts.push("not defined under `retests`".into());
    }
    if let Some(f) = finding
        && let Some(line) = f.line()
    {
        facts.push(format!("{} {}:{line}", f.rule, f.file));
    }
    field(out, "who", &facts.join(", "), opts.width, opts.color);
    field(out, "why", &why_line(r), opts.width, opts.color);
    match &r.record {
        Some(rec) => {
            let by = rec.by.as_deref().unwrap_or("(nobody)");
            let entered = rec
                .entered
                .as_deref()
                .map_or(String::new(), |e| format!(", entered {e}"));
            let mut text = format!(
                "{} on {} by {by}{entered} ({}:{})",
                rec.result, rec.date, rec.file, rec.line
            );
            if let Some(e) = &rec.evidence {
                text.push_str(&format!("; evidence: {}", one_line(e)));
            }
            if let Some(n) = &rec.notes {
                text.push_str(&format!("; notes: {}", one_line(n)));
            }
            field(out, "record", &text, opts.width, opts.color);
        }
        None => field(out, "record", "none", opts.width, opts.color),
    }
    if r.status != Status::Covered {
        field(out, "verdict", &r.reason, opts.width, opts.color);
        if let Some(m) = &r.method {
            field(out, "method", &one_line(m), opts.width, opts.color);
        }
        if let Some(help) = finding.and_then(|f| f.help.as_deref()) {
            field(out, "next", &one_line(help), opts.width, opts.color);
        }
    }
}

/// `JUnit` of a retests run: one case per required retest (failed when it is missing or failed
/// and its finding is at or above `fail_on`), then one case per other finding.
pub fn junit(
    report: &Report,
    findings: &[Finding],
    sheet: &str,
    fail_on: crate::finding::Severity,
) -> String {
    use super::junit::{Case, line_of, render_cases};
    let mut cases = Vec::new();
    for r in &report.required {
        let (failure, output) = match verdict_of(r, findings) {
            Some(f) if f.severity >= fail_on => {
                (Some((f.rule.clone(), f.message.clone(), line_of(f))), None)
            }
            Some(f) => (None, Some(line_of(f))),
            None => (
                None,
                Some(format!("{}: {}", label(r).to_lowercase(), r.reason)),
            ),
        };
        cases.push(Case {
            classname: format!("{sheet}.retests"),
            name: r.retest.clone(),
            failure,
            output,
        });
    }
    for (i, f) in findings.iter().filter(|f| !is_verdict(f)).enumerate() {
        let failing = f.severity >= fail_on;
        cases.push(Case {
            classname: format!("{sheet}.{}", f.rule),
            name: format!("{} #{}", f.rule, i + 1),
            failure: failing.then(|| (f.rule.clone(), f.message.clone(), line_of(f))),
            output: (!failing).then(|| line_of(f)),
        });
    }
    render_cases(sheet, &cases)
}

/// The human report: what changed, one block per required retest (each once: the
/// `retest-missing` / `retest-failed` findings are these blocks, and only count in the
/// summary), what to pause, then the other findings and the summary.
pub fn human(report: &Report, findings: &[Finding], opts: HumanOptions) -> String {
    let mut out = String::new();
    let scope = format!(
        "{} -> components: {} -> events: {}",
        plural(report.changed_files.len(), "changed file", "changed files"),
        list(&report.components),
        list(&report.events)
    );
    match &report.compared {
        Some(c) => {
            let _ = writeln!(out, "{c}");
            let _ = writeln!(out, "{scope}");
        }
        None => {
            let _ = writeln!(out, "{scope}");
        }
    }
    if report.outside_root > 0 {
        let _ = writeln!(
            out,
            "note: {} outside the component root left out",
            plural(report.outside_root, "changed path", "changed paths")
        );
    }
    if let Some(g) = &report.governance {
        let base = crate::diff::printable(&g.base);
        if g.changes.is_empty() {
            let _ = writeln!(out, "governance changes since {base}: none");
        } else {
            let _ = writeln!(out, "governance changes since {base}:");
            super::diff::human_changes(&mut out, g);
        }
    }
    out.push('\n');
    if report.required.is_empty() {
        let _ = writeln!(
            out,
            "no retest required: the changed files touch no component that asks for one\n"
        );
    }
    // What fails first, then what is covered.
    let mut required: Vec<&Required> = report.required.iter().collect();
    required.sort_by_key(|r| r.status == Status::Covered);
    for r in required {
        required_block(&mut out, r, findings, opts);
        out.push('\n');
    }
    if !report.paused.is_empty() {
        for p in &report.paused {
            let until = if p.until.is_empty() {
                "(its required retests are covered)".to_owned()
            } else {
                format!("until {} pass", p.until.join(", "))
            };
            field(
                &mut out,
                "pause",
                &format!("{}: {} {until}", p.event, p.conclusions.join(", ")),
                opts.width,
                opts.color,
            );
        }
    }
    for i in &report.incidents {
        let route = i
            .route
            .as_deref()
            .map_or(String::new(), |r| format!(", route {r}"));
        field(
            &mut out,
            "incident",
            &format!(
                "{} ({}) on {}: paused {}{route} ({}:{})",
                i.id.as_deref().unwrap_or("(no id)"),
                i.status,
                i.events.join(", "),
                list(&i.paused),
                esc(&i.file),
                i.line
            ),
            opts.width,
            opts.color,
        );
    }
    if !report.paused.is_empty() || !report.incidents.is_empty() {
        out.push('\n');
    }
    let counts = |s: Status| report.required.iter().filter(|r| r.status == s).count();
    if !report.required.is_empty() {
        let _ = writeln!(
            out,
            "{}: {} covered, {} missing, {} failed",
            plural(report.required.len(), "required retest", "required retests"),
            counts(Status::Covered),
            counts(Status::Missing),
            counts(Status::Failed)
        );
    }
    let others: Vec<Finding> = findings
        .iter()
        .filter(|f| !is_verdict(f))
        .cloned()
        .collect();
    if !others.is_empty() {
        out.push('\n');
    }
    out.push_str(&human::render_findings(&others, opts));
    out.push_str(&human::summary_line(&crate::finding::Summary::of(
        findings, 1,
    )));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::globs::Matcher;
    use crate::retest::{ChangedPath, evaluate, findings};
    use crate::sheet::{build, yaml};
    use crate::source::SourceFile;
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

    /// Issue 14: at the terminal's width no line of a retest block runs over it (the title
    /// is cut, the other fields wrap), from 60 columns up.
    #[test]
    fn retest_blocks_fit_the_width() {
        let src = SourceFile::new("g.yaml", SHEET);
        let sheet = build::build(&src, yaml::parse(SHEET).unwrap()).0;
        let (m, _) = Matcher::new(&sheet.components);
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let paths = vec![ChangedPath::new(
            "checkout/a-rather-long-path/to/a/file.js",
            None,
        )];
        let records = crate::retest::coverage::without_history(&sheet.records);
        let none = crate::retest::History::default();
        let mut report = evaluate(&sheet, &m, paths, &records, &none, day, day);
        for r in &mut report.required {
            r.title = Some("A very long title that goes on and on about what it checks".into());
        }
        let f = findings(&sheet, &report);
        for width in [60, 80, 120] {
            let opts = HumanOptions {
                width,
                ..HumanOptions::default()
            };
            let text = human(&report, &f, opts);
            let block = text.split("\n\n").nth(1).unwrap();
            for line in block.lines() {
                assert!(line.chars().count() <= width, "{width}: {line:?}\n{text}");
            }
        }
    }

    #[test]
    fn human_groups_by_retest_and_says_what_to_pause() {
        let src = SourceFile::new("g.yaml", SHEET);
        let sheet = build::build(&src, yaml::parse(SHEET).unwrap()).0;
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
        // The why-chains folded on one line: the first and how many more.
        assert!(
            text.contains(
                "why     checkout/0.js -> checkout -> Purchase (+6 more); changed 2026-11-21"
            ),
            "{text}"
        );
        assert!(!text.contains("checkout/1.js -> checkout"), "{text}");
        // Each retest once: the missing retest's finding is its block, not a second report.
        assert_eq!(text.matches("retest `dedupe`").count(), 0, "{text}");
        assert_eq!(text.matches("MISSING    dedupe").count(), 1, "{text}");
        assert_eq!(text.matches("retest-missing").count(), 1, "{text}");
        assert!(text.contains("retest-missing g.yaml:10"), "{text}");
        assert!(
            text.contains("next    run it as its `method` says"),
            "{text}"
        );
        assert!(text.contains("1 error, 0 warnings"), "{text}");
        // What fails comes first.
        assert!(
            text.find("MISSING").unwrap() < text.find("NOT-NEEDED").unwrap(),
            "{text}"
        );
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
        let json: Value = serde_json::from_str(&json(&report, &f)).unwrap();
        assert_eq!(json["summary"]["errors"], 1);
        assert_eq!(json["required"][0]["because"].as_array().unwrap().len(), 7);
    }

    #[test]
    fn nothing_touched_says_no_retest_required() {
        let src = SourceFile::new("g.yaml", SHEET);
        let sheet = build::build(&src, yaml::parse(SHEET).unwrap()).0;
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
