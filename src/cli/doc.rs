//! `govsheet doc`: render the sheet as the governance document (Markdown or HTML) to stdout or a file, or with `--check` say whether that file is current.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::{CliError, Context, check, workspace};
use crate::doc::{self, DocFormat, DocOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormatArg {
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub struct DocArgs {
    /// The sheet to render (default: `governance.yaml` here or in the nearest parent folder, up
    /// to the repository root)
    #[arg(long, value_name = "FILE", default_value_os_t = super::default_sheet())]
    pub sheet: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = DocFormatArg::Markdown)]
    pub format: DocFormatArg,
    /// Write to this file instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 1 with a unified diff when the -o file is stale, or when it is
    /// missing. Without --today, the status is judged as of the date the file states
    #[arg(long, requires = "output")]
    pub check: bool,
}

/// The largest committed document `--check` reads.
const DOC_LIMIT: usize = 64 * 1024 * 1024;

/// How many lines of unified diff `--check` prints before it says how many it left out.
const DIFF_LINES: usize = 60;

/// Text from a file, made safe to print in a CI log: control characters (a `\r` of CRLF, an
/// escape sequence, a NUL) are shown as `\u{..}`, so a line of the file can neither forge a
/// workflow command nor hide what differs.
fn visible(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// How `old` (the file, named `old_name`) differs from `new` (what `doc` renders now): a
/// unified diff with three lines of context, cut after [`DIFF_LINES`] lines, the removed lines
/// red and the added ones green when `color`.
pub(super) fn unified_diff(old: &str, new: &str, old_name: &str, color: bool) -> String {
    use owo_colors::OwoColorize;
    use similar::{ChangeTag, TextDiff};

    let diff = TextDiff::from_lines(old, new);
    let mut lines = vec![
        format!("--- {} (committed)", visible(old_name)),
        format!("+++ {} (rendered now)", visible(old_name)),
    ];
    for group in diff.grouped_ops(3) {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let (o, n) = (first.old_range().start, first.new_range().start);
        let o_len = last.old_range().end - o;
        let n_len = last.new_range().end - n;
        let header = format!("@@ -{},{o_len} +{},{n_len} @@", o + 1, n + 1);
        lines.push(if color {
            header.cyan().to_string()
        } else {
            header
        });
        for op in &group {
            for change in diff.iter_changes(op) {
                let text = visible(change.value().strip_suffix('\n').unwrap_or(change.value()));
                let missing_newline = change.missing_newline();
                let line = match change.tag() {
                    ChangeTag::Equal => format!(" {text}"),
                    ChangeTag::Delete if color => format!("-{text}").red().to_string(),
                    ChangeTag::Delete => format!("-{text}"),
                    ChangeTag::Insert if color => format!("+{text}").green().to_string(),
                    ChangeTag::Insert => format!("+{text}"),
                };
                lines.push(line);
                if missing_newline {
                    lines.push("\\ No newline at end of file".to_owned());
                }
            }
        }
    }
    let total = lines.len();
    let mut out = String::new();
    for line in lines.iter().take(DIFF_LINES) {
        out.push_str(line);
        out.push('\n');
    }
    if total > DIFF_LINES {
        out.push_str(&format!("... ({} more diff lines)\n", total - DIFF_LINES));
    }
    out
}

/// Load the sheet and render it as of `date` (saying so in the document), or as of the
/// context's today without a date; a sheet that does not parse cannot be rendered (exit 2).
fn rendered(ctx: &Context, args: &DocArgs, date: Option<NaiveDate>) -> Result<String, CliError> {
    let on_disk = workspace::load_sheet(&args.sheet)?;
    let findings = check::findings_for(&on_disk, ctx)?;
    let Some(sheet) = on_disk.loaded.sheet.as_ref() else {
        let why = findings
            .first()
            .map(|f| f.message.clone())
            .unwrap_or_else(|| "the sheet could not be read".into());
        return Err(CliError::file(
            args.sheet.display().to_string(),
            format!("cannot render the document: {why} (run `govsheet check` for details)"),
        ));
    };
    let name = args
        .sheet
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "governance.yaml".into());
    let format = match args.format {
        DocFormatArg::Markdown => DocFormat::Markdown,
        DocFormatArg::Html => DocFormat::Html,
    };
    let opts = DocOptions {
        today: date.unwrap_or(ctx.today),
        show_date: date.is_some(),
        sheet_name: &name,
    };
    Ok(doc::render(sheet, &findings, opts, format))
}

