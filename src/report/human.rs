//! The human report: each finding as a miette diagnostic with its source snippet, then a
//! one-line summary. Colour is chosen by the caller; with colour off no escape code is written.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use crate::finding::{Finding, Severity, Summary};
use crate::source::SourceFile;

/// How many findings the human report prints before it only counts the rest.
pub const DEFAULT_MAX_FINDINGS: usize = 200;

/// Options of the human report.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    /// Print at most this many findings, then say how many more there are.
    pub max_findings: usize,
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        Self {
            color: false,
            max_findings: DEFAULT_MAX_FINDINGS,
            width: 100,
        }
    }
}

/// The source text shared with the finding, as miette reads it.
struct Src(Arc<SourceFile>);

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette finds a span's line by reading the text from its start: over a large sheet
        // with many findings that is quadratic. Hand it the lines it shows (and one more)
        // and move the result back to where those lines are in the file.
        let file = &self.0;
        let text = file.text.as_str();
        if file.lone_cr {
            // miette counts a lone `\r` as a line end; the line index does not.
            return text.read_span(span, context_lines_before, context_lines_after);
        }
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).clamp(start, text.len());
        // One line more than the context before as well: miette reads the start of its input
        // differently from a line in the middle.
        let first_line = file
            .line_index(start)
            .saturating_sub(context_lines_before + 1);
        let from = file.line_start(first_line);
        let to = file.line_start(file.line_index(end) + context_lines_after + 2);
        let inner = text[from..to].read_span(
            &miette::SourceSpan::new((start - from).into(), end - start),
            context_lines_before,
            context_lines_after,
        )?;
        Ok(Box::new(miette::MietteSpanContents::new(
            inner.data(),
            miette::SourceSpan::new((inner.span().offset() + from).into(), inner.span().len()),
            inner.line() + first_line,
            inner.column(),
            // miette's count runs from the start of its input: the window's start is
            // `first_line` lines in.
            inner.line_count() + first_line,
        )))
    }
}

