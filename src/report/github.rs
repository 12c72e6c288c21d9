//! `--format github`: GitHub Actions workflow commands (`::error file=..::message`) that show as
//! annotations on the pull request, at most [`MAX_PER_LEVEL`] per level, then the human report.

use super::{RepoPaths, human};
use crate::finding::{Finding, Severity};

/// GitHub shows only the first 10 annotations of each level per step.
pub const MAX_PER_LEVEL: usize = 10;

/// Escape a workflow command's message: `%`, `\r`, `\n`.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if super::escape::is_hidden(c) => {
                out.push_str(&super::escape::control(c.encode_utf8(&mut [0; 4])));
            }
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow command's property value: as a message, and also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in escape_data(s).chars() {
        match c {
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One finding as a workflow command line (with its newline).
pub fn annotation(f: &Finding, paths: &RepoPaths) -> String {
    let mut props = Vec::new();
    let mut message = f.message.clone();
    if let Some(changed) = &f.changed {
        // On the changed file, which the pull request's diff shows; the sheet's place is named.
        props.push(format!("file={}", escape_property(changed)));
        props.push("line=1".to_owned());
        if !f.file.is_empty() {
            let line = f.location.map_or(1, |l| l.line.max(1));
            message.push_str(&format!(" [{}:{line}]", paths.get(&f.file)));
        }
    } else if !f.file.is_empty() {
        props.push(format!("file={}", escape_property(&paths.get(&f.file))));
        if let Some(l) = f.location {
            props.push(format!("line={}", l.line.max(1)));
            props.push(format!("col={}", l.column.max(1)));
        }
    }
    props.push(format!("title={}", escape_property(&f.rule)));
    let message = match &f.help {
        Some(h) => format!("{message}\nhelp: {h}"),
        None => message,
    };
    format!(
        "::{} {}::{}\n",
        command(f.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// The annotations (at most [`MAX_PER_LEVEL`] per level), a line saying how many were left
/// out, then the whole human report without colour.
pub fn render(
    findings: &[Finding],
    files: usize,
    paths: &RepoPaths,
    human_opts: human::HumanOptions,
) -> String {
    let report = human::render(
        findings,
        files,
        human::HumanOptions {
            color: false,
            ..human_opts
        },
    );
    render_with_report(findings, paths, &report)
}

/// The annotations of `findings`, then `report` (a command's human report, without colour).
/// The report is wrapped in `::stop-commands::` so that no line of it (a file name, a quoted
/// YAML value) is run as a workflow command; the token is a hash of the report, which the
/// report cannot contain.
pub fn render_with_report(findings: &[Finding], paths: &RepoPaths, report: &str) -> String {
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut skipped = 0usize;
    for f in findings {
        let slot = &mut shown[f.severity as usize];
        if *slot < MAX_PER_LEVEL {
            *slot += 1;
            out.push_str(&annotation(f, paths));
        } else {
            skipped += 1;
        }
    }
    if skipped > 0 {
        out.push_str(&format!(
            "{skipped} more {} not annotated (GitHub shows {MAX_PER_LEVEL} per level in a step); the report below lists every finding\n",
            if skipped == 1 { "finding" } else { "findings" },
        ));
    }
    if findings.is_empty() && report.lines().count() <= 1 {
        // Only a summary line: nothing user-written to guard.
        out.push_str(report);
    } else {
        if !out.is_empty() {
            out.push('\n');
        }
        let token = format!("govsheet-{:016x}", super::sarif::fnv1a(report.as_bytes()));
        out.push_str(&format!("::stop-commands::{token}\n{report}"));
        if !report.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("::{token}::\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped() {
        assert_eq!(escape_data("100% a\r\nb: c,d"), "100%25 a%0D%0Ab: c,d");
        assert_eq!(
            escape_property("100% a\r\nb: c,d"),
            "100%25 a%0D%0Ab%3A c%2Cd"
        );
        // A `%` is escaped first, so an already-escaped sequence is not decoded by GitHub.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn at_most_ten_per_level() {
        let mut findings = Vec::new();
        for i in 0..12 {
            findings.push(
                Finding::new("event-owner", Severity::Error, format!("e{i}")).at_line(
                    "g.yaml",
                    i + 1,
                    1,
                ),
            );
        }
        for i in 0..3 {
            findings.push(
                Finding::new("review-overdue", Severity::Warning, format!("w{i}")).at_line(
                    "g.yaml",
                    i + 1,
                    1,
                ),
            );
        }
        let out = render(&findings, 1, &RepoPaths::new(), Default::default());
        assert_eq!(
            out.lines().filter(|l| l.starts_with("::error ")).count(),
            10
        );
        assert_eq!(
            out.lines().filter(|l| l.starts_with("::warning ")).count(),
            3
        );
        assert!(out.contains("2 more findings not annotated"));
        assert!(out.contains("e11"), "the human report lists every finding");
        assert!(out.contains("12 errors, 3 warnings, 0 infos in 1 sheet"));
    }

    #[test]
    fn the_report_cannot_inject_commands() {
        let f = Finding::new("schema", Severity::Error, "bad").at_line("::warning::pwned", 1, 1);
        let out = render(&[f], 1, &RepoPaths::new(), Default::default());
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("::error file=%3A%3Awarning%3A%3Apwned,"));
        let stop = lines
            .iter()
            .position(|l| l.starts_with("::stop-commands::"))
            .unwrap();
        let token = &lines[stop]["::stop-commands::".len()..];
        assert!(token.starts_with("govsheet-"));
        assert_eq!(lines.last().unwrap(), &format!("::{token}::"));
        // Inside stop-commands, and even so no line of the report starts a command: the file
        // name at the start of its line has its first `:` escaped.
        let injected = lines
            .iter()
            .position(|l| l.starts_with("\\u{3a}:warning::pwned"))
            .unwrap();
        assert!(stop < injected && injected < lines.len() - 1);
        assert!(
            !lines[stop + 1..lines.len() - 1]
                .iter()
                .any(|l| l.trim_start().starts_with("::"))
        );
    }
}
