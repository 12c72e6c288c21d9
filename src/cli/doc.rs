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
    /// The sheet to render
    #[arg(long, value_name = "FILE", default_value = "governance.yaml")]
    pub sheet: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = DocFormatArg::Markdown)]
    pub format: DocFormatArg,
    /// Write to this file instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write nothing; exit 1 with the first differing lines when the -o file is stale or
    /// missing. Without --today, the status is judged as of the date the file states
    #[arg(long, requires = "output")]
    pub check: bool,
}

/// The largest committed document `--check` reads.
const DOC_LIMIT: usize = 64 * 1024 * 1024;

/// How many differing lines `--check` shows from each side.
const DIFF_LINES: usize = 6;

/// A short description of how `old` differs from `new`: the first differing line and a few
/// lines after it from each side.
pub fn short_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let first = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let mut out = format!("first difference at line {}:\n", first + 1);
    for l in a.iter().skip(first).take(DIFF_LINES) {
        out.push_str(&format!("- {l}\n"));
    }
    if a.len() > first + DIFF_LINES {
        out.push_str(&format!(
            "- ... ({} more lines)\n",
            a.len() - first - DIFF_LINES
        ));
    }
    for l in b.iter().skip(first).take(DIFF_LINES) {
        out.push_str(&format!("+ {l}\n"));
    }
    if b.len() > first + DIFF_LINES {
        out.push_str(&format!(
            "+ ... ({} more lines)\n",
            b.len() - first - DIFF_LINES
        ));
    }
    if a.len() == b.len() && first == a.len() {
        out.push_str("(the files differ only in line endings or a final newline)\n");
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
                "{shown} is stale; {}{regenerate}\n",
                short_diff(old, text)
            ));
            ExitCode::from(1)
        }
        None => {
            ctx.out
                .print(&format!("{shown} does not exist; {regenerate}\n"));
            ExitCode::from(1)
        }
    }
}

/// Run `doc`. `today_given`: whether `--today` / `GOVSHEET_TODAY` set the date, in which case
/// the document says which date its status is as of. `--check` without a date re-renders for
/// the date the existing file states, so a committed document does not go stale by itself
/// as days pass, only when the sheet or its records change.
pub fn run(ctx: &Context, args: DocArgs, today_given: bool) -> Result<ExitCode, CliError> {
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
    fn diff_shows_the_first_differing_lines() {
        let d = short_diff("a\nb\nc\n", "a\nB\nc\n");
        assert!(
            d.starts_with("first difference at line 2:\n- b\n- c\n+ B\n+ c\n"),
            "{d}"
        );
        let d = short_diff("a\n", "a\nb\n");
        assert!(d.contains("line 2") && d.contains("+ b"), "{d}");
    }
}
