//! `--format markdown`: a compact GitHub-flavoured summary for `$GITHUB_STEP_SUMMARY` or a pull
//! request comment, and the escaping helpers every markdown report (check, retests) builds on.

use super::{RepoPaths, help_uri, human, location_text};
use crate::finding::{Finding, Summary};
use crate::retest::{Report, Required, Status, chain_text};

fn escape_plain(s: &str, out: &mut String) {
    super::escape::markdown_text(s, out);
}

/// Text for a table cell or a line: `` `code` `` spans are kept (with `|` escaped, as GFM
/// tables need, and line breaks as spaces), everything else has its markdown and HTML
/// characters backslash-escaped and line breaks as `<br>`, so no message can break the table
/// or inject markup. Backticks pair from the left; an odd one out is shown literally.
pub fn escape_cell(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(s.len() + 8);
    let ticks = s.matches('`').count();
    let mut pairs = ticks / 2;
    let mut rest = s.as_str();
    while pairs > 0 {
        let Some(open) = rest.find('`') else { break };
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        escape_plain(&rest[..open], &mut out);
        let code = super::escape::code_span_text(&after[..close]);
        if code.trim().is_empty() {
            out.push_str("\\`");
            out.push_str(&code);
            out.push_str("\\`");
        } else {
            out.push('`');
            out.push_str(&code.replace('|', "\\|"));
            out.push('`');
        }
        rest = &after[close + 1..];
        pairs -= 1;
    }
    escape_plain(rest, &mut out);
    out
}

/// Any text (a path, an id) as one inline code span that shows it verbatim, safe in a table.
pub fn code(s: &str) -> String {
    let flat = super::escape::code_span_text(s);
    let longest = flat.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || flat.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", flat.replace('|', "\\|"))
}

/// A link whose text is shown as code (for a rule id with its documentation).
pub fn code_link(text: &str, url: &str) -> String {
    let url: String = url
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('|', "%7C");
    format!("[{}]({url})", code(text))
}

/// A GFM table of already escaped cells.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", headers.join(" | ")));
    out.push_str(&format!(
        "|{}\n",
        headers.iter().map(|_| "---|").collect::<String>()
    ));
    for row in rows {
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// The findings table: severity, rule (linked to its documentation), location, message; at
/// most `max_rows` rows, then a line counting the rest.
pub fn findings_table(findings: &[Finding], paths: &RepoPaths, max_rows: usize) -> String {
    let rows: Vec<Vec<String>> = findings
        .iter()
        .take(max_rows)
        .map(|f| {
            let message = match &f.help {
                Some(h) => format!("{}\nhelp: {h}", f.message),
                None => f.message.clone(),
            };
            vec![
                f.severity.as_str().to_owned(),
                code_link(&f.rule, &help_uri(&f.rule)),
                code(&location_text(f, paths)),
                escape_cell(&message),
            ]
        })
        .collect();
    let mut out = table(&["Severity", "Rule", "Location", "Message"], &rows);
    if findings.len() > max_rows {
        out.push_str(&format!(
            "\n_... and {} more findings not shown (run `govsheet check` for all of them)._\n",
            findings.len() - max_rows
        ));
    }
    out
}

/// The `check` summary: a heading, the counts, and the findings table.
pub fn render(findings: &[Finding], files: usize, paths: &RepoPaths, max_rows: usize) -> String {
    render_titled("govsheet check", findings, files, paths, max_rows)
}

/// A findings summary under another heading.
pub fn render_titled(
    title: &str,
    findings: &[Finding],
    files: usize,
    paths: &RepoPaths,
    max_rows: usize,
) -> String {
    let summary = human::summary_line(&Summary::of(findings, files));
    let mut out = format!("### {}\n\n", escape_cell(title));
    out.push_str(&format!("**{}**\n", escape_cell(summary.trim_end())));
    if !findings.is_empty() {
        out.push('\n');
        out.push_str(&findings_table(findings, paths, max_rows));
    }
    out
}

/// How many why-chains a retest row shows before it counts the rest.
const MAX_CHAINS: usize = 3;

fn status_cell(r: &Required) -> &'static str {
    match r.status {
        Status::Covered
            if r.record
                .as_ref()
                .is_some_and(|rec| rec.result == "not-needed") =>
        {
            "not needed"
        }
        Status::Covered => "covered",
        Status::Missing => "**missing**",
        Status::Failed => "**failed**",
    }
}

fn why_cell(r: &Required) -> String {
    let chains: Vec<String> = r
        .because
        .iter()
        .flat_map(|w| w.files.iter().map(move |f| chain_text(f, w)))
        .collect();
    let mut cells: Vec<String> = chains.iter().take(MAX_CHAINS).map(|c| code(c)).collect();
    let more = chains.len().saturating_sub(MAX_CHAINS) + r.because_not_shown;
    if more > 0 {
        cells.push(format!("+{more} more"));
    }
    cells.join("<br>")
}

fn record_cell(r: &Required) -> String {
    match &r.record {
        Some(rec) => {
            let by = rec
                .by
                .as_deref()
                .map(|b| format!(" by {}", code(b)))
                .unwrap_or_default();
            format!(
                "{} {}{by}",
                escape_cell(&rec.date),
                escape_cell(&rec.result)
            )
        }
        None => "none".into(),
    }
}

