//! `govsheet check`: load each sheet, collect every finding, render, and pick the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context, Format, ReportArgs, exit_for, workspace};
use crate::finding::{self, Finding};
use crate::policy;
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

/// Every finding of one sheet on disk: loading, schema, policy rules and waivers.
pub(super) fn findings_for(
    sheet: &workspace::SheetOnDisk,
    ctx: &Context,
) -> Result<Vec<Finding>, CliError> {
    super::packs::check_sheet(sheet, ctx)
}

/// The rules of `command` (`check`, `retests`) that the sheets enable, from the rule registry
/// (with each sheet's packs), at the severity the sheet gives them, as SARIF and `JUnit` list them.
pub(super) fn rule_infos<'a>(
    sheets: impl IntoIterator<Item = &'a workspace::SheetOnDisk>,
    command: &str,
) -> Result<Vec<RuleInfo>, CliError> {
    let mut out: Vec<RuleInfo> = Vec::new();
    for sheet in sheets {
        let policy = super::packs::policy_for(sheet)?;
        for r in policy.rules().filter(|r| r.command == command) {
            let Some(severity) = policy::effective(sheet.loaded.sheet.as_ref(), r) else {
                continue;
            };
            if out.iter().any(|o| o.id == r.id) {
                continue;
            }
            out.push(rule_info(r, severity));
        }
    }
    Ok(out)
}

/// One registry rule as SARIF and `JUnit` list it, at `severity`.
pub(super) fn rule_info(r: &policy::RuleInfo, severity: finding::Severity) -> RuleInfo {
    let description = if r.why.trim().is_empty() {
        r.description.trim().to_owned()
    } else {
        format!("{}\n\n{}", r.description.trim(), r.why.trim())
    };
    RuleInfo::new(&r.id, &r.summary, description, severity)
}

/// Each finding's file relative to its sheet's repository root.
fn repo_paths(sheets: &[(workspace::SheetOnDisk, Vec<Finding>)]) -> RepoPaths {
    let mut paths = RepoPaths::new();
    for (sheet, findings) in sheets {
        add_repo_paths(&mut paths, findings, &sheet.repo_root);
    }
    paths
}

/// The findings' files relative to one repository root.
pub(super) fn repo_paths_of(findings: &[Finding], repo_root: &std::path::Path) -> RepoPaths {
    let mut paths = RepoPaths::new();
    add_repo_paths(&mut paths, findings, repo_root);
    paths
}

fn add_repo_paths(paths: &mut RepoPaths, findings: &[Finding], repo_root: &std::path::Path) {
    for f in findings.iter().filter(|f| !f.file.is_empty()) {
        if let Some(rel) = workspace::repo_relative(&f.file, repo_root) {
            paths.insert(f.file.clone(), rel);
        }
    }
}

pub(super) fn run(ctx: &Context, args: CheckArgs) -> Result<ExitCode, CliError> {
    let paths = workspace::find_sheets(&args.paths)?;
    let mut sheets = Vec::new();
    for path in &paths {
        let sheet = workspace::load_sheet(path)?;
        let mut found = findings_for(&sheet, ctx)?;
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
                width: ctx.out.width(),
            },
        )
    };
    let text = match args.report.format {
        Format::Human => human(ctx.out.color() && args.report.output.is_none()),
        Format::Json => report::json::render(&findings, paths.len()),
        Format::Sarif => report::sarif::render(
            &findings,
            &rule_infos(sheets.iter().map(|(s, _)| s), "check")?,
            &repo_paths(&sheets),
        ),
        Format::Github => report::github::render(
            &findings,
            paths.len(),
            &repo_paths(&sheets),
            report::human::HumanOptions {
                max_findings: args.max_findings,
                width: ctx.out.width(),
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
            report::junit::render(
                &suites,
                &rule_infos(sheets.iter().map(|(s, _)| s), "check")?,
                ctx.fail_on,
            )
        }
    };
    ctx.out.emit(args.report.output.as_deref(), &text, || {
        human(ctx.out.color())
    })?;
    let code = exit_for(&findings, ctx.fail_on);
    // The process ends here: freeing every node of a large sheet one by one is time (6% of a
    // 10,000-event check) spent on memory the OS takes back anyway.
    #[allow(clippy::mem_forget, reason = "nothing to release but memory, at exit")]
    std::mem::forget(sheets);
    Ok(code)
}
