//! The history a `govsheet retests` run is judged against, read from git: the first-parent
//! chain of a range (or the index as the next commit), the changed paths with the commit that
//! last touched each, and the records of the tip (head commit or index) with the commit at
//! which each entered. A fixed handful of git processes whatever the size of the range: one
//! `git log` for the chain, one `git diff` for the net change, a few `ls-tree`/`ls-files`, and
//! one `git cat-file --batch` for every blob. The pure rules are in `crate::retest::history`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::git::{Repo, TreeEntry};
use super::{CliError, workspace};
use crate::retest::history::{self, Commit, History, INDEX, Position, short};
use crate::sheet::items::{inline_records, records_of};
use crate::sheet::model::Record;

/// Where the records that may cover the change are read.
#[derive(Debug, Clone)]
enum Tip {
    /// A commit (the head of a range).
    Commit(String),
    /// The index (`--staged`).
    Index,
}

/// The changed paths of a git comparison and the history they are judged against.
#[derive(Debug)]
pub(super) struct Changes {
    /// Paths relative to the git top folder, each with the position of the newest commit of
    /// the chain that touched it and that commit's date.
    pub paths: Vec<(String, Position, Option<NaiveDate>)>,
    /// What was compared, for the report.
    pub compared: Option<String>,
    pub history: History,
    tip: Tip,
    /// The commit whose records are "before the range" (the merge base, HEAD); `None`: none.
    base: Option<String>,
    /// A range's merge base and how the user named its base: the sheet there judges the range
    /// too (`retest::gate`). `None` for the index and for a whole history.
    pub merge_base: Option<(String, String)>,
}

/// The records that may cover a change, with the position at which each entered.
#[derive(Debug, Default)]
pub(super) struct Evidence {
    pub records: Vec<Record>,
    pub at: Vec<Position>,
}

/// A range `base...head`: the net change from the merge base to head, each path dated by the
/// newest commit of head's first-parent chain that touched it.
pub(super) fn range(
    repo: &Repo,
    base: &str,
    head: &str,
    base_flag: &str,
    head_flag: &str,
) -> Result<Changes, CliError> {
    let head_sha = repo.commit(head, head_flag)?;
    let base_sha = repo.commit(base, base_flag)?;
    let mb = repo.merge_base(&base_sha, &head_sha, base, head)?;
    let commits = repo.first_parent_chain(Some(&mb), &head_sha)?;
    let paths = repo.diff(&mb, &head_sha)?;
    let history = History {
        base: Some(format!("the merge base {}", short(&mb))),
        commits,
    };
    Ok(Changes {
        paths: positioned(&history, paths),
        compared: Some(format!("{base}...{head} (merge base {})", short(&mb))),
        history,
        tip: Tip::Commit(head_sha),
        merge_base: Some((mb.clone(), base.to_owned())),
        base: Some(mb),
    })
}

/// Every commit of head's first-parent chain down to the root (a new branch with nothing to
/// compare against): every path any of them touched counts as changed.
pub(super) fn whole_history(repo: &Repo, head: &str, head_flag: &str) -> Result<Changes, CliError> {
    let head_sha = repo.commit(head, head_flag)?;
    let commits = repo.first_parent_chain(None, &head_sha)?;
    let history = History {
        base: Some("the empty repository".into()),
        commits,
    };
    let mut paths: Vec<String> = history
        .last_touched()
        .into_keys()
        .map(str::to_owned)
        .collect();
    paths.sort_unstable();
    Ok(Changes {
        paths: positioned(&history, paths),
        compared: None,
        history,
        tip: Tip::Commit(head_sha),
        base: None,
        merge_base: None,
    })
}

/// The index against HEAD, taken as the next commit, dated today.
pub(super) fn staged(repo: &Repo, today: NaiveDate) -> Result<Changes, CliError> {
    let head = repo.head()?;
    let changes = repo.staged_changes()?;
    let paths: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
    let history = History {
        base: Some(match &head {
            Some(h) => format!("HEAD {}", short(h)),
            None => "the empty repository (no commit yet)".into(),
        }),
        commits: vec![Commit {
            id: INDEX.into(),
            date: today,
            changes,
        }],
    };
    Ok(Changes {
        paths: positioned(&history, paths),
        compared: Some("the index (staged changes) against HEAD".into()),
        history,
        tip: Tip::Index,
        base: head,
        merge_base: None,
    })
}