fn names(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.iter().map(|i| code(i)).collect::<Vec<_>>().join(", ")
    }
}

/// The `retests` summary: what was compared, the required retests (status, owner, why, the
/// record), the conclusions to pause, what to run and record, then the findings.
pub fn retests(
    report: &Report,
    findings: &[Finding],
    paths: &RepoPaths,
    max_rows: usize,
) -> String {
    let mut out = String::from("### govsheet retests\n\n");
    if let Some(c) = &report.compared {
        out.push_str(&format!("Compared: {}  \n", code(c)));
    }
    out.push_str(&format!(
        "{} changed {}; components: {}; events: {}\n\n",
        report.changed_files.len(),
        if report.changed_files.len() == 1 {
            "file"
        } else {
            "files"
        },
        names(&report.components),
        names(&report.events),
    ));
    if let Some(g) = &report.governance {
        out.push_str(&format!(
            "Governance changes since {}: {}, {} weakening (each a `governance-weakened` finding; `govsheet diff` lists them all)\n\n",
            code(&crate::diff::printable(&g.base)),
            g.changes.len(),
            g.weakening
        ));
    }
    let open: Vec<&Required> = report
        .required
        .iter()
        .filter(|r| r.status != Status::Covered)
        .collect();
    if report.required.is_empty() {
        out.push_str("**No retest required.**\n");
    } else {
        out.push_str(&format!(
            "**{} required, {} not covered**\n\n",
            report.required.len(),
            open.len()
        ));
        let rows: Vec<Vec<String>> = report
            .required
            .iter()
            .take(max_rows)
            .map(|r| {
                let title = r
                    .title
                    .as_deref()
                    .map(|t| format!(" {}", escape_cell(t)))
                    .unwrap_or_default();
                vec![
                    status_cell(r).to_owned(),
                    format!("{}{title}", code(&r.retest)),
                    r.owner.as_deref().map_or("(none)".to_owned(), code),
                    why_cell(r),
                    record_cell(r),
                ]
            })
            .collect();
        out.push_str(&table(
            &["Status", "Retest", "Owner", "Why", "Latest record"],
            &rows,
        ));
        if report.required.len() > max_rows {
            out.push_str(&format!(
                "\n_... and {} more required retests not shown._\n",
                report.required.len() - max_rows
            ));
        }
    }
    if !report.paused.is_empty() {
        out.push_str("\n#### Pause these conclusions\n\n");
        let rows: Vec<Vec<String>> = report
            .paused
            .iter()
            .map(|p| vec![code(&p.event), names(&p.conclusions), names(&p.until)])
            .collect();
        out.push_str(&table(&["Event", "Conclusions", "Until these pass"], &rows));
    }
    if !open.is_empty() {
        out.push_str("\n#### To run and record\n\n");
        for r in &open {
            let method = r
                .method
                .as_deref()
                .map(|m| format!(": {}", escape_cell(m.trim())))
                .unwrap_or_default();
            out.push_str(&format!("- {}{method}\n", code(&r.retest)));
        }
    }
    if !findings.is_empty() {
        out.push_str("\n#### Findings\n\n");
        out.push_str(&findings_table(findings, paths, max_rows));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(escape_cell("a | b\nc"), "a \\| b<br>c");
        assert_eq!(escape_cell("x\r\ny"), "x<br>y");
        assert_eq!(escape_cell("<script>"), "\\<script\\>");
        assert_eq!(escape_cell("event `Lead|x` has"), "event `Lead\\|x` has");
        assert_eq!(escape_cell("odd ` tick"), "odd \\` tick");
        assert_eq!(escape_cell("`a` and `b"), "`a` and \\`b");
        assert_eq!(escape_cell("[x](y)"), "\\[x\\](y)");
        assert_eq!(escape_cell("`a\nb` c\nd"), "`a b` c<br>d");
        assert_eq!(escape_cell("``"), "\\`\\`");
    }

    #[test]
    fn code_spans_hold_backticks_and_pipes() {
        assert_eq!(code("a.yaml:3:1"), "`a.yaml:3:1`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b\nc"), "`a\\|b c`");
    }

    #[test]
    fn the_table_has_one_row_per_finding() {
        let findings = vec![
            Finding::new(
                "event-owner",
                Severity::Error,
                "event `Lead` | no owner\nnext",
            )
            .at_line("governance.yaml", 4, 3),
        ];
        let md = render(&findings, 1, &RepoPaths::new(), 10);
        assert!(md.contains("**1 error, 0 warnings, 0 infos in 1 sheet**"));
        let row = md.lines().find(|l| l.starts_with("| error")).unwrap();
        assert_eq!(
            row,
            "| error | [`event-owner`](https://github.com/govsheet/govsheet/blob/main/docs/rules.md#event-owner) | `governance.yaml:4:3` | event `Lead` \\| no owner<br>next |"
        );
        // Unescaped pipes: the 5 of the row's borders only.
        assert_eq!(row.replace("\\|", "").matches('|').count(), 5);
        let capped = render(
            &[findings[0].clone(), findings[0].clone()],
            1,
            &RepoPaths::new(),
            1,
        );
        assert!(capped.contains("and 1 more findings not shown"));
    }
}
