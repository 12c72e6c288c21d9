//! `govsheet retests`: collect the changed files (git range, index, a list, or pre-commit's
//! range), make them relative to the component root, and hand them to the pure `retest` core;
//! then render the report and pick the exit code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::git::Repo;
use super::history::{self, Changes, Evidence};
use super::{CliError, Context, Format, ReportArgs, exit_for, workspace};
use crate::finding::{self, Finding, RuleId, Severity};
use crate::globs::Matcher;
use crate::report;
use crate::retest::{self, ChangedPath, Entered, History, coverage, gate};
use crate::sheet::Sheet;

#[derive(Debug, Args)]
pub struct RetestsArgs {
    /// The governance sheet (default: `governance.yaml` here or in the nearest parent folder,
    /// up to the repository root)
    #[arg(long, value_name = "FILE", default_value_os_t = super::default_sheet())]
    pub sheet: PathBuf,
    /// Compare the merge base of REF and --head with --head (e.g. origin/main)
    #[arg(long, value_name = "REF", conflicts_with_all = ["staged", "files", "files_from"])]
    pub base: Option<String>,
    /// The head of the comparison with --base
    #[arg(long, value_name = "REF", requires = "base", default_value = "HEAD")]
    pub head: String,
    /// Take the changed files from the index (what `git commit` would commit)
    #[arg(long, conflicts_with_all = ["files", "files_from"])]
    pub staged: bool,
    /// Read the changed files from FILE, one path a line (`-`: standard input)
    #[arg(long, value_name = "FILE", conflicts_with = "files")]
    pub files_from: Option<PathBuf>,
    /// Changed files, relative to the current folder (as pre-commit passes them)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The date of the change (YYYY-MM-DD): records before it do not count
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    #[command(flatten)]
    pub report_args: ReportArgs,
    /// Print at most this many findings in the human report (and the markdown tables)
    #[arg(long, default_value_t = report::human::DEFAULT_MAX_FINDINGS, value_name = "N")]
    pub max_findings: usize,
}