/// Compare the rendered text with the file as it is (`None`: missing) and say how it differs.
fn check_file(
    ctx: &Context,
    path: &Path,
    existing: Option<&str>,
    text: &str,
    args: &DocArgs,
    date: Option<NaiveDate>,
) -> ExitCode {
    let shown = path.display().to_string();
    let regenerate = format!(
        "run `govsheet{} doc --sheet {} --format {} -o {}` to update it",
        date.map(|d| format!(" --today {d}")).unwrap_or_default(),
        args.sheet.display(),
        match args.format {
            DocFormatArg::Markdown => "markdown",
            DocFormatArg::Html => "html",
        },
        shown
    );
    match existing {
        Some(old) if old == text => ExitCode::SUCCESS,
        Some(old) => {
            ctx.out.print(&format!(
                "{} is stale: it differs from what `govsheet doc` renders now\n{}{}\n",
                visible(&shown),
                unified_diff(old, text, &shown, ctx.out.color()),
                visible(&regenerate)
            ));
            ExitCode::from(1)
        }
        None => {
            ctx.out.print(&format!(
                "{}\n",
                visible(&format!("{shown} does not exist; {regenerate}"))
            ));
            ExitCode::from(1)
        }
    }
}

/// Run `doc`. `today_given`: whether `--today` / `GOVSHEET_TODAY` set the date, in which case
/// the document says which date its status is as of. `--check` without a date re-renders for
/// the date the existing file states, so a committed document does not go stale by itself
/// as days pass, only when the sheet or its records change.
pub(super) fn run(ctx: &Context, args: DocArgs, today_given: bool) -> Result<ExitCode, CliError> {
    let given = today_given.then_some(ctx.today);
    if let Some(out) = &args.output
        && let (Ok(a), Ok(b)) = (out.canonicalize(), args.sheet.canonicalize())
        && a == b
    {
        return Err(CliError::Usage(format!(
            "-o {} is the sheet itself; write the document to another file (e.g. GOVERNANCE.md)",
            out.display()
        )));
    }
    match &args.output {
        Some(path) if args.check => {
            let existing = match std::fs::symlink_metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                _ => {
                    let bytes = super::fsio::read_input(path, None, DOC_LIMIT)?;
                    Some(String::from_utf8_lossy(&bytes).into_owned())
                }
            };
            let date = given.or_else(|| existing.as_deref().and_then(doc::as_of));
            let text = rendered(ctx, &args, date)?;
            Ok(check_file(
                ctx,
                path,
                existing.as_deref(),
                &text,
                &args,
                date,
            ))
        }
        Some(path) => {
            let text = rendered(ctx, &args, given)?;
            super::fsio::write_output(path, text.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            ctx.out.print(&rendered(ctx, &args, given)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_is_unified_with_context_and_hunk_headers() {
        let d = unified_diff("a\nb\nc\n", "a\nB\nc\n", "GOVERNANCE.md", false);
        assert_eq!(
            d,
            "--- GOVERNANCE.md (committed)\n+++ GOVERNANCE.md (rendered now)\n\
             @@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        let d = unified_diff("a\n", "a\nb\n", "G.md", false);
        assert!(d.ends_with("@@ -1,1 +1,2 @@\n a\n+b\n"), "{d}");
    }

    #[test]
    fn diff_shows_line_endings_and_control_characters_escaped() {
        let d = unified_diff("a\r\n", "a\n", "G.md", false);
        assert!(d.contains("-a\\u{d}\n+a\n"), "{d}");
        let d = unified_diff("x\n", "::notice\u{1b}[31m\n", "G\n::error::x", false);
        assert!(!d.contains('\u{1b}') && !d.contains("\n::"), "{d}");
    }

    #[test]
    fn long_diffs_are_cut_and_say_how_much_was_left_out() {
        let old: String = (0..200).map(|i| format!("{i}\n")).collect();
        let d = unified_diff(&old, "", "G.md", false);
        assert_eq!(d.lines().count(), DIFF_LINES + 1);
        assert!(d.ends_with("... (143 more diff lines)\n"), "{d}");
    }
}
