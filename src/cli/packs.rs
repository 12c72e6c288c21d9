//! The policy engine at the edge: reading a sheet's own packs (`policy.packs`), walking the
//! repository for `component-matches-nothing`, and running policy + waivers over one sheet.

use std::borrow::Cow;
use std::path::Path;

use walkdir::WalkDir;

use super::workspace::{SheetOnDisk, inside_repo, normalize};
use super::{CliError, Context};
use crate::finding::Finding;
use crate::globs::{Folders, GlobError, Matcher};
use crate::policy::{self, Input, Policy};
use crate::sheet::model::{Component, IdMap};

/// The embedded rules plus the packs the sheet lists in `policy.packs` (paths relative to the
/// sheet, inside the repository). An unreadable or invalid pack stops the run. A sheet without
/// packs borrows the embedded rules (a copy of them costs more than checking a small sheet).
pub fn policy_for(sheet: &SheetOnDisk) -> Result<Cow<'static, Policy>, CliError> {
    let Some(s) = &sheet.loaded.sheet else {
        return Ok(Cow::Borrowed(policy::core()));
    };
    if s.policy.packs.is_empty() {
        return Ok(Cow::Borrowed(policy::core()));
    }
    let mut packs = Vec::new();
    for p in &s.policy.packs {
        let at = || {
            let loc = s.source.location(p.span.start);
            format!("{}:{}:{}", s.source.name, loc.line, loc.column)
        };
        let path = inside_repo(&sheet.dir, &p.value, &sheet.repo_root)
            .map_err(|why| CliError::file(at(), format!("policy.packs: {why}")))?;
        let display = normalize(&sheet.dir.join(&p.value)).display().to_string();
        let bytes = super::fsio::read_input(
            &path,
            Some(&sheet.repo_root),
            crate::sheet::yaml::MAX_FILE_BYTES,
        )
        .map_err(|e| match e {
            CliError::File { message, .. } => {
                CliError::file(at(), format!("policy.packs: {display}: {message}"))
            }
            other => other,
        })?;
        packs.push((pack_of(bytes, &display)?, display));
    }
    Policy::with_packs(packs)
        .map(Cow::Owned)
        .map_err(pack_error)
}

/// A pack from the bytes of its file (`display` as the user names it): UTF-8, then parsed;
/// an invalid pack is an error at its file, line and column.
pub(super) fn pack_of(bytes: Vec<u8>, display: &str) -> Result<policy::pack::Pack, CliError> {
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::file(display, "invalid policy pack: not UTF-8 text"))?;
    policy::pack::parse(display, &text).map_err(pack_error)
}

pub(super) fn pack_error(e: policy::PackError) -> CliError {
    CliError::file(
        format!("{}:{}:{}", e.file, e.line, e.column),
        format!("invalid policy pack: {}", e.message),
    )
}

/// Every file under `root`, relative to it with `/` separators, skipping `.git`, `target` and
/// `node_modules` folders; with `folders`, only in the folders it keeps.
pub fn repo_files(root: &Path, folders: Option<&Folders>) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    let walker = WalkDir::new(root).into_iter().filter_entry(|e| {
        if e.depth() == 0 || !e.file_type().is_dir() {
            return true;
        }
        let skipped = matches!(
            e.file_name().to_string_lossy().as_ref(),
            ".git" | "target" | "node_modules"
        );
        !skipped
            && folders.is_none_or(|f| {
                relative(e.path(), root).is_some_and(|rel| f.may_hold_matches(&rel))
            })
    });
    for entry in walker {
        let entry = entry.map_err(|e| {
            CliError::file(
                root.display().to_string(),
                format!("cannot walk the repository: {e}"),
            )
        })?;
        if entry.file_type().is_dir() {
            continue;
        }
        if let Some(rel) = relative(entry.path(), root) {
            out.push(rel);
        }
    }
    Ok(out)
}