fn env_ref(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// pre-commit's push range; an all-zero from-ref is a new branch.
fn from_pre_commit(repo: &Repo, from: &str, to: &str) -> Result<Changes, CliError> {
    let short = retest::history::short;
    // pre-commit passes the all-zero object id for a branch the remote does not have yet.
    if from.chars().all(|c| c == '0') {
        let to_sha = repo.commit(to, "PRE_COMMIT_TO_REF")?;
        for candidate in [
            "origin/HEAD",
            "origin/main",
            "origin/master",
            "main",
            "master",
        ] {
            if let Ok(sha) = repo.commit(candidate, "base") {
                if sha == to_sha {
                    continue;
                }
                let mut c = history::range(repo, candidate, to, "base", "PRE_COMMIT_TO_REF")?;
                c.compared = Some(format!(
                    "new branch (PRE_COMMIT_FROM_REF is all zeros): {}",
                    c.compared.unwrap_or_default()
                ));
                return Ok(c);
            }
        }
        let mut c = history::whole_history(repo, to, "PRE_COMMIT_TO_REF")?;
        c.compared = Some(format!(
            "new branch (PRE_COMMIT_FROM_REF is all zeros) and no origin/HEAD, main or master to compare with: every path its history touched, down to the first commit of {}",
            short(&to_sha)
        ));
        return Ok(c);
    }
    let mut c = history::range(repo, from, to, "PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF")?;
    c.compared = c
        .compared
        .map(|s| format!("PRE_COMMIT_FROM_REF...PRE_COMMIT_TO_REF: {s}"));
    Ok(c)
}

/// The most `--files-from` may hold: a list of every file of a large repository fits.
const LIST_LIMIT: usize = 64 * 1024 * 1024;

/// Read `--files-from`: one path a line, blank lines skipped, CRLF tolerated.
fn read_list(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    let bytes = if path.as_os_str() == "-" {
        super::fsio::read_stdin(LIST_LIMIT)?
    } else {
        super::fsio::read_input(path, None, LIST_LIMIT)?
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::file(
            path.display().to_string(),
            format!(
                "not UTF-8 text (invalid byte at byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .map(PathBuf::from)
        .collect())
}

/// The canonical form of a folder that exists.
fn canonical(p: &Path) -> Result<PathBuf, CliError> {
    p.canonicalize()
        .map_err(|e| CliError::file(p.display().to_string(), workspace::io_message(&e)))
}

/// `path` (absolute, normalised) relative to `root`, with `/` separators; `None` outside it.
fn relative_to(path: &Path, root: &Path) -> Option<String> {
    folder_in(path, root).filter(|rel| !rel.is_empty())
}

/// `dir` relative to `root` with `/` separators (`""` for the root itself); `None` outside it
/// or when not UTF-8.
fn folder_in(dir: &Path, root: &Path) -> Option<String> {
    let rel = dir.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<_>>()?;
    Some(parts.join("/"))
}

/// The quick form of [`listed_to_root`] for what nearly every listed path is (`git diff
/// --name-only` output run from inside the root): relative, UTF-8, no `.`, `..` or empty
/// segment. Those need no normalising; anything else goes the long way.
fn plain_listed_to_root(p: &Path, cwd_in_root: Option<&str>) -> Option<String> {
    let prefix = cwd_in_root?;
    let s = p.to_str()?;
    let plain = !s.is_empty()
        && s.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..");
    if !plain {
        return None;
    }
    Some(if prefix.is_empty() {
        s.to_owned()
    } else {
        format!("{prefix}/{s}")
    })
}

/// A listed path, relative to `cwd`, as a component-root relative path. A path that is not
/// lexically under the root is tried again through the real path (a symlinked folder).
fn listed_to_root(p: &Path, cwd: &Path, root: &Path) -> Option<String> {
    let abs = workspace::normalize(&cwd.join(p));
    if let Some(r) = relative_to(&abs, root) {
        return Some(r);
    }
    let real = abs
        .parent()
        .and_then(|d| d.canonicalize().ok())
        .and_then(|d| abs.file_name().map(|n| d.join(n)))?;
    relative_to(&real, root)
}

/// The sheet's policy over this command's findings: `policy.rules` severities (a team may make
/// `retest-missing` a warning) and waivers, with the same packs `check` loads. Waivers are
/// checked for being unused or expired only for the rules of this command; configuration
/// problems of the policy itself (`unknown-rule`) are `check`'s to report.
/// In a range whose merge base has the sheet, the range's own findings are judged by both
/// sheets (`retest::gate`): the stricter severity, the base's waivers.
fn apply_policy(
    on_disk: &workspace::SheetOnDisk,
    sheet: &Sheet,
    base: Option<&Sheet>,
    findings: Vec<Finding>,
    today: NaiveDate,
) -> Result<Vec<Finding>, CliError> {
    let policy = super::packs::policy_for(on_disk)?;
    let range_rule = |id: &str| base.is_some() && gate::RANGE_RULES.contains(&id);
    let ran = |id: &str| policy.rule(id).is_some_and(|r| r.command == "retests") && !range_rule(id);
    let (range, others): (Vec<Finding>, Vec<Finding>) =
        findings.into_iter().partition(|f| range_rule(&f.rule));
    let mut out = policy.finalize(sheet, others, today, &ran);
    if let Some(base) = base {
        out.extend(super::diff::judge_range(&policy, base, sheet, range, today));
    }
    Ok(out
        .into_iter()
        .filter(|f| f.rule != RuleId::UnknownRule.as_str())
        .collect())
}

fn glob_findings(sheet: &Sheet, errors: &[crate::globs::GlobError]) -> Vec<Finding> {
    let comps = sheet.components.iter().as_slice();
    errors
        .iter()
        .filter_map(|e| {
            let c = comps.get(e.component)?;
            Some(
                Finding::of(
                    RuleId::ComponentPaths,
                    format!(
                        "component `{}` has an invalid glob `{}`: {}",
                        c.id.value, e.pattern, e.message
                    ),
                )
                .at(&sheet.source, format!("{}/paths/{}", c.pointer, e.index), Some(e.span))
                .with_help("write a glob: `*` and `?` stay within one folder, `**` spans folders, a leading `!` excludes"),
            )
        })
        .collect()
}

pub(super) fn run(ctx: &Context, args: RetestsArgs) -> Result<ExitCode, CliError> {
    let since = match &args.since {
        Some(s) => Some(crate::sheet::model::parse_date(s.trim()).ok_or_else(|| {
            CliError::Usage(format!("--since: `{s}` is not a date (YYYY-MM-DD)"))
        })?),
        None => None,
    };
    let pre_commit = (env_ref("PRE_COMMIT_FROM_REF"), env_ref("PRE_COMMIT_TO_REF"));
    let asked_range = match (&args.base, &pre_commit) {
        (Some(b), _) => Some((b.as_str(), args.head.as_str())),
        (None, (Some(f), Some(t))) if !f.chars().all(|c| c == '0') => {
            Some((f.as_str(), t.as_str()))
        }
        _ => None,
    };
    let listed = !args.files.is_empty() || args.files_from.is_some();
    let (on_disk, deleted) =
        super::diff::load_for_range(&args.sheet, asked_range.filter(|_| !listed && !args.staged))?;
    let Some(sheet) = on_disk.loaded.sheet.as_ref() else {
        // The sheet is not YAML: its findings are the whole report.
        let mut findings = on_disk.loaded.findings.clone();
        finding::sort(&mut findings);
        if !findings.iter().any(|f| f.severity == Severity::Error) {
            return Err(CliError::file(
                args.sheet.display().to_string(),
                "cannot read the sheet",
            ));
        }
        render_findings_only(ctx, &args, &on_disk, &findings)?;
        // A sheet that cannot be read never passes the gate, whatever --fail-on says.
        return Ok(ExitCode::from(1));
    };
    let root = canonical(&on_disk.component_root())?;

    let mut range: Option<super::diff::Range> = None;
    let outside_root;
    let (relative, compared, history, evidence): (Vec<ChangedPath>, _, History, Option<Evidence>) =
        if listed {
            let mut list = args.files.clone();
            if let Some(from) = &args.files_from {
                list.extend(read_list(from)?);
            }
            // Component globs and the report hold UTF-8 paths: a name that is not UTF-8 cannot
            // be matched, so it stops the run instead of dropping out of the change set.
            if let Some(bad) = list.iter().find(|p| p.to_str().is_none()) {
                return Err(CliError::file(
                    bad.display().to_string(),
                    "this changed path is not UTF-8 text, which component globs cannot match; rename the file or list the change with --base REF",
                ));
            }
            let cwd = std::env::current_dir()
                .map_err(|e| CliError::Usage(format!("cannot read the current folder: {e}")))?;
            let cwd = canonical(&cwd)?;
            let cwd_in_root = folder_in(&cwd, &root);
            let paths: Vec<ChangedPath> = list
                .iter()
                .filter_map(|p| {
                    plain_listed_to_root(p, cwd_in_root.as_deref())
                        .or_else(|| listed_to_root(p, &cwd, &root))
                })
                .map(|p| ChangedPath::new(p, None))
                .collect();
            outside_root = list.len() - paths.len();
            (paths, None, History::default(), None)
        } else {
            let repo = Repo::open(&on_disk.dir)?;
            let changes = if let Some(base) = &args.base {
                history::range(&repo, base, &args.head, "--base", "--head")?
            } else if args.staged {
                history::staged(&repo, ctx.today)?
            } else if let (Some(from), Some(to)) = &pre_commit {
                from_pre_commit(&repo, from, to)?
            } else {
                return Err(CliError::Usage(
                "say which files changed: --base REF (e.g. origin/main), --staged, FILE..., or --files-from FILE".into(),
            ));
            };
            let top = canonical(&repo.top)?;
            let prefix = relative_to(&root, &top);
            if !root.starts_with(&top) {
                return Err(CliError::file(
                    on_disk.path.display().to_string(),
                    format!(
                        "the component root {} is outside the git repository {}",
                        root.display(),
                        top.display()
                    ),
                ));
            }
            let places = history::Places::new(
                &top,
                &on_disk.path,
                &on_disk.dir,
                sheet.records_dir.as_ref().map(|t| t.value.as_str()),
            )?;
            let evidence = history::evidence(&repo, &changes, &places)?;
            // A range whose merge base has the sheet is judged by that sheet too, with the
            // same positioned paths (and, below, the same records and history) as head's.
            if let Some((mb, name)) = &changes.merge_base {
                let base = super::diff::base_sheet(&repo, mb, name, &on_disk.path)?;
                if let Some(base_sheet) = base.sheet {
                    range = Some(super::diff::Range {
                        label: base.label,
                        base: base_sheet,
                        sheet_path: super::diff::repo_path(&repo, &on_disk.path)?,
                        paths: changes
                            .paths
                            .iter()
                            .map(|(p, at, d)| (p.clone(), *at, since.or(*d)))
                            .collect(),
                        deleted,
                    });
                }
            }
            let total = changes.paths.len();
            let paths: Vec<ChangedPath> = changes
                .paths
                .into_iter()
                .filter_map(|(p, at, d)| {
                    let rel = match &prefix {
                        None => Some(p),
                        Some(pre) => p
                            .strip_prefix(pre.as_str())
                            .and_then(|r| r.strip_prefix('/'))
                            .map(str::to_owned),
                    };
                    rel.map(|r| ChangedPath::at(r, at, d))
                })
                .collect();
            outside_root = total - paths.len();
            (paths, changes.compared, changes.history, Some(evidence))
        };
    let relative: Vec<ChangedPath> = match since {
        Some(s) => relative
            .into_iter()
            .map(|c| ChangedPath::at(c.path, c.at, Some(s)))
            .collect(),
        None => relative,
    };

    let (matcher, glob_errors) = Matcher::new(&sheet.components);
    // Listed files have no history: every record on disk counts. Otherwise the records of the
    // tip (head or index), each where it entered the history: the one set of evidence, for
    // head's sheet and, in a range, the merge base's sheet alike.
    let records: Vec<Entered<'_>> = match &evidence {
        Some(e) => e
            .records
            .iter()
            .zip(&e.at)
            .map(|(record, &at)| Entered { record, at })
            .collect(),
        None => coverage::without_history(&sheet.records),
    };
    let judging = retest::Judging {
        records: &records,
        history: &history,
        default_date: since.unwrap_or(ctx.today),
        today: ctx.today,
    };
    let (mut report, weakened, base) = match range {
        Some(range) => {
            let j = super::diff::evaluate_range(sheet, &matcher, relative, range, judging)?;
            (j.report, j.weakened, Some(j.base))
        }
        None => {
            let r = retest::evaluate(
                sheet,
                &matcher,
                relative,
                &records,
                &history,
                judging.default_date,
                judging.today,
            );
            (r, Vec::new(), None)
        }
    };
    report.compared = compared;
    if let Some(e) = &evidence {
        name_records_not_in_git(&mut report, &sheet.records, e, args.staged);
    }
    report.outside_root = outside_root;
    let mut findings = on_disk.loaded.findings.clone();
    findings.extend(glob_findings(sheet, &glob_errors));
    findings.extend(retest::findings(sheet, &report));
    findings.extend(weakened);
    let mut findings = apply_policy(&on_disk, sheet, base.as_ref(), findings, ctx.today)?;
    finding::sort(&mut findings);
    // Changed paths are relative to the component root; CI annotations want them relative to
    // the repository root, like every other path they show.
    let prefix = canonical(&on_disk.repo_root)
        .ok()
        .and_then(|repo| folder_in(&root, &repo))
        .filter(|p| !p.is_empty());
    if let Some(prefix) = prefix {
        for f in &mut findings {
            if let Some(c) = &mut f.changed {
                *c = format!("{prefix}/{c}");
            }
        }
    }

    let human = |color: bool| {
        report::retests::human(
            &report,
            &findings,
            report::human::HumanOptions {
                color,
                max_findings: args.max_findings,
                width: ctx.out.width(),
            },
        )
    };
    let paths = super::check::repo_paths_of(&findings, &on_disk.repo_root);
    let output = args.report_args.output.as_deref();
    let text = match args.report_args.format {
        Format::Human => human(ctx.out.color() && output.is_none()),
        Format::Json => report::retests::json(&report, &findings),
        Format::Github => report::github::render_with_report(&findings, &paths, &human(false)),
        Format::Markdown => {
            report::markdown::retests(&report, &findings, &paths, args.max_findings)
        }
        Format::Junit => report::retests::junit(
            &report,
            &findings,
            &on_disk.path.display().to_string(),
            ctx.fail_on,
        ),
        Format::Sarif => ci_format(ctx, &args, &on_disk, &findings, &paths)?,
    };
    ctx.out.emit(output, &text, || human(ctx.out.color()))?;
    let code = exit_for(&findings, ctx.fail_on);
    // The process ends here: leave the report, the globs and the sheet to the OS rather than
    // freeing them piece by piece (5 % of a 100,000-path run).
    drop(records);
    #[allow(clippy::mem_forget, reason = "nothing to release but memory, at exit")]
    std::mem::forget((report, evidence, history, matcher, on_disk));
    Ok(code)
}

/// Say so when a retest is not covered and a record of it is on disk but not in git (never
/// added, not staged, or edited since): the usual reason, and the one thing to do.
fn name_records_not_in_git(
    report: &mut retest::Report,
    on_disk: &[crate::sheet::model::Record],
    evidence: &Evidence,
    staged: bool,
) {
    use crate::retest::history::record_key;
    let in_git: std::collections::HashSet<(&str, String)> = evidence
        .records
        .iter()
        .map(|r| (r.source.name.as_str(), record_key(r)))
        .collect();
    for req in report
        .required
        .iter_mut()
        .filter(|r| r.status != retest::Status::Covered)
    {
        let mut files: Vec<&str> = on_disk
            .iter()
            .filter(|r| r.retest.as_ref().is_some_and(|t| t.value == req.retest))
            .filter(|r| !in_git.contains(&(r.source.name.as_str(), record_key(r))))
            .map(|r| r.source.name.as_str())
            .collect();
        files.dedup();
        if let Some(first) = files.first() {
            let more = if files.len() > 1 {
                format!(" (and {} more)", files.len() - 1)
            } else {
                String::new()
            };
            let what = if staged {
                "not staged: `git add` it"
            } else {
                "not committed: commit it"
            };
            req.reason.push_str(&format!(
                "; {first}{more} is on disk but {what}, then run again"
            ));
        }
    }
}

/// SARIF and `JUnit` of the retests findings, with the rules of `retests`.
fn ci_format(
    ctx: &Context,
    args: &RetestsArgs,
    on_disk: &workspace::SheetOnDisk,
    findings: &[Finding],
    paths: &report::RepoPaths,
) -> Result<String, CliError> {
    let rules = super::check::rule_infos([on_disk], "retests")?;
    Ok(match args.report_args.format {
        Format::Junit => report::junit::render(
            &[report::junit::SheetFindings {
                sheet: on_disk.path.display().to_string(),
                findings: findings.to_vec(),
            }],
            &rules,
            ctx.fail_on,
        ),
        _ => report::sarif::render(findings, &rules, paths),
    })
}

fn render_findings_only(
    ctx: &Context,
    args: &RetestsArgs,
    on_disk: &workspace::SheetOnDisk,
    findings: &[Finding],
) -> Result<(), CliError> {
    let human = |color: bool| {
        report::human::render(
            findings,
            1,
            report::human::HumanOptions {
                color,
                max_findings: args.max_findings,
                width: ctx.out.width(),
            },
        )
    };
    let paths = super::check::repo_paths_of(findings, &on_disk.repo_root);
    let output = args.report_args.output.as_deref();
    let text = match args.report_args.format {
        Format::Human => human(ctx.out.color() && output.is_none()),
        Format::Json => report::json::render(findings, 1),
        Format::Github => report::github::render_with_report(findings, &paths, &human(false)),
        Format::Markdown => report::markdown::render_titled(
            "govsheet retests",
            findings,
            1,
            &paths,
            args.max_findings,
        ),
        Format::Sarif | Format::Junit => ci_format(ctx, args, on_disk, findings, &paths)?,
    };
    ctx.out.emit(output, &text, || human(ctx.out.color()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_path_agrees_with_the_long_one() {
        let root = Path::new("/repo");
        for cwd in ["/repo", "/repo/web", "/repo/web/theme", "/elsewhere"] {
            let cwd = Path::new(cwd);
            let prefix = folder_in(cwd, root);
            for p in [
                "theme/a.liquid",
                "a.js",
                "./a.js",
                "a/./b.js",
                "a//b.js",
                "../x/y.js",
                "a/../b.js",
                "/repo/web/a.js",
                "dir/",
                "",
                "é/ü.js",
            ] {
                let p = Path::new(p);
                if let Some(quick) = plain_listed_to_root(p, prefix.as_deref()) {
                    assert_eq!(
                        Some(quick),
                        listed_to_root(p, cwd, root),
                        "{p:?} from {cwd:?}"
                    );
                } else {
                    assert!(
                        p.to_str().is_none_or(|s| s.is_empty()
                            || s.split('/').any(|g| g.is_empty() || g == "." || g == ".."))
                            || prefix.is_none(),
                        "{p:?} from {cwd:?} should have taken the quick path"
                    );
                }
            }
        }
    }
}