/// Give each changed path the newest commit that touched it. A path of the net change that no
/// commit of the chain touched (a merge base off the chain, e.g. after merging the base branch
/// in) is taken as changed by the head: the hardest position to cover.
fn positioned(history: &History, paths: Vec<String>) -> Vec<(String, Position, Option<NaiveDate>)> {
    let touched = history.last_touched();
    let head = history.head();
    paths
        .into_iter()
        .map(|p| {
            let at = touched.get(p.as_str()).copied().unwrap_or(head);
            let date = history.commit(at).map(|c| c.date);
            (p, at, date)
        })
        .collect()
}

/// Where the sheet and its records live, relative to the git top folder.
pub(super) struct Places {
    /// The sheet file, from the top folder (`governance.yaml`, `web/governance.yaml`).
    pub sheet: String,
    /// `records_dir` from the top folder (`""`: the top folder itself); `None`: not set.
    pub records_dir: Option<String>,
    /// How the sheet and a record file are named in the report.
    pub sheet_display: String,
    pub records_display: Option<PathBuf>,
}

impl Places {
    /// The places of `sheet_path` (as given) and its `records_dir` value, under `top`.
    pub(super) fn new(
        top: &Path,
        sheet_path: &Path,
        sheet_dir: &Path,
        records_dir: Option<&str>,
    ) -> Result<Places, CliError> {
        // A sheet gone from the working tree (a range judged by the merge base's sheet) is
        // placed by its folder.
        let canonical = match sheet_path.canonicalize() {
            Ok(c) => c,
            Err(e) => match (
                sheet_path.exists(),
                sheet_dir.canonicalize(),
                sheet_path.file_name(),
            ) {
                (false, Ok(dir), Some(name)) => dir.join(name),
                _ => {
                    return Err(CliError::file(
                        sheet_path.display().to_string(),
                        workspace::io_message(&e),
                    ));
                }
            },
        };
        let outside = || {
            CliError::file(
                sheet_path.display().to_string(),
                format!("the sheet is outside the git repository {}", top.display()),
            )
        };
        let rel = |p: &Path| -> Option<String> {
            let r = p.strip_prefix(top).ok()?;
            let parts: Option<Vec<&str>> = r.components().map(|c| c.as_os_str().to_str()).collect();
            Some(parts?.join("/"))
        };
        let sheet = rel(&canonical).ok_or_else(outside)?;
        let records = match records_dir {
            Some(d) => {
                let dir = canonical
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let abs = workspace::normalize(&dir.join(d));
                Some(rel(&abs).ok_or_else(|| {
                    CliError::file(
                        sheet_path.display().to_string(),
                        format!(
                            "records_dir: `{d}` is outside the git repository {}",
                            top.display()
                        ),
                    )
                })?)
            }
            None => None,
        };
        Ok(Places {
            sheet,
            records_display: records_dir.map(|d| workspace::normalize(&sheet_dir.join(d))),
            records_dir: records,
            sheet_display: sheet_path.display().to_string(),
        })
    }

    /// Whether a path (from the top folder) is a file of `records_dir`: a `*.yaml`/`*.yml`
    /// directly in it, other than the sheet.
    fn is_record_file(&self, path: &str) -> bool {
        let Some(dir) = &self.records_dir else {
            return false;
        };
        let name = if dir.is_empty() {
            Some(path)
        } else {
            path.strip_prefix(dir.as_str())
                .and_then(|r| r.strip_prefix('/'))
        };
        name.is_some_and(|n| {
            !n.contains('/') && (n.ends_with(".yaml") || n.ends_with(".yml")) && path != self.sheet
        })
    }

    fn dir_spec(&self) -> Option<String> {
        self.records_dir.as_ref().map(|d| {
            if d.is_empty() {
                ".".to_owned()
            } else {
                format!("{d}/")
            }
        })
    }
}

