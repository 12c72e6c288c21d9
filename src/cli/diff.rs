//! `govsheet diff`: the governance changes between the sheet at the merge base of `--base` and
//! head and the sheet at head, read through git; and reading a sheet (with the files of its
//! `records_dir` and `incidents_dir`) as it is at a revision, which `retests` uses for the
//! sheet at the merge base too.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::git::Repo;
use super::{CliError, Context, Format, ReportArgs, exit_for, workspace};
use crate::diff::{self, Side};
use crate::finding::{self, Finding};
use crate::report;
use crate::retest::history::Position;
use crate::retest::{Judging, gate};
use crate::sheet::{self, Sheet};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The governance sheet
    #[arg(long, value_name = "FILE", default_value = "governance.yaml")]
    pub sheet: PathBuf,
    /// Compare with the sheet at the merge base of REF and --head (e.g. origin/main)
    #[arg(long, value_name = "REF")]
    pub base: String,
    /// The head of the comparison; without it, the sheet in the working tree (what `retests`
    /// judges)
    #[arg(long, value_name = "REF")]
    pub head: Option<String>,
    #[command(flatten)]
    pub report_args: ReportArgs,
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The sheet file as a path from the top-level of `repo`, with `/` separators.
pub fn repo_path(repo: &Repo, sheet: &Path) -> Result<String, CliError> {
    let name = sheet.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        CliError::Usage(format!("--sheet: `{}` is not a file name", sheet.display()))
    })?;
    let parent = match sheet.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let canon = |p: &Path| {
        p.canonicalize()
            .map_err(|e| CliError::file(p.display().to_string(), workspace::io_message(&e)))
    };
    let (dir, top) = (canon(&parent)?, canon(&repo.top)?);
    let rel = dir.strip_prefix(&top).map_err(|_| {
        CliError::file(
            sheet.display().to_string(),
            format!("is outside the git repository {}", top.display()),
        )
    })?;
    let mut parts: Vec<String> = Vec::new();
    for c in rel.components() {
        parts.push(c.as_os_str().to_str().map(str::to_owned).ok_or_else(|| {
            CliError::file(sheet.display().to_string(), "the folder name is not UTF-8")
        })?);
    }
    parts.push(name.to_owned());
    Ok(parts.join("/"))
}

/// `dir/rel` lexically normalised, refusing to leave the repository.
fn join_inside(dir: &str, rel: &str, at: impl Fn() -> String) -> Result<String, CliError> {
    if rel.starts_with('/') || rel.starts_with('\\') {
        return Err(CliError::file(at(), format!("`{rel}` is an absolute path")));
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(CliError::file(
                        at(),
                        format!("`{rel}` points outside the repository"),
                    ));
                }
            }
            s => parts.push(s),
        }
    }
    Ok(parts.join("/"))
}

/// The sheet at commit `rev` (`label`: how the user named it), as git has it: `None` when the
/// revision has no such file. A sheet that does not parse there, or a git failure, is an error
/// naming the path and the revision: never "no sheet".
pub fn sheet_at(
    repo: &Repo,
    rev: &str,
    label: &str,
    path: &str,
    display: &str,
) -> Result<Option<Sheet>, CliError> {
    let files = repo.files_at(rev, label, &[path.to_owned()])?;
    let Some((_, bytes)) = files.into_iter().find(|(p, _)| p == path) else {
        return Ok(None);
    };
    let loaded = sheet::load(display, bytes);
    let Some(mut sheet) = loaded.sheet else {
        let why = loaded
            .findings
            .first()
            .map(|f| format!("{} (line {})", f.message, f.line().unwrap_or(1)))
            .unwrap_or_else(|| "it is not a governance sheet".into());
        return Err(CliError::file(
            format!("{path} at {label}"),
            format!("the sheet does not parse: {why}"),
        ));
    };
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let display_dir = Path::new(display)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for records in [true, false] {
        let field = if records {
            sheet.records_dir.clone()
        } else {
            sheet.incidents_dir.clone()
        };
        let Some(field) = field else { continue };
        let key = if records {
            "records_dir"
        } else {
            "incidents_dir"
        };
        let folder = join_inside(dir, &field.value, || format!("{path} at {label}: {key}"))?;
        // The top-level itself is listed by naming no path.
        let wanted: Vec<String> = if folder.is_empty() {
            Vec::new()
        } else {
            vec![format!("{folder}/")]
        };
        let listed = repo.files_at(rev, label, &wanted)?;
        for (file, bytes) in listed {
            if !(file.ends_with(".yaml") || file.ends_with(".yml")) {
                continue;
            }
            let name_in = file.rsplit_once('/').map_or(file.as_str(), |(_, n)| n);
            let shown = display_dir
                .join(&field.value)
                .join(name_in)
                .display()
                .to_string();
            let shown = workspace::normalize(Path::new(&shown))
                .display()
                .to_string();
            sheet::items::add_leniently(&mut sheet, shown, bytes, records);
        }
    }
    Ok(Some(sheet))
}

