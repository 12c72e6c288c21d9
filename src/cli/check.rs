//! `govsheet check`: load each sheet, collect every finding, render, and pick the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context, Format, exit_for, workspace};
use crate::finding::{self, Finding};
use crate::report;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Sheet files, or folders to search for governance.yaml / *.governance.yaml
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print at most this many findings in the human report
    #[arg(long, default_value_t = report::human::DEFAULT_MAX_FINDINGS, value_name = "N")]
    pub max_findings: usize,
}

/// Every finding of one sheet on disk: loading, schema, policy rules and waivers.
pub fn findings_for(
    sheet: &workspace::SheetOnDisk,
    ctx: &Context,
) -> Result<Vec<Finding>, CliError> {
    super::packs::check_sheet(sheet, ctx)
}

pub fn run(ctx: &Context, args: CheckArgs) -> Result<ExitCode, CliError> {
    let paths = workspace::find_sheets(&args.paths)?;
    let mut findings = Vec::new();
    for path in &paths {
        let sheet = workspace::load_sheet(path)?;
        findings.extend(findings_for(&sheet, ctx)?);
    }
    finding::sort(&mut findings);
    let text = match args.format {
        Format::Human => report::human::render(
            &findings,
            paths.len(),
            report::human::HumanOptions {
                color: ctx.out.color(),
                max_findings: args.max_findings,
                ..Default::default()
            },
        ),
        Format::Json => report::json::render(&findings, paths.len()),
    };
    ctx.out.print(&text);
    Ok(exit_for(&findings, ctx.fail_on))
}
