//! `--format junit`: `JUnit` XML as Jenkins and GitLab read it: one `<testsuite>` per sheet, one
//! `<testcase>` per rule in it, failed by the findings at or above `--fail-on`.

use super::{RuleInfo, rules_for};
use crate::finding::{Finding, Severity};

/// Whether a character may appear in an XML 1.0 document.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escape text content; characters XML 1.0 cannot carry are dropped.
pub fn escape_text(s: &str) -> String {
    escape_xml(s, false)
}

/// Escape an attribute value (quoted with `"`); line breaks and tabs are kept as references.
pub fn escape_attr(s: &str) -> String {
    escape_xml(s, true)
}

/// XML escaping for text (`attr` false) or a `"`-quoted attribute value (`attr` true: quotes,
/// line feeds and tabs become references too, so the value reads back the same).
fn escape_xml(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\'' if attr => out.push_str("&apos;"),
            '\n' if attr => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            c if super::escape::is_hidden(c) && !matches!(c, '\t' | '\n' | '\r') => {
                out.push_str(&format!("&#x{:x};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The findings of one sheet: the sheet as the user names it, and every finding it produced
/// (including those in its records and incidents files).
#[derive(Debug, Clone)]
pub struct SheetFindings {
    pub sheet: String,
    pub findings: Vec<Finding>,
}

fn finding_line(f: &Finding) -> String {
    let place = match f.location {
        Some(l) => format!("{}:{}:{}", f.file, l.line, l.column),
        None if f.file.is_empty() => "-".to_owned(),
        None => f.file.clone(),
    };
    let mut line = format!("{place}: {}: {}", f.severity, f.message);
    if let Some(h) = &f.help {
        line.push_str(&format!(" (help: {h})"));
    }
    line
}

fn testcase(
    out: &mut String,
    sheet: &str,
    rule: &RuleInfo,
    findings: &[&Finding],
    fail_on: Severity,
) -> bool {
    let (failing, other): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.severity >= fail_on);
    out.push_str(&format!(
        "    <testcase classname=\"{}\" name=\"{}\"",
        escape_attr(sheet),
        escape_attr(&rule.id)
    ));
    if failing.is_empty() && other.is_empty() {
        out.push_str("/>\n");
        return false;
    }
    out.push_str(">\n");
    if let Some(first) = failing.first() {
        let message = if failing.len() == 1 {
            first.message.clone()
        } else {
            format!("{} findings; first: {}", failing.len(), first.message)
        };
        let body: Vec<String> = failing.iter().map(|f| finding_line(f)).collect();
        out.push_str(&format!(
            "      <failure message=\"{}\" type=\"{}\">{}\n{}</failure>\n",
            escape_attr(&message),
            escape_attr(&rule.id),
            escape_text(&body.join("\n")),
            escape_text(&rule.help_uri),
        ));
    }
    if !other.is_empty() {
        let body: Vec<String> = other.iter().map(|f| finding_line(f)).collect();
        out.push_str(&format!(
            "      <system-out>{}</system-out>\n",
            escape_text(&body.join("\n"))
        ));
    }
    out.push_str("    </testcase>\n");
    !failing.is_empty()
}

/// Render the `JUnit` XML. Every sheet lists the same rules: `rules`, then any rule a finding
/// names that `rules` lacks. A rule's testcase fails when it has a finding at or above
/// `fail_on`; findings below that show as the testcase's `<system-out>`.
pub fn render(sheets: &[SheetFindings], rules: &[RuleInfo], fail_on: Severity) -> String {
    let all: Vec<Finding> = sheets.iter().flat_map(|s| s.findings.clone()).collect();
    let rules = rules_for(&all, rules);
    let mut suites = String::new();
    let (mut tests, mut failures) = (0, 0);
    for s in sheets {
        let mut cases = String::new();
        let mut failed = 0;
        for rule in &rules {
            let mine: Vec<&Finding> = s.findings.iter().filter(|f| f.rule == rule.id).collect();
            if testcase(&mut cases, &s.sheet, rule, &mine, fail_on) {
                failed += 1;
            }
        }
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n",
            escape_attr(&s.sheet),
            rules.len(),
        ));
        tests += rules.len();
        failures += failed;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"govsheet\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}

/// One test case of a suite built case by case (see [`render_cases`]).
#[derive(Debug, Clone)]
pub struct Case {
    pub classname: String,
    pub name: String,
    /// `(type, message, body)` when the case failed.
    pub failure: Option<(String, String, String)>,
    /// What the case printed (findings below `--fail-on`, a covering record).
    pub output: Option<String>,
}

/// A `JUnit` document of one suite of the given cases: `retests` lists one case per required
/// retest and one per other finding, so four missing retests are four failures.
pub fn render_cases(suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut body = String::new();
    for c in cases {
        body.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape_attr(&c.classname),
            escape_attr(&c.name)
        ));
        if c.failure.is_none() && c.output.is_none() {
            body.push_str("/>\n");
            continue;
        }
        body.push_str(">\n");
        if let Some((kind, message, text)) = &c.failure {
            body.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                escape_attr(message),
                escape_attr(kind),
                escape_text(text)
            ));
        }
        if let Some(out) = &c.output {
            body.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                escape_text(out)
            ));
        }
        body.push_str("    </testcase>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"govsheet\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\">\n  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{body}  </testsuite>\n</testsuites>\n",
        escape_attr(suite),
        n = cases.len(),
    )
}

/// A finding as one line of a case's text.
pub fn line_of(f: &Finding) -> String {
    finding_line(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_drops_what_xml_cannot_hold() {
        assert_eq!(escape_text("a<b&c>\u{1}\u{FFFE}d"), "a&lt;b&amp;c&gt;d");
        assert_eq!(escape_attr("\"x'\n\t"), "&quot;x&apos;&#10;&#9;");
        assert_eq!(escape_text("é\u{1F600}"), "é\u{1F600}");
    }
}
