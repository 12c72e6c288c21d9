//! `govsheet test [PACK...]`: run the rules' own examples as tests (`examples.fail` must raise
//! the rule, `examples.pass` must not) and the packs' whole-sheet cases (`tests:`), like
//! `conftest verify`, and exit 1 when one fails. Reads the cases' sheet files, next to their pack.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::{CliError, Context, workspace};
use crate::policy::examples::{self, Outcome};
use crate::policy::pack::CaseSheet;
use crate::policy::{self, Policy};
use crate::sheet::yaml;

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Policy packs to test; none: govsheet's own packs and those the sheet lists in
    /// `policy.packs`
    #[arg(value_name = "PACK")]
    pub packs: Vec<PathBuf>,
}

pub(super) fn run(ctx: &Context, args: TestArgs) -> Result<ExitCode, CliError> {
    // The rules under test: every rule of the sheet's policy, or those of the packs named.
    let (policy, names): (Policy, Option<Vec<String>>) = if args.packs.is_empty() {
        let sheet = super::default_sheet();
        let policy = if sheet.is_file() {
            super::packs::policy_for(&workspace::load_sheet(&sheet)?)?.into_owned()
        } else {
            policy::core().clone()
        };
        (policy, None)
    } else {
        let mut packs = Vec::new();
        for path in &args.packs {
            let shown = path.display().to_string();
            let pack = super::packs::pack_of(workspace::read_limited(path)?, &shown)?;
            packs.push((pack, shown));
        }
        let names = packs.iter().map(|(p, _)| p.name.clone()).collect();
        (
            Policy::with_packs(packs).map_err(super::packs::pack_error)?,
            Some(names),
        )
    };
    let tested: Vec<&policy::RuleInfo> = policy
        .rules()
        .filter(|r| names.as_ref().is_none_or(|n| n.contains(&r.pack)))
        .collect();
    let results = examples::run(&policy, tested, ctx.today);
    let mut text = String::new();
    let (mut ok, mut failed, mut skipped) = (0, 0, 0);
    for r in &results {
        let at = format!("{}:{}", r.rule.file, r.line);
        match &r.outcome {
            Outcome::Ok => {
                ok += 1;
                text.push_str(&format!("ok    {} {}\n", r.rule.id, r.which.key()));
            }
            Outcome::Failed(why) => {
                failed += 1;
                text.push_str(&format!(
                    "FAIL  {} {} ({at}): {why}\n",
                    r.rule.id,
                    r.which.key()
                ));
            }
            Outcome::Skipped(why) => {
                skipped += 1;
                text.push_str(&format!("skip  {} {}: {why}\n", r.rule.id, r.which.key()));
            }
        }
    }
    let cases: Vec<&policy::pack::SheetTest> = policy
        .sheet_tests()
        .iter()
        .filter(|c| names.as_ref().is_none_or(|n| n.contains(&c.pack)))
        .collect();
    let (mut cases_ok, mut cases_failed) = (0, 0);
    for case in &cases {
        let at = format!("{}:{}", case.file, case.line);
        let outcome = match &case.sheet {
            CaseSheet::Inline(t) => examples::run_case(&policy, case, &at, t, ctx.today),
            CaseSheet::File(rel) => {
                let folder = std::path::Path::new(&case.file)
                    .parent()
                    .filter(|f| !f.as_os_str().is_empty())
                    .unwrap_or(std::path::Path::new("."));
                let path = folder.join(rel);
                let shown = path.display().to_string();
                // The pack's folder bounds what a case may read, links resolved: a link
                // committed next to the pack must not bring a file from elsewhere into the log.
                let read = super::fsio::read_input(&path, Some(folder), yaml::MAX_FILE_BYTES);
                match read.map(String::from_utf8) {
                    Ok(Ok(t)) => examples::run_case(&policy, case, &shown, &t, ctx.today),
                    Ok(Err(_)) => Outcome::Failed(format!("{shown} is not UTF-8 text")),
                    Err(e) => Outcome::Failed(format!("cannot read the sheet: {e}")),
                }
            }
        };
        match outcome {
            Outcome::Failed(why) => {
                cases_failed += 1;
                text.push_str(&format!("FAIL  test `{}` ({at}): {why}\n", case.name));
            }
            _ => {
                cases_ok += 1;
                text.push_str(&format!("ok    test `{}`\n", case.name));
            }
        }
    }
    text.push_str(&format!(
        "\n{} examples of {} rules: {ok} passed, {failed} failed, {skipped} skipped\n",
        results.len(),
        results.len() / 2
    ));
    if !cases.is_empty() {
        text.push_str(&format!(
            "{} sheet {}: {cases_ok} passed, {cases_failed} failed\n",
            cases.len(),
            if cases.len() == 1 { "case" } else { "cases" }
        ));
    }
    let failed = failed + cases_failed;
    ctx.out.print(&text);
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