struct Diag {
    finding: Finding,
    source: Option<NamedSource<Src>>,
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.finding.span?;
        self.source.as_ref()?;
        let primary = LabeledSpan::new_primary_with_span(
            Some(label_for(&self.finding)),
            (span.start, span.len),
        );
        let rest = self.finding.labels.iter().map(|l| {
            LabeledSpan::new_with_span(Some(l.message.clone()), (l.span.start, l.span.len))
        });
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

/// The words under the underline: what is wrong at that spot when the finding says it, a
/// missing field's name, else the severity.
fn label_for(f: &Finding) -> String {
    if let Some(spot) = &f.spot {
        return spot.clone();
    }
    if let Some(absent) = &f.absent
        && let Some(field) = absent.rsplit('/').next()
    {
        return format!("no `{}` here", crate::sheet::yaml::unescape_pointer(field));
    }
    match f.rule.as_str() {
        "yaml-syntax" => "here".into(),
        _ => f.severity.as_str().into(),
    }
}

/// Lines longer than this are not shown as a snippet (a 5 MB one-line string would flood
/// the terminal); the finding still names the file, line and column.
const MAX_SNIPPET_LINE: usize = 400;

fn snippet_fits(text: &str, offset: usize) -> bool {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    // miette shows one line of context on each side: those must fit too.
    let before = text[..start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let after = if end < text.len() {
        text[end + 1..]
            .find('\n')
            .map_or(text.len(), |i| end + 1 + i)
    } else {
        end
    };
    let fits = |a: usize, b: usize| b.saturating_sub(a) <= MAX_SNIPPET_LINE;
    fits(start, end)
        && (start == 0 || fits(before, start - 1))
        && (end >= text.len() || fits(end + 1, after))
}

/// A finding whose text from the inputs (file, pointer, message, help, labels) has every
/// control character written as a visible escape, so no input can forge a line of the log.
fn escaped(f: &Finding) -> Finding {
    let esc = |s: &str| super::escape::control(s).into_owned();
    let mut f = f.clone();
    f.file = esc(&f.file);
    f.pointer = esc(&f.pointer);
    f.message = esc(&f.message);
    // A help may hold line breaks of its own (a folded finding's explanation); every line
    // is escaped, and `escape::log_lines` guards their starts.
    f.help = f.help.as_deref().map(|h| {
        h.trim_end()
            .split('\n')
            .map(&esc)
            .collect::<Vec<_>>()
            .join("\n")
    });
    for l in &mut f.labels {
        l.message = esc(&l.message);
    }
    f
}

/// Render one finding: `file:line:col` header, then the snippet.
pub fn render_one(f: &Finding, handler: &GraphicalReportHandler) -> String {
    let f = &escaped(f);
    let mut out = String::new();
    let location = match f.location {
        Some(l) => format!("{}:{}:{}", f.file, l.line, l.column),
        None => f.file.clone(),
    };
    let pointer = if f.pointer.is_empty() {
        String::new()
    } else {
        format!(" ({})", f.pointer)
    };
    let diag = Diag {
        finding: f.clone(),
        source: f
            .source
            .as_ref()
            .filter(|s| f.span.is_some_and(|sp| snippet_fits(&s.text, sp.start)))
            .map(|s| NamedSource::new(f.file.clone(), Src(Arc::clone(s))).with_language("yaml")),
    };
    if diag.source.is_none() {
        out.push_str(&format!("{location}{pointer}\n"));
    }
    if handler.render_report(&mut out, &diag).is_err() {
        out.push_str(&format!("{}[{}]: {}\n", f.severity, f.rule, f.message));
    }
    out
}

/// Render a whole human report.
pub fn render(findings: &[Finding], files: usize, opts: HumanOptions) -> String {
    let mut out = render_findings(findings, opts);
    out.push_str(&summary_line(&Summary::of(findings, files)));
    out
}

/// Render the findings of a report without its summary line.
pub fn render_findings(findings: &[Finding], opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .without_syntax_highlighting();
    let mut out = String::new();
    for f in findings.iter().take(opts.max_findings) {
        out.push_str(&render_one(f, &handler));
        out.push('\n');
    }
    if findings.len() > opts.max_findings {
        out.push_str(&format!(
            "... and {} more findings not shown (use --format json for all of them)\n\n",
            findings.len() - opts.max_findings
        ));
    }
    super::escape::log_lines(out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "2 errors, 1 warning, 0 infos in 1 sheet"
pub fn summary_line(s: &Summary) -> String {
    let counts = format!(
        "{}, {}, {}",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "info", "infos")
    );
    if s.errors + s.warnings + s.infos == 0 {
        format!(
            "ok: no findings in {}\n",
            plural(s.files, "sheet", "sheets")
        )
    } else {
        format!("{counts} in {}\n", plural(s.files, "sheet", "sheets"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windowed_source_reads_what_miette_reads_from_the_whole_text() {
        for end in ["\n", "\r\n", "\r"] {
            same_as_whole_text(end);
        }
    }

    fn same_as_whole_text(line_end: &str) {
        let text: String = (0..60)
            .map(|i| match i % 7 {
                0 => String::new(),
                3 => format!("  clé-{i}: \"é ü {i}\""),
                _ => format!("line {i}: {}", "x".repeat(i % 13)),
            })
            .collect::<Vec<_>>()
            .join(line_end);
        let src = Src(SourceFile::new("g.yaml", text.clone()));
        let whole = text.as_str();
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .step_by(3)
            .collect();
        for &start in &boundaries {
            for len in [0, 1, 5, 40, 300] {
                let Some(end) = (start + len..=text.len()).find(|&e| text.is_char_boundary(e))
                else {
                    continue;
                };
                let span = miette::SourceSpan::new(start.into(), end - start);
                for (before, after) in [(0, 0), (1, 1), (2, 3)] {
                    let a = src.read_span(&span, before, after).unwrap();
                    let b = whole.read_span(&span, before, after).unwrap();
                    let what = format!(
                        "{line_end:?}: span {start}+{} context {before}/{after}",
                        end - start
                    );
                    assert_eq!(a.data(), b.data(), "{what}");
                    assert_eq!(a.span(), b.span(), "{what}");
                    assert_eq!(a.line(), b.line(), "{what}");
                    assert_eq!(a.column(), b.column(), "{what}");
                    assert_eq!(a.line_count(), b.line_count(), "{what}");
                }
            }
        }
    }
}
