//! Views of a verify report: human and markdown lead with the per-event table and end with
//! what to pause; json adds the figures to the findings. The CI formats (sarif, github, junit)
//! are the shared renderers over [`located`] findings and the verify rules.

use serde_json::{Value, json};

use super::{RuleInfo, escape, human, json as json_report, junit as junit_report, markdown};
use crate::finding::{Finding, Severity, Summary};
use crate::source::Location;
use crate::verify::{EventRow, OrderFigures, VerifyReport};

/// How a capture read from standard input is named in findings.
pub const STDIN: &str = "<stdin>";

/// The findings as the CI formats place them: a finding with no file (or on standard input,
/// which is no file a code-scanning alert can open) points at the sheet, or without a sheet
/// at the first input file, line 1; a standard-input finding keeps its line in the message.
/// GitHub rejects a SARIF result without a location, so every finding gets one.
pub fn located(report: &VerifyReport) -> Vec<Finding> {
    let home = report
        .sheet
        .clone()
        .or_else(|| report.files.iter().find(|f| *f != STDIN).cloned());
    report
        .findings
        .iter()
        .map(|f| {
            let Some(home) = &home else {
                return f.clone();
            };
            if !f.file.is_empty() && f.file != STDIN {
                return f.clone();
            }
            let mut f = f.clone();
            if f.file == STDIN {
                f.message = match f.line() {
                    Some(l) => format!("{STDIN}:{l}: {}", f.message),
                    None => format!("{STDIN}: {}", f.message),
                };
            }
            f.file = home.clone();
            f.location = Some(Location { line: 1, column: 1 });
            f.span = None;
            f.source = None;
            f.labels.clear();
            f
        })
        .collect()
}

/// The `JUnit` XML of a verify run: one testsuite for the run (named after its inputs), one
/// testcase per verify rule, failed by its findings at or above `fail_on`.
pub fn junit(report: &VerifyReport, rules: &[RuleInfo], fail_on: Severity) -> String {
    let suite = junit_report::SheetFindings {
        sheet: format!("verify {}", report.files.join(" ")),
        findings: report.findings.clone(),
    };
    junit_report::render(&[suite], rules, fail_on)
}

fn rate(r: &EventRow) -> String {
    match r.dedupe_rate {
        Some(x) if x + 1e-12 < r.min_dedupe_rate => format!("{x:.3} < {}", r.min_dedupe_rate),
        Some(x) => format!("{x:.3}"),
        None => "-".into(),
    }
}

fn order_match(r: &EventRow, o: Option<&OrderFigures>) -> String {
    match o {
        Some(o) if o.event == r.event => format!("{}/{} orders", o.orders_matched, o.orders),
        _ => "-".into(),
    }
}

fn dash_if(cond: bool, n: u64) -> String {
    if cond { n.to_string() } else { "-".into() }
}

const HEADERS: [&str; 10] = [
    "event",
    "server",
    "browser",
    "pairs",
    "dedupe rate",
    "unpaired b/s",
    "outside 48h",
    "ids reused",
    "parity",
    "order match",
];

fn cells(report: &VerifyReport) -> Vec<[String; 10]> {
    report
        .events
        .iter()
        .map(|r| {
            let paired = r.browser > 0 && r.server > 0;
            let event = escape::control(&r.event);
            let name = if r.declared || report.sheet.is_none() {
                event.into_owned()
            } else {
                format!("{event} (undeclared)")
            };
            [
                name,
                r.server.to_string(),
                r.browser.to_string(),
                dash_if(paired, r.pairs),
                rate(r),
                format!("{}/{}", r.unpaired_browser, r.unpaired_server),
                dash_if(paired, r.outside_window),
                r.ids_reused.to_string(),
                dash_if(paired, r.parity_mismatches),
                order_match(r, report.orders.as_ref()),
            ]
        })
        .collect()
}