/// A path under `root`, relative to it with `/` separators (as globs are written).
fn relative(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// The files `component-matches-nothing` reads, and the component globs compiled for the walk
/// (handed on to the rules).
type Walked = (Vec<String>, (Matcher, Vec<GlobError>));

/// The files `component-matches-nothing` reads under `root`, and the component globs compiled
/// for them. Only the folders a glob can match under decide whether each glob matches a file
/// (an unreadable folder elsewhere is no error); when one matches none, the rule's help looks
/// around it (the closest file name, a folder written without `/**`), so the whole repository
/// is walked then.
fn walk(root: &Path, components: &IdMap<Component>) -> Result<Walked, CliError> {
    let (matcher, errors) = Matcher::new(components);
    let mut files = repo_files(root, Some(&matcher.include_folders()))?;
    if matcher.matched_includes(&files).len() < matcher.include_count() {
        files = repo_files(root, None)?;
    }
    Ok((files, (matcher, errors)))
}

/// Schema + policy + waivers for one sheet on disk: every finding `check` reports for it.
pub fn check_sheet(sheet: &SheetOnDisk, ctx: &Context) -> Result<Vec<Finding>, CliError> {
    let findings = sheet.loaded.findings.clone();
    let Some(s) = &sheet.loaded.sheet else {
        return Ok(findings);
    };
    let mut root = sheet.component_root();
    // `normalize` folds `./.` to an empty path: that is the current folder.
    if root.as_os_str().is_empty() {
        root = std::path::PathBuf::from(".");
    }
    let policy = policy_for(sheet)?;
    let mut globs = None;
    let files = if policy.needs_files(s) {
        if !root.is_dir() {
            return Err(CliError::file(
                root.display().to_string(),
                "the component root (`root` of the sheet) is not a folder",
            ));
        }
        let (files, compiled) = walk(&root, &s.components)?;
        globs = Some(compiled);
        Some(files)
    } else {
        None
    };
    let mut input = Input::new(ctx.today, files.as_deref());
    if let Some(globs) = globs {
        input = input.with_globs(globs);
    }
    Ok(policy.judge(s, findings, &input))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::RuleId;

    /// `component-matches-nothing`'s findings (message and help) over `root`, with the files
    /// `walk` gives it (`whole`: every file instead), and the files.
    fn unmatched(
        sheet: &crate::sheet::Sheet,
        root: &Path,
        whole: bool,
    ) -> (Vec<String>, Vec<String>) {
        let (files, globs) = walk(root, &sheet.components).expect("walk");
        let files = if whole {
            repo_files(root, None).expect("walk")
        } else {
            files
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
        let input = Input::new(today, Some(&files)).with_globs(globs);
        let findings = policy::core()
            .check(sheet, &input)
            .into_iter()
            .filter(|f| f.rule == RuleId::ComponentMatchesNothing.as_str())
            .map(|f| format!("{} | {}", f.message, f.help.unwrap_or_default()))
            .collect();
        (findings, files)
    }

    fn sheet_of(text: &str) -> crate::sheet::Sheet {
        let loaded = crate::sheet::load("governance.yaml", text.as_bytes().to_vec());
        loaded.sheet.expect("a sheet")
    }

    fn repo(files: &[&str]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().expect("temp dir");
        for file in files {
            let path = tmp.path().join(file);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(path, "x").expect("write");
        }
        tmp
    }

    #[test]
    fn the_walk_of_the_globs_folders_finds_what_the_whole_walk_finds() {
        let tmp = repo(&[
            "theme/snippets/a.liquid",
            "theme/sections/b.liquid",
            "records/r.yaml",
            "docs/deep/readme.md",
            "shared/x.js",
            "apps/pay/cfg.json",
            "a/b/c/x.js",
            "a/bb",
        ]);
        // Typos, a folder without `/**`, a rooted glob, a folder written `a/b//`: the help of
        // each looks at files no glob matches.
        let sheet = sheet_of(
            "components:\n  a:\n    paths: [theme/snipets/a.liquid, theme/snippets, \"records2/**\", shared/*.ts, theme/sections/b.liqiud, \"/apps/pay/**\", \"apps/pay/**\", \"theme/**\", \"a/b//**\"]\n",
        );
        let (whole, _) = unmatched(&sheet, tmp.path(), true);
        let (walked, _) = unmatched(&sheet, tmp.path(), false);
        assert_eq!(walked, whole);
        assert_eq!(whole.len(), 7, "{whole:#?}");
        // When every glob matches, only their folders are listed.
        let sheet = sheet_of("components:\n  a:\n    paths: [\"theme/**\", shared/*.js]\n");
        let (none, files) = unmatched(&sheet, tmp.path(), false);
        assert!(none.is_empty(), "{none:#?}");
        assert!(files.iter().any(|f| f == "shared/x.js"));
        assert!(
            !files
                .iter()
                .any(|f| f.starts_with("records/") || f.starts_with("docs/"))
        );
        // The shipped examples: nothing unmatched either way, fewer files listed.
        for example in ["examples/shopify-store", "examples/custom-backend"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
            let text = std::fs::read_to_string(dir.join("governance.yaml")).expect("the example");
            let sheet = sheet_of(&text);
            let (whole, all_files) = unmatched(&sheet, &dir, true);
            let (walked, files) = unmatched(&sheet, &dir, false);
            assert_eq!(walked, whole, "{example}");
            assert!(whole.is_empty(), "{example}: {whole:#?}");
            assert!(files.len() < all_files.len(), "{example}");
        }
    }
}