/// The stand-in for a sheet a side does not have.
pub fn empty_sheet(display: &str) -> Sheet {
    sheet::load(display, b"{}".to_vec())
        .sheet
        .unwrap_or_else(|| unreachable!("`{{}}` is a map"))
}

/// The sheet at the merge base of a range: the merge base, how the report names it, and the
/// sheet (`None` when the merge base has none).
pub struct BaseSheet {
    pub label: String,
    pub sheet: Option<Sheet>,
}

/// Read the sheet at the merge base `mb` of a range named `base_name`.
pub fn base_sheet(
    repo: &Repo,
    mb: &str,
    base_name: &str,
    sheet_path: &Path,
) -> Result<BaseSheet, CliError> {
    let label = format!("{base_name} (merge base {})", short(mb));
    let rel = repo_path(repo, sheet_path)?;
    let display = sheet_path.display().to_string();
    let sheet = sheet_at(repo, mb, &label, &rel, &display)?;
    Ok(BaseSheet { label, sheet })
}

/// The range's governance findings judged as the range's own: the stricter severity of the
/// two sheets, the base sheet's waivers only.
pub fn judge_range(
    policy: &crate::policy::Policy,
    base: &Sheet,
    head: &Sheet,
    findings: Vec<Finding>,
    today: chrono::NaiveDate,
) -> Vec<Finding> {
    let config = gate::range_config(policy, base, head);
    policy.finalize_with(&config.config(head), findings, today, &|id| {
        gate::RANGE_RULES.contains(&id)
    })
}