fn order_lines(o: &OrderFigures) -> Vec<String> {
    let e = escape::control(&o.event);
    vec![
        format!(
            "orders: {} ({} paid), matched by a {e}: {}, {e}s matched to an order: {}",
            o.orders, o.paid_orders, o.orders_matched, o.purchases_matched
        ),
        format!("paid orders without a {e}: {}", o.orders_without_purchase),
        format!(
            "rows and orders that could not be read (not reconciled): {}",
            o.unreconciled
        ),
        format!("{e}s without an order: {}", o.purchases_without_order),
        format!("orders sent as several {e}s: {}", o.duplicate_orders),
        format!(
            "values drifting more than {} from the order total: {} (largest drift {:.2})",
            o.max_value_drift, o.value_drift, o.max_drift
        ),
        format!("currency mismatches: {}", o.currency_mismatches),
        format!(
            "event_times more than an hour from the paid time: {}",
            o.time_offsets
        ),
    ]
}

fn inputs_line(report: &VerifyReport) -> String {
    let sheet = report.sheet.as_deref().map_or("no sheet".to_owned(), |s| {
        format!("sheet {}", escape::control(s))
    });
    format!(
        "govsheet verify: {} input file{} against {sheet}",
        report.files.len(),
        if report.files.len() == 1 { "" } else { "s" }
    )
}

/// The closing "what to pause": one group per route the findings indicate (what to pause
/// first, the first action, what not to do, who owns it), then each event with errors and its
/// `rollback.pause`. Each entry is a line and its indented details.
fn pause_lines(report: &VerifyReport) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = report
        .routes
        .iter()
        .map(|r| {
            let pause = if r.pause.is_empty() {
                "the route names no conclusions to pause".to_owned()
            } else {
                format!("pause {} first", r.pause.join(", "))
            };
            let n = r.findings;
            let head = format!(
                "route {}: {pause} ({n} finding{} of {})",
                r.route,
                if n == 1 { "" } else { "s" },
                r.rules.join(", ")
            );
            let mut details = Vec::new();
            for (label, v) in [
                ("symptom", &r.symptom),
                ("first action", &r.first_action),
                ("do not", &r.do_not),
                ("owner", &r.owner),
            ] {
                if let Some(v) = v {
                    details.push(format!("{label}: {v}"));
                }
            }
            (head, details)
        })
        .collect();
    out.extend(report.paused.iter().map(|p| {
        let line = {
            if p.conclusions.is_empty() {
                format!(
                    "{}: the sheet names no conclusions to pause (rollback.pause)",
                    escape::control(&p.event)
                )
            } else {
                format!(
                    "{}: pause {}",
                    escape::control(&p.event),
                    escape::control(&p.conclusions.join(", "))
                )
            }
        };
        (line, Vec::new())
    }));
    out
}

/// The human report: table, order figures, findings, summary, what to pause.
pub fn human(report: &VerifyReport, opts: human::HumanOptions) -> String {
    let mut out = inputs_line(report);
    out.push_str("\n\n");
    let rows = cells(report);
    let mut widths: Vec<usize> = HEADERS.iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| -> String {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(&widths).enumerate() {
            if i == 0 {
                s.push_str(&format!("{c:<w$}"));
            } else {
                s.push_str(&format!("  {c:>w$}"));
            }
        }
        format!("{}\n", s.trim_end())
    };
    out.push_str(&line(&HEADERS.map(String::from)));
    for r in &rows {
        out.push_str(&line(r));
    }
    if rows.is_empty() {
        out.push_str("(no events)\n");
    }
    if let Some(o) = &report.orders {
        out.push_str(&format!("\norders ({}):\n", o.event));
        for l in order_lines(o) {
            out.push_str(&format!("  {l}\n"));
        }
    }
    out.push('\n');
    out.push_str(&human::render_findings(&report.findings, opts));
    out.push_str(&summary(report));
    let pauses = pause_lines(report);
    if !pauses.is_empty() {
        out.push_str("\nwhat to pause until the signal is fixed:\n");
        for (p, details) in pauses {
            out.push_str(&format!("  {p}\n"));
            for d in details {
                out.push_str(&format!("    {d}\n"));
            }
        }
    }
    escape::log_lines(out)
}

fn summary(report: &VerifyReport) -> String {
    let s = Summary::of(&report.findings, report.files.len());
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if s.errors + s.warnings + s.infos == 0 {
        format!("ok: no findings in {}\n", plural(s.files, "input file"))
    } else {
        format!(
            "{}, {}, {} in {}\n",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.infos, "info"),
            plural(s.files, "input file")
        )
    }
}

