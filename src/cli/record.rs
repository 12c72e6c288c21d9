//! `govsheet record`: write one retest result as a NEW file in the sheet's `records_dir`
//! (never rewriting the sheet or an existing record), named `DATE-RETEST-SUFFIX.yaml` with a
//! random suffix so that two branches never write the same path, with `commit` set to HEAD;
//! print its path and the `git add` that makes it count.

use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use super::{CliError, Context, workspace};
use crate::sheet::record_file::{self, NewRecord};
use crate::suggest::did_you_mean;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecordResult {
    Pass,
    Fail,
    NotNeeded,
}

impl RecordResult {
    fn as_str(self) -> &'static str {
        match self {
            RecordResult::Pass => "pass",
            RecordResult::Fail => "fail",
            RecordResult::NotNeeded => "not-needed",
        }
    }
}

#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The retest that was run (an id under `retests`)
    #[arg(value_name = "RETEST")]
    pub retest: String,
    /// What the retest showed
    #[arg(long, value_enum)]
    pub result: RecordResult,
    /// Who ran it (an id under `owners`)
    #[arg(long, value_name = "OWNER")]
    pub by: String,
    /// A link to, or a description of, what was seen
    #[arg(long, value_name = "TEXT")]
    pub evidence: String,
    /// The day it was run (YYYY-MM-DD); default today
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Why, for `--result not-needed` (required there)
    #[arg(long, value_name = "TEXT")]
    pub notes: Option<String>,
    /// The commit the retest ran against (default: HEAD, when in a git repository)
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The governance sheet (default: `governance.yaml` here or in the nearest parent folder,
    /// up to the repository root)
    #[arg(long, value_name = "FILE", default_value_os_t = super::default_sheet())]
    pub sheet: PathBuf,
}

fn unknown(kind: &str, section: &str, id: &str, known: Vec<&str>) -> CliError {
    let hint = match did_you_mean(id, known.iter().copied()) {
        Some(s) => format!(": did you mean `{s}`?"),
        None if known.is_empty() => format!(" (the sheet has no {section})"),
        None => format!(" (known: {})", known.join(", ")),
    };
    CliError::Usage(format!("unknown {kind} `{id}` under `{section}`{hint}"))
}

pub(super) fn run(ctx: &Context, args: RecordArgs) -> Result<ExitCode, CliError> {
    let on_disk = workspace::load_sheet(&args.sheet)?;
    let sheet_name = args.sheet.display().to_string();
    let Some(sheet) = on_disk.loaded.sheet.as_ref() else {
        return Err(CliError::file(
            sheet_name,
            "the sheet is not valid YAML; run `govsheet check` and fix it first",
        ));
    };
    let Some(dir_field) = &sheet.records_dir else {
        return Err(CliError::file(
            sheet_name,
            "the sheet has no `records_dir`: add `records_dir: records` to it, so that each record is a file of its own",
        ));
    };
    if !sheet.retests.contains(&args.retest) {
        return Err(unknown(
            "retest",
            "retests",
            &args.retest,
            sheet.retests.ids().collect(),
        ));
    }
    if !sheet.owners.contains(&args.by) {
        return Err(unknown(
            "owner",
            "owners",
            &args.by,
            sheet.owners.ids().collect(),
        ));
    }
    if args.evidence.trim().is_empty() {
        return Err(CliError::Usage(
            "--evidence is empty: give a link or say what you saw".into(),
        ));
    }
    let notes = args.notes.clone().filter(|n| !n.trim().is_empty());
    if args.result == RecordResult::NotNeeded && notes.is_none() {
        return Err(CliError::Usage(
            "--result not-needed needs --notes saying why the change cannot affect the signal"
                .into(),
        ));
    }
    let date = super::past_date(
        args.date.as_deref(),
        ctx.today,
        "record a retest on or after the day it ran",
    )?;

    let folder = workspace::inside_repo(&on_disk.dir, &dir_field.value, &on_disk.repo_root)
        .map_err(|why| CliError::file(&sheet_name, format!("records_dir: {why}")))?;
    super::fsio::create_dir_inside(&folder, &on_disk.repo_root)?;
    let text = record_file::to_yaml(&NewRecord {
        retest: args.retest.clone(),
        date: date.to_string(),
        result: args.result.as_str().into(),
        by: args.by.clone(),
        evidence: args.evidence.clone(),
        notes,
        commit: args
            .commit
            .clone()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| head_commit(&on_disk.dir)),
    });
    let display_dir = workspace::normalize(&on_disk.dir.join(&dir_field.value));
    for attempt in 0..100u64 {
        let name = record_file::file_name(&date.to_string(), &args.retest, seed(&text, attempt));
        let path = folder.join(&name);
        if !super::fsio::create_new(&path, text.as_bytes())? {
            continue;
        }
        let shown = display_dir.join(&name);
        ctx.out.print(&format!("{}\n", shown.display()));
        eprintln!(
            "a record counts only once it is in git, committed with the change or after it: git add -- {}",
            shell_quote(&shown.display().to_string())
        );
        return Ok(ExitCode::SUCCESS);
    }
    Err(CliError::file(
        folder.display().to_string(),
        "100 random file names in a row already exist; the folder is not what govsheet record expects",
    ))
}

/// HEAD's commit id, when the sheet is in a git repository that has one.
fn head_commit(dir: &std::path::Path) -> Option<String> {
    super::git::Repo::open(dir).ok()?.head().ok().flatten()
}

/// A random seed for the file name (std's randomly keyed `SipHash` over the record, the time,
/// the process and the attempt: no two runs pick the same name but by chance).
fn seed(text: &str, attempt: u64) -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write(text.as_bytes());
    h.write_u64(attempt);
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

/// A path as one shell word: as is when it has only safe characters, else single-quoted.
fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/+=:@,".contains(&b));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