pub fn run(ctx: &Context, args: DiffArgs) -> Result<ExitCode, CliError> {
    let dir = match args.sheet.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let repo = Repo::open(&dir)?;
    let head_name = args.head.as_deref().unwrap_or("HEAD");
    let head_sha = repo.commit(head_name, "--head")?;
    let base_sha = repo.commit(&args.base, "--base")?;
    let mb = repo.merge_base(&base_sha, &head_sha, &args.base, head_name)?;
    let base = base_sheet(&repo, &mb, &args.base, &args.sheet)?;
    let display = args.sheet.display().to_string();

    let (head, head_label) = match &args.head {
        Some(h) => {
            let rel = repo_path(&repo, &args.sheet)?;
            let label = format!("{h} ({})", short(&head_sha));
            (sheet_at(&repo, &head_sha, &label, &rel, &display)?, label)
        }
        None => {
            let label = "the working tree".to_owned();
            if args.sheet.exists() {
                let on_disk = workspace::load_sheet(&args.sheet)?;
                let Some(sheet) = on_disk.loaded.sheet else {
                    let why = on_disk
                        .loaded
                        .findings
                        .first()
                        .map(|f| format!("{} (line {})", f.message, f.line().unwrap_or(1)))
                        .unwrap_or_default();
                    return Err(CliError::file(
                        display,
                        format!("the sheet does not parse: {why}"),
                    ));
                };
                (Some(sheet), label)
            } else {
                (None, label)
            }
        }
    };
    if base.sheet.is_none() && head.is_none() {
        return Err(CliError::file(
            display,
            format!("no sheet at {} nor at {head_label}", base.label),
        ));
    }
    let (empty_base, empty_head) = (empty_sheet(&display), empty_sheet(&display));
    let b = Side {
        sheet: base.sheet.as_ref().unwrap_or(&empty_base),
        present: base.sheet.is_some(),
    };
    let h = Side {
        sheet: head.as_ref().unwrap_or(&empty_head),
        present: head.is_some(),
    };
    let (gov, findings) = gate::governance(b, h, &base.label);
    let mut findings = judge_range(crate::policy::core(), b.sheet, h.sheet, findings, ctx.today);
    finding::sort(&mut findings);

    let repo_sheet = repo_path(&repo, &args.sheet).unwrap_or(display.clone());
    let compared = report::diff::Compared {
        sheet: &repo_sheet,
        head: &head_label,
    };
    let human = || report::diff::human(&gov, &compared, &findings);
    let paths = super::check::repo_paths_of(&findings, &workspace::git_root(&dir).unwrap_or(dir));
    let text = match args.report_args.format {
        Format::Human => human(),
        Format::Markdown => report::diff::markdown(&gov, &compared),
        Format::Json => report::diff::json(&gov, &compared, &findings),
        Format::Github => report::github::render_with_report(&findings, &paths, &human()),
        Format::Sarif => {
            let rules: Vec<_> = crate::policy::core()
                .rule(diff::RULE)
                .map(|r| super::check::rule_info(r, r.severity))
                .into_iter()
                .collect();
            report::sarif::render(&findings, &rules, &paths)
        }
        Format::Junit => {
            let rules: Vec<_> = crate::policy::core()
                .rule(diff::RULE)
                .map(|r| super::check::rule_info(r, r.severity))
                .into_iter()
                .collect();
            report::junit::render(
                &[report::junit::SheetFindings {
                    sheet: display.clone(),
                    findings: findings.clone(),
                }],
                &rules,
                ctx.fail_on,
            )
        }
    };
    ctx.out
        .emit(args.report_args.output.as_deref(), &text, human)?;
    Ok(exit_for(&findings, ctx.fail_on))
}

/// The folder component paths are relative to, as a path from the repository's top-level
/// (`""` for the top-level itself): the sheet's `root` from the sheet's folder, else the top.
pub fn component_prefix(sheet_path: &str, root_dir: Option<&str>) -> Result<String, CliError> {
    let dir = sheet_path.rsplit_once('/').map_or("", |(d, _)| d);
    match root_dir {
        None => Ok(String::new()),
        Some(r) => join_inside(dir, r, || format!("{sheet_path}: root")),
    }
}

/// A path from the top-level as a path from the component root `prefix`; `None` outside it.
fn under(prefix: &str, path: &str) -> Option<String> {
    if prefix.is_empty() {
        return Some(path.to_owned());
    }
    path.strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('/'))
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

/// What `retests` knows of a range besides the head sheet: the sheet at the merge base and
/// the changed paths from the top-level, each with the newest commit of the range that touched
/// it and its date (as `cli::history::range` gives them).
pub struct Range {
    pub label: String,
    pub base: Sheet,
    /// The sheet as a path from the top-level.
    pub sheet_path: String,
    pub paths: Vec<(String, Position, Option<chrono::NaiveDate>)>,
    /// The sheet is gone at head: `head` is the base sheet standing in for it.
    pub deleted: bool,
}

/// A range judged by both sheets: the report, the `governance-weakened` findings, and the
/// base sheet (whose policy judges the range's findings with head's).
pub struct Judged {
    pub report: crate::retest::Report,
    pub weakened: Vec<Finding>,
    pub base: Sheet,
}

