//! The policy engine at the edge: reading a sheet's own packs (`policy.packs`), walking the
//! repository for `component-matches-nothing`, and running policy + waivers over one sheet.

use std::borrow::Cow;
use std::path::Path;

use walkdir::WalkDir;

use super::workspace::{SheetOnDisk, inside_repo, normalize};
use super::{CliError, Context};
use crate::finding::{Finding, RuleId};
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
/// `node_modules`.
pub fn repo_files(root: &Path) -> Result<Vec<String>, CliError> {
    let mut out = Vec::new();
    let walker = WalkDir::new(root).into_iter().filter_entry(|e| {
        e.depth() == 0
            || !(e.file_type().is_dir()
                && matches!(
                    e.file_name().to_string_lossy().as_ref(),
                    ".git" | "target" | "node_modules"
                ))
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
        if let Ok(rel) = entry.path().strip_prefix(root) {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(out)
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
    // With the embedded rules only, components to match and `component-matches-nothing` not
    // configured (a sheet may turn it off to spare a large repository the walk), the core pack
    // needs the files: the repository is walked before the rules are asked for, which are being
    // parsed on the warm-up thread meanwhile (see `cli::warm_up`). The walk is still kept only
    // if the rules need it, and its error (like a missing root) only counts then.
    let configured = s
        .policy
        .rules
        .iter()
        .any(|(id, _)| id.value == RuleId::ComponentMatchesNothing.as_str());
    let is_dir = root.is_dir();
    let early = (s.policy.packs.is_empty() && !configured && !s.components.is_empty() && is_dir)
        .then(|| repo_files(&root));
    let policy = policy_for(sheet)?;
    let files = if policy.needs_files(s) {
        if !is_dir {
            return Err(CliError::file(
                root.display().to_string(),
                "the component root (`root` of the sheet) is not a folder",
            ));
        }
        Some(match early {
            Some(walked) => walked?,
            None => repo_files(&root)?,
        })
    } else {
        None
    };
    let input = Input::new(ctx.today, files.as_deref());
    Ok(policy.judge(s, findings, &input))
}
