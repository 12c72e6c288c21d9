//! `govsheet rules` (every rule with the severity a sheet gives it) and `govsheet explain RULE`
//! (one rule's documentation), both rendered from the rule registry.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{CliError, Context, packs, workspace};
use crate::policy::{self, Policy, RuleInfo, docs};
use crate::suggest::did_you_mean;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
    /// The rule reference, as in docs/rules.md
    Markdown,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// The sheet whose `policy` (severities, packs) to apply; default ./governance.yaml when it exists
    #[arg(long, value_name = "FILE")]
    pub sheet: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The rule id, e.g. `event-owner`
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// A sheet whose own packs (`policy.packs`) may declare the rule; default ./governance.yaml when it exists
    #[arg(long, value_name = "FILE")]
    pub sheet: Option<PathBuf>,
}

/// The sheet named by `--sheet`, or ./governance.yaml when it exists, loaded.
fn sheet_for(arg: Option<PathBuf>) -> Result<Option<workspace::SheetOnDisk>, CliError> {
    let path = match arg {
        Some(p) => p,
        None => {
            let d = super::default_sheet();
            if !d.is_file() {
                return Ok(None);
            }
            d
        }
    };
    workspace::load_sheet(&path).map(Some)
}

fn policy_of(sheet: Option<&workspace::SheetOnDisk>) -> Result<Policy, CliError> {
    match sheet {
        Some(s) => packs::policy_for(s).map(std::borrow::Cow::into_owned),
        None => Ok(policy::core().clone()),
    }
}

pub(super) fn run_rules(ctx: &Context, args: RulesArgs) -> Result<ExitCode, CliError> {
    let on_disk = sheet_for(args.sheet)?;
    let policy = policy_of(on_disk.as_ref())?;
    let sheet = on_disk.as_ref().and_then(|s| s.loaded.sheet.as_ref());
    let rules: Vec<&RuleInfo> = policy.rules().collect();
    let level = |r: &RuleInfo| policy::effective(sheet, r).map_or("off", |s| s.as_str());
    let text = match args.format {
        RulesFormat::Markdown => docs::reference(&rules),
        RulesFormat::Json => {
            let list: Vec<_> = rules
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "severity": level(r),
                        "default_severity": r.severity.as_str(),
                        "summary": r.summary,
                        "description": r.description.trim(),
                        "why": r.why.trim(),
                        "examples": {"fail": r.example_fail, "pass": r.example_pass},
                        "pack": r.pack,
                        "command": r.command,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&json!({ "rules": list })).unwrap_or_default();
            s.push('\n');
            s
        }
        RulesFormat::Human => {
            let w = rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
            let mut s = format!("{:<w$}  {:<8}  {:<6}  SUMMARY\n", "ID", "SEVERITY", "PACK");
            for r in &rules {
                let mut lvl = level(r).to_owned();
                if lvl != r.severity.as_str() {
                    lvl.push('*');
                }
                let summary = if r.command == "check" {
                    r.summary.clone()
                } else {
                    format!("({}) {}", r.command, r.summary)
                };
                s.push_str(&format!(
                    "{:<w$}  {:<8}  {:<6}  {}\n",
                    r.id, lvl, r.pack, summary
                ));
            }
            if rules.iter().any(|r| level(r) != r.severity.as_str()) {
                s.push_str("\n* set by the sheet's `policy.rules`\n");
            }
            s.push_str("\n`govsheet explain RULE` prints a rule's documentation.\n");
            s
        }
    };
    ctx.out.print(&text);
    Ok(ExitCode::SUCCESS)
}

pub(super) fn run_explain(ctx: &Context, args: ExplainArgs) -> Result<ExitCode, CliError> {
    let on_disk = sheet_for(args.sheet)?;
    let policy = policy_of(on_disk.as_ref())?;
    match policy.rule(&args.rule) {
        Some(r) => {
            ctx.out.print(&docs::explain(r));
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let ids: Vec<&str> = policy.rules().map(|r| r.id.as_str()).collect();
            // Always name the closest id: the user asked for one rule and should get to it.
            let closest = did_you_mean(&args.rule, ids.iter().copied()).or_else(|| {
                ids.iter().copied().max_by(|a, b| {
                    let sa = strsim::jaro_winkler(&args.rule, a);
                    let sb = strsim::jaro_winkler(&args.rule, b);
                    sa.total_cmp(&sb)
                })
            });
            let hint = closest.map_or(String::new(), |s| format!("the closest is `{s}`; "));
            Err(CliError::Usage(format!(
                "no rule `{}`; {hint}(`govsheet rules` lists every rule)",
                args.rule
            )))
        }
    }
}