/// Evaluate a range with the sheet at its merge base and at head (`retest::gate`), both
/// against the same `judging`: the records of the range's head with where each entered the
/// history. `head_changed` are the changed paths from head's component root.
pub fn evaluate_range(
    head: &Sheet,
    matcher: &crate::globs::Matcher,
    head_changed: Vec<crate::retest::ChangedPath>,
    range: Range,
    judging: Judging<'_>,
) -> Result<Judged, CliError> {
    use crate::retest::ChangedPath;
    let Range {
        label,
        base,
        sheet_path,
        paths,
        deleted,
    } = range;
    let empty = empty_sheet(&head.source.name);
    let (gov, weakened) = gate::governance(
        Side {
            sheet: &base,
            present: true,
        },
        Side {
            sheet: if deleted { &empty } else { head },
            present: !deleted,
        },
        &label,
    );
    let head_prefix = component_prefix(&sheet_path, head.root_dir.as_ref().map(|r| r.as_str()))?;
    let base_prefix = component_prefix(&sheet_path, base.root_dir.as_ref().map(|r| r.as_str()))?;
    let base_changed: Vec<ChangedPath> = paths
        .iter()
        .filter_map(|(p, at, d)| under(&base_prefix, p).map(|r| ChangedPath::at(r, *at, *d)))
        .collect();
    // The sheet file as a change: where the range last touched it, else (the sheet is not
    // among the changed paths) the head, the hardest position to cover.
    let (sheet_at_pos, sheet_date) = paths
        .iter()
        .find(|(p, _, _)| *p == sheet_path)
        .map(|(_, at, d)| (*at, *d))
        .unwrap_or_else(|| {
            let head = judging.history.head();
            (head, judging.history.commit(head).map(|c| c.date))
        });
    let sheet_file = ChangedPath::at(
        under(&head_prefix, &sheet_path).unwrap_or_else(|| sheet_path.clone()),
        sheet_at_pos,
        sheet_date,
    );
    let (base_matcher, _) = crate::globs::Matcher::new(&base.components);
    let mut report = gate::evaluate(
        gate::Judge {
            sheet: head,
            matcher,
            changed: head_changed,
        },
        gate::Judge {
            sheet: &base,
            matcher: &base_matcher,
            changed: base_changed,
        },
        sheet_file,
        judging,
    );
    report.governance = Some(gov);
    Ok(Judged {
        report,
        weakened,
        base,
    })
}

/// The sheet `retests` judges: the one on disk, or, when a range is asked for and the sheet
/// is gone at head (deleted or moved away), its version at the merge base: never a pass for
/// want of a sheet. `range` is `(base, head)` as the user named them.
pub fn load_for_range(
    path: &Path,
    range: Option<(&str, &str)>,
) -> Result<(workspace::SheetOnDisk, bool), CliError> {
    let Some((base_name, head_name)) = range.filter(|_| !path.exists()) else {
        return Ok((workspace::load_sheet(path)?, false));
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Ok((workspace::load_sheet(path)?, false));
    }
    let repo = Repo::open(&dir)?;
    let head_sha = repo.commit(head_name, "--head")?;
    let base_sha = repo.commit(base_name, "--base")?;
    let mb = repo.merge_base(&base_sha, &head_sha, base_name, head_name)?;
    let Some(sheet) = base_sheet(&repo, &mb, base_name, path)?.sheet else {
        return Ok((workspace::load_sheet(path)?, false));
    };
    let repo_root = workspace::git_root(&dir).unwrap_or_else(|| dir.clone());
    let loaded = sheet::Loaded {
        source: std::sync::Arc::clone(&sheet.source),
        sheet: Some(sheet),
        findings: Vec::new(),
    };
    Ok((
        workspace::SheetOnDisk {
            path: path.to_path_buf(),
            dir,
            repo_root,
            loaded,
        },
        true,
    ))
}
