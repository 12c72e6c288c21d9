//! `govsheet doc`: render the sheet as the governance document (Markdown or HTML) to stdout or a file, or with `--check` say whether that file is current.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    /// Write nothing; exit 1 with the first differing lines when the -o file is stale or missing
    #[arg(long, requires = "output")]
    pub check: bool,
}

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

/// Load the sheet and render it; a sheet that does not parse cannot be rendered (exit 2).
fn rendered(ctx: &Context, args: &DocArgs, show_date: bool) -> Result<String, CliError> {
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
        today: ctx.today,
        show_date,
        sheet_name: &name,
    };
    Ok(doc::render(sheet, &findings, opts, format))
}

fn check_file(
    ctx: &Context,
    path: &Path,
    text: &str,
    args: &DocArgs,
    today_given: bool,
) -> Result<ExitCode, CliError> {
    let shown = path.display().to_string();
    let regenerate = format!(
        "run `govsheet{} doc --sheet {} --format {} -o {}` to update it",
        if today_given {
            format!(" --today {}", ctx.today)
        } else {
            String::new()
        },
        args.sheet.display(),
        match args.format {
            DocFormatArg::Markdown => "markdown",
            DocFormatArg::Html => "html",
        },
        shown
    );
    match std::fs::read(path) {
        Ok(bytes) => {
            let old = String::from_utf8_lossy(&bytes);
            if old == text {
                Ok(ExitCode::SUCCESS)
            } else {
                ctx.out.print(&format!(
                    "{shown} is stale; {}{regenerate}\n",
                    short_diff(&old, text)
                ));
                Ok(ExitCode::from(1))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            ctx.out
                .print(&format!("{shown} does not exist; {regenerate}\n"));
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(CliError::file(shown, workspace::io_message(&e))),
    }
}

/// Run `doc`. `today_given`: whether `--today` / `GOVSHEET_TODAY` set the date, in which case
/// the document says which date its status is as of.
pub fn run(ctx: &Context, args: DocArgs, today_given: bool) -> Result<ExitCode, CliError> {
    let text = rendered(ctx, &args, today_given)?;
    match &args.output {
        Some(path) if args.check => check_file(ctx, path, &text, &args, today_given),
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| {
                CliError::file(path.display().to_string(), workspace::io_message(&e))
            })?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            ctx.out.print(&text);
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
