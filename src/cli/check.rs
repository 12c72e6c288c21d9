//! `govsheet check`: load each sheet, collect every finding, render, and pick the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context, Format, ReportArgs, exit_for, workspace};
use crate::finding::{self, Finding, Severity};
use crate::report::{self, RepoPaths, RuleInfo, junit::SheetFindings};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Sheet files, or folders to search for governance.yaml / *.governance.yaml
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Print at most this many findings in the human report (and the markdown table)
    #[arg(long, default_value_t = report::human::DEFAULT_MAX_FINDINGS, value_name = "N")]
    pub max_findings: usize,
}

/// Every finding of one sheet on disk.
pub fn findings_for(sheet: &workspace::SheetOnDisk, _ctx: &Context) -> Vec<Finding> {
    sheet.loaded.findings.clone()
}

/// The rules `check` runs, as the CI formats list them.
// The policy engine's registry replaces this list when it lands: map each registered rule
// (id, summary, explanation, default severity) to a `RuleInfo` here.
pub fn rules() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new(
            "yaml-syntax",
            "the file is not valid YAML (or has a duplicate key)",
            "A sheet, record or incident file must be valid YAML 1.2 without duplicate keys.",
            Severity::Error,
        ),
        RuleInfo::new(
            "schema",
            "a value of the wrong shape or type",
            "Every value of the sheet must have the shape and type the JSON Schema gives it (`govsheet schema` prints it).",
            Severity::Error,
        ),
    ]
}

/// Each finding's file relative to its sheet's repository root.
fn repo_paths(sheets: &[(workspace::SheetOnDisk, Vec<Finding>)]) -> RepoPaths {
    let mut paths = RepoPaths::new();
    for (sheet, findings) in sheets {
        for f in findings.iter().filter(|f| !f.file.is_empty()) {
            if let Some(rel) = workspace::repo_relative(&f.file, &sheet.repo_root) {
                paths.insert(f.file.clone(), rel);
            }
        }
    }
    paths
}

pub fn run(ctx: &Context, args: CheckArgs) -> Result<ExitCode, CliError> {
    let paths = workspace::find_sheets(&args.paths)?;
    let mut sheets = Vec::new();
    for path in &paths {
        let sheet = workspace::load_sheet(path)?;
        let mut found = findings_for(&sheet, ctx);
        finding::sort(&mut found);
        sheets.push((sheet, found));
    }
    let mut findings: Vec<Finding> = sheets.iter().flat_map(|(_, f)| f.clone()).collect();
    finding::sort(&mut findings);
    let human = |color: bool| {
        report::human::render(
            &findings,
            paths.len(),
            report::human::HumanOptions {
                color,
                max_findings: args.max_findings,
                ..Default::default()
            },
        )
    };
    let text = match args.report.format {
        Format::Human => human(ctx.out.color() && args.report.output.is_none()),
        Format::Json => report::json::render(&findings, paths.len()),
        Format::Sarif => report::sarif::render(&findings, &rules(), &repo_paths(&sheets)),
        Format::Github => report::github::render(
            &findings,
            paths.len(),
            &repo_paths(&sheets),
            report::human::HumanOptions {
                max_findings: args.max_findings,
                ..Default::default()
            },
        ),
        Format::Markdown => report::markdown::render(
            &findings,
            paths.len(),
            &repo_paths(&sheets),
            args.max_findings,
        ),
        Format::Junit => {
            let suites: Vec<SheetFindings> = sheets
                .iter()
                .map(|(sheet, found)| SheetFindings {
                    sheet: sheet.path.display().to_string(),
                    findings: found.clone(),
                })
                .collect();
            report::junit::render(&suites, &rules(), ctx.fail_on)
        }
    };
    ctx.out.emit(args.report.output.as_deref(), &text, || {
        human(ctx.out.color())
    })?;
    Ok(exit_for(&findings, ctx.fail_on))
}
