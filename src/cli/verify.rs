//! `govsheet verify`: open the captures, the orders and the sheet, stream them through the verifier, render.

use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context, Format, ReportArgs, exit_for, workspace};
use crate::policy;
use crate::report::{self, RepoPaths, RuleInfo};
use crate::sheet::Sheet;
use crate::verify::{self, ColumnMap, Options, Side, Verifier};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The governance sheet (default: ./governance.yaml when it exists; without a sheet only
    /// Meta's rules and the reconciliation run)
    #[arg(long, value_name = "FILE")]
    pub sheet: Option<PathBuf>,
    /// Conversions API captures: request bodies ({"data": [...]}) or JSON Lines; `-` reads stdin
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    pub server: Vec<PathBuf>,
    /// Browser (Pixel) captures as JSON Lines
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub browser: Vec<PathBuf>,
    /// A CSV of orders from the system of record (Shopify's order export as it is)
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// Map the orders CSV's columns: id=COL,value=COL,currency=COL[,time=COL,name=COL,status=COL]
    #[arg(long, value_name = "MAP", requires = "orders")]
    pub orders_columns: Option<String>,
    /// The captures come from a test (`test_event_code` is expected)
    #[arg(long)]
    pub test_capture: bool,
    /// Findings listed per rule; the rest are counted (0: all)
    #[arg(long, value_name = "N", default_value_t = verify::DEFAULT_MAX_PER_RULE)]
    pub max_per_rule: usize,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Print at most this many findings in the human report
    #[arg(long, default_value_t = report::human::DEFAULT_MAX_FINDINGS, value_name = "N")]
    pub max_findings: usize,
}

fn display(p: &Path) -> String {
    if p.as_os_str() == "-" {
        report::verify::STDIN.into()
    } else {
        p.display().to_string()
    }
}

fn open(p: &Path) -> Result<Box<dyn BufRead>, CliError> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            io::stdin().lock(),
        )));
    }
    let f = super::fsio::open_input(p, None)?;
    Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
}

pub(super) fn run(ctx: &Context, args: VerifyArgs) -> Result<ExitCode, CliError> {
    let stdin_uses = args
        .server
        .iter()
        .chain(&args.browser)
        .chain(&args.orders)
        .filter(|p| p.as_os_str() == "-")
        .count();
    if stdin_uses > 1 {
        return Err(CliError::Usage("`-` (stdin) can be given only once".into()));
    }
    let mapping = args
        .orders_columns
        .as_deref()
        .map(ColumnMap::parse)
        .transpose()
        .map_err(|m| CliError::Usage(format!("--orders-columns: {m}")))?;
    let sheet_path = match &args.sheet {
        Some(p) => Some(p.clone()),
        // Whatever is there under the default name is read (and refused when it is no
        // regular file): a sheet never drops out of the run quietly.
        None => Some(super::default_sheet()).filter(|p| std::fs::symlink_metadata(p).is_ok()),
    };
    let on_disk = sheet_path
        .as_deref()
        .map(workspace::load_sheet)
        .transpose()?;
    let sheet = match &on_disk {
        Some(d) => match &d.loaded.sheet {
            Some(s) => Some(s),
            None => {
                return Err(CliError::file(
                    d.path.display().to_string(),
                    "the sheet cannot be read as YAML; run `govsheet check` on it first",
                ));
            }
        },
        None => None,
    };
    let mut v = Verifier::new(
        sheet,
        Options {
            today: ctx.today,
            test_capture: args.test_capture,
            max_per_rule: args.max_per_rule,
        },
    );
    if let Some(path) = &args.orders {
        let name = display(path);
        let reader = open(path)?;
        let (book, issues) = verify::orders::read_orders(reader, mapping.as_ref())
            .map_err(|e| CliError::file(&name, e.to_string()))?;
        let id = v.add_file(name);
        v.set_orders(id, book, issues);
    }
    for (side, paths) in [(Side::Server, &args.server), (Side::Browser, &args.browser)] {
        for path in paths {
            let name = display(path);
            let reader = open(path)?;
            let id = v.add_file(name.clone());
            v.feed(side, id, reader)
                .map_err(|e| CliError::file(&name, workspace::io_message(&e)))?;
        }
    }
    let mut result = v.finish();
    // The sheet goes through the same schema as `check`: a threshold that is not a number
    // (`.nan` would make every comparison false, disabling the check) fails the run.
    if let Some(d) = &on_disk {
        let sheet_errors = d.loaded.findings.iter().filter(|f| {
            matches!(f.rule.as_str(), "schema" | "yaml-syntax")
                && f.severity == crate::finding::Severity::Error
        });
        let mut all: Vec<_> = sheet_errors.cloned().collect();
        all.append(&mut result.findings);
        result.findings = all;
    }
    let human = |color: bool| {
        report::verify::human(
            &result,
            report::human::HumanOptions {
                color,
                max_findings: args.max_findings,
                width: ctx.out.width(),
            },
        )
    };
    let output = args.report.output.as_deref();
    let text = match args.report.format {
        Format::Human => human(ctx.out.color() && output.is_none()),
        Format::Json => report::verify::json(&result),
        Format::Markdown => report::verify::markdown(&result),
        Format::Sarif | Format::Github | Format::Junit => {
            let repo_root = match &on_disk {
                Some(d) => Some(d.repo_root.clone()),
                None => std::env::current_dir()
                    .ok()
                    .and_then(|d| workspace::git_root(&d)),
            };
            let located = report::verify::located(&result);
            let paths = match &repo_root {
                Some(root) => super::check::repo_paths_of(&located, root),
                None => RepoPaths::new(),
            };
            match args.report.format {
                Format::Sarif => report::sarif::render(&located, &rule_infos(sheet), &paths),
                Format::Github => {
                    report::github::render_with_report(&located, &paths, &human(false))
                }
                _ => report::verify::junit(&result, &rule_infos(sheet), ctx.fail_on),
            }
        }
    };
    ctx.out.emit(output, &text, || human(ctx.out.color()))?;
    Ok(exit_for(&result.findings, ctx.fail_on))
}

/// The verify rules of the embedded registry at the severity the sheet gives them (rules it
/// turns off are left out), as SARIF and `JUnit` list them. Verify's checks are code, so a team
/// pack adds none: the sheet's own packs are not read.
fn rule_infos(sheet: Option<&Sheet>) -> Vec<RuleInfo> {
    policy::core()
        .rules()
        .filter(|r| r.command == "verify")
        .filter_map(|r| {
            policy::effective(sheet, r).map(|severity| super::check::rule_info(r, severity))
        })
        .collect()
}