/// Text from the captures, the orders or the sheet in a Markdown line or cell: the checks'
/// one Markdown escaping step (no link, HTML or @-mention from an input).
fn md_escape(s: &str) -> String {
    markdown::escape_cell(s)
}

/// The markdown report, for a pull-request comment or a saved QA record.
pub fn markdown(report: &VerifyReport) -> String {
    let mut out = String::from("# govsheet verify\n\n");
    out.push_str(&inputs_line(report));
    out.push_str("\n\n| ");
    out.push_str(&HEADERS.join(" | "));
    out.push_str(" |\n|");
    out.push_str(
        &HEADERS
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---" } else { "---:" })
            .collect::<Vec<_>>()
            .join("|"),
    );
    out.push_str("|\n");
    for r in cells(report) {
        out.push_str("| ");
        out.push_str(
            &r.iter()
                .map(|c| md_escape(c))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        out.push_str(" |\n");
    }
    if let Some(o) = &report.orders {
        out.push_str(&format!("\n## Orders ({})\n\n", o.event));
        for l in order_lines(o) {
            out.push_str(&format!("- {l}\n"));
        }
    }
    out.push_str("\n## Findings\n\n");
    if report.findings.is_empty() {
        out.push_str("None.\n");
    }
    for f in &report.findings {
        let loc = match f.location {
            Some(l) => format!("{}:{}", f.file, l.line),
            None => f.file.clone(),
        };
        out.push_str(&format!(
            "- **{}** {} {}: {}\n",
            f.severity,
            markdown::code(&f.rule),
            markdown::code(&loc),
            md_escape(&f.message)
        ));
        if let Some(h) = &f.help {
            out.push_str(&format!("  help: {}\n", md_escape(h)));
        }
    }
    out.push('\n');
    out.push_str(&summary(report));
    let pauses = pause_lines(report);
    if !pauses.is_empty() {
        out.push_str("\n## What to pause\n\n");
        for (p, details) in pauses {
            out.push_str(&format!("- {}\n", md_escape(&p)));
            for d in details {
                out.push_str(&format!("  - {}\n", md_escape(&d)));
            }
        }
    }
    out
}

/// The JSON report: `findings` and `summary` as for `check`, plus `events`, `orders`, `paused`.
pub fn json(report: &VerifyReport) -> String {
    let mut m = json_report::findings_object(&report.findings, report.files.len());
    if let Ok(Value::Object(extra)) = serde_json::to_value(report) {
        m.extend(extra);
    } else {
        m.insert("events".into(), json!(null));
    }
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default();
    s.push('\n');
    escape::json(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(sheet: Option<&str>, findings: Vec<Finding>) -> VerifyReport {
        VerifyReport {
            sheet: sheet.map(String::from),
            files: vec![STDIN.into(), "b.jsonl".into()],
            events: Vec::new(),
            orders: None,
            paused: Vec::new(),
            routes: Vec::new(),
            findings,
        }
    }

    #[test]
    fn located_gives_every_finding_a_file_and_keeps_capture_lines() {
        let findings = vec![
            Finding::new("payload-shape", Severity::Error, "bad").at_line("b.jsonl", 7, 1),
            Finding::new("payload-shape", Severity::Error, "piped").at_line(STDIN, 3, 1),
            Finding::new("dedupe-rate", Severity::Error, "low"),
        ];
        let out = located(&report(Some("governance.yaml"), findings.clone()));
        assert_eq!((out[0].file.as_str(), out[0].line()), ("b.jsonl", Some(7)));
        assert_eq!(out[1].file, "governance.yaml");
        assert_eq!(out[1].line(), Some(1));
        assert_eq!(out[1].message, "<stdin>:3: piped");
        assert_eq!(out[2].file, "governance.yaml");
        // Without a sheet: the first input file that is a file.
        let out = located(&report(None, findings));
        assert_eq!(out[2].file, "b.jsonl");
        assert_eq!(out[2].line(), Some(1));
    }
}
