//! The policy engine at the edge: reading a sheet's own packs (`policy.packs`), walking the
//! repository for `component-matches-nothing`, and running policy + waivers over one sheet.

use std::borrow::Cow;
use std::path::Path;

use walkdir::WalkDir;

use super::workspace::{SheetOnDisk, inside_repo, normalize};
use super::{CliError, Context};
use crate::finding::Finding;
use crate::globs::{Folders, Matcher};
use crate::policy::{self, Input, Policy};

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
/// `node_modules`, and with `folders` the folders where no component glob can match a file.
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
        !skipped && folders.is_none_or(|f| f.may_hold_matches(&relative(e.path(), root)))
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
        out.push(relative(entry.path(), root));
    }
    Ok(out)
}

/// A path under `root`, relative to it with `/` separators (as globs are written).
fn relative(path: &Path, root: &Path) -> String {
    let Ok(rel) = path.strip_prefix(root) else {
        return String::new();
    };
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
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
        let (matcher, errors) = Matcher::new(&s.components);
        let files = repo_files(&root, Some(&matcher.include_folders()))?;
        globs = Some((matcher, errors));
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

    /// `component-matches-nothing` over a walk of `root`, of every folder or only of those the
    /// globs can match under, with the files walked.
    fn unmatched(
        sheet: &crate::sheet::Sheet,
        root: &Path,
        pruned: bool,
    ) -> (Vec<String>, Vec<String>) {
        let (matcher, errors) = Matcher::new(&sheet.components);
        let folders = matcher.include_folders();
        let files = repo_files(root, pruned.then_some(&folders)).expect("walk");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date");
        let input = Input::new(today, Some(&files)).with_globs((matcher, errors));
        let findings = policy::core()
            .check(sheet, &input)
            .into_iter()
            .filter(|f| f.rule == RuleId::ComponentMatchesNothing.as_str())
            .map(|f| format!("{} | {}", f.message, f.help.unwrap_or_default()))
            .collect();
        (findings, files)
    }

    #[test]
    fn the_walk_of_the_globs_folders_finds_what_the_whole_walk_finds() {
        let tmp = tempfile::tempdir().expect("temp dir");
        for file in [
            "theme/snippets/a.liquid",
            "theme/sections/b.liquid",
            "records/r.yaml",
            "docs/deep/readme.md",
            "shared/x.js",
            "apps/pay/cfg.json",
        ] {
            let path = tmp.path().join(file);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(path, "x").expect("write");
        }
        let text = "components:\n  a:\n    paths: [theme/snipets/a.liquid, theme/snippets, \"records2/**\", shared/*.ts, theme/sections/b.liqiud, \"/apps/pay/**\", \"apps/pay/**\", \"theme/**\"]\n";
        let loaded = crate::sheet::load("governance.yaml", text.as_bytes().to_vec());
        let sheet = loaded.sheet.expect("a sheet");
        let (whole, all_files) = unmatched(&sheet, tmp.path(), false);
        let (pruned, walked) = unmatched(&sheet, tmp.path(), true);
        assert_eq!(pruned, whole);
        assert_eq!(whole.len(), 6, "{whole:#?}");
        assert!(all_files.iter().any(|f| f == "records/r.yaml"));
        assert!(
            !walked
                .iter()
                .any(|f| f.starts_with("records/") || f.starts_with("docs/"))
        );
        // The shipped examples: nothing unmatched either way, fewer folders walked.
        for example in ["examples/shopify-store", "examples/custom-backend"] {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(example);
            let bytes = std::fs::read(dir.join("governance.yaml")).expect("the example");
            let sheet = crate::sheet::load("governance.yaml", bytes)
                .sheet
                .expect("a sheet");
            let (whole, all_files) = unmatched(&sheet, &dir, false);
            let (pruned, walked) = unmatched(&sheet, &dir, true);
            assert_eq!(pruned, whole, "{example}");
            assert!(walked.len() < all_files.len(), "{example}");
        }
    }
}