/// The tree entries of a commit (or the index) that matter for records: the sheet, and the
/// files of `records_dir`.
fn listing(
    repo: &Repo,
    places: &Places,
    at: &Tip,
) -> Result<(Option<TreeEntry>, Vec<TreeEntry>), CliError> {
    let mut specs = vec![places.sheet.clone()];
    specs.extend(places.dir_spec());
    let specs: Vec<&str> = specs.iter().map(String::as_str).collect();
    let entries = match at {
        Tip::Commit(c) => repo.ls_tree(c, &specs)?,
        Tip::Index => repo.ls_index(&specs)?,
    };
    let sheet = entries
        .iter()
        .find(|e| e.path == places.sheet && e.object.is_file())
        .cloned();
    let files = entries
        .into_iter()
        .filter(|e| e.object.is_file() && places.is_record_file(&e.path))
        .collect();
    Ok((sheet, files))
}

fn rev_name(tip: &Tip) -> String {
    match tip {
        Tip::Commit(c) => format!("commit {}", short(c)),
        Tip::Index => "the index".into(),
    }
}

/// The records of the tip (the head commit, or the index) with where each entered the
/// history. Records only on disk (untracked, unstaged, uncommitted) are not among them. A
/// record file of the tip that cannot be read, or the tip's sheet that is not YAML, stops the
/// run (exit 2) naming the file and the commit: govsheet cannot say what covers the change.
pub(super) fn evidence(
    repo: &Repo,
    changes: &Changes,
    places: &Places,
) -> Result<Evidence, CliError> {
    let mut objects = repo.objects()?;
    let tip_name = rev_name(&changes.tip);
    let (tip_sheet, tip_files) = listing(repo, places, &changes.tip)?;
    let (base_sheet, base_files) = match &changes.base {
        Some(b) => listing(repo, places, &Tip::Commit(b.clone()))?,
        None => (None, Vec::new()),
    };
    let mut out = Evidence::default();

    // Inline records of the tip's sheet.
    if let Some(sheet) = &tip_sheet {
        let bytes = objects.blob(&sheet.object.id, &format!("{} at {tip_name}", places.sheet))?;
        let records = inline_records(&places.sheet_display, bytes).ok_or_else(|| {
            CliError::file(
                places.sheet_display.clone(),
                format!("the sheet at {tip_name} is not readable YAML, so its records cannot be judged; fix it and commit (or stage) the fix"),
            )
        })?;
        let keys: Vec<String> = records.iter().map(history::record_key).collect();
        let sheet_path = places.sheet.clone();
        let mut read = |id: &str| -> Result<Option<HashSet<String>>, CliError> {
            let bytes = objects.blob(id, &format!("{sheet_path} (an older version)"))?;
            Ok(inline_records(&sheet_path, bytes)
                .map(|rs| rs.iter().map(history::record_key).collect()))
        };
        let at = changes.history.inline_entries(
            &places.sheet,
            &keys,
            base_sheet.as_ref().map(|e| e.object.id.as_str()),
            &mut read,
        )?;
        out.records.extend(records);
        out.at.extend(at);
    }

    // Record files of the tip.
    let ids: Vec<&str> = tip_files.iter().map(|e| e.object.id.as_str()).collect();
    let at_base: HashSet<&str> = base_files.iter().map(|e| e.object.id.as_str()).collect();
    let at = changes
        .history
        .file_entries(|p| places.is_record_file(p), &ids, &at_base);
    for (entry, at) in tip_files.iter().zip(at) {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        let display = match &places.records_display {
            Some(d) => d.join(name).display().to_string(),
            None => entry.path.clone(),
        };
        let bytes = objects.blob(&entry.object.id, &format!("{} at {tip_name}", entry.path))?;
        let records = records_of(&display, bytes).map_err(|f| {
            CliError::file(
                display.clone(),
                format!("at {tip_name}: {}; a record file that cannot be read covers nothing, so the run cannot be judged", f.message),
            )
        })?;
        out.at.extend(std::iter::repeat_n(at, records.len()));
        out.records.extend(records);
    }
    Ok(out)
}
