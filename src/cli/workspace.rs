//! Finding and reading sheets on disk: which files to check, where the repository root is,
//! and the records and incidents kept one per file in `records_dir` / `incidents_dir`.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use walkdir::WalkDir;

use super::CliError;
use crate::finding::{Finding, Severity};
use crate::sheet::schema::Kind;
use crate::sheet::{self, Loaded, model, source::SourceFile};

/// A sheet loaded from disk with the folders it is read against.
#[derive(Debug)]
pub struct SheetOnDisk {
    pub path: PathBuf,
    /// The folder the sheet is in.
    pub dir: PathBuf,
    /// The git repository root containing the sheet, or the sheet's folder.
    pub repo_root: PathBuf,
    pub loaded: Loaded,
}

impl SheetOnDisk {
    /// The folder component `paths` are relative to: the sheet's `root` when set, else the
    /// repository root.
    pub fn component_root(&self) -> PathBuf {
        match self.loaded.sheet.as_ref().and_then(|s| s.root_dir.as_ref()) {
            Some(r) => {
                let root = normalize(&self.dir.join(&r.value));
                // `root: .` next to a sheet in the current folder normalises to nothing.
                if root.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    root
                }
            }
            None => self.repo_root.clone(),
        }
    }
}

/// Is this file name a sheet (`governance.yaml` or `*.governance.yaml`)?
pub fn is_sheet_name(name: &str) -> bool {
    name == "governance.yaml"
        || name == "governance.yml"
        || name.ends_with(".governance.yaml")
        || name.ends_with(".governance.yml")
}

/// Expand the PATH arguments of `check` into sheet files. Folders are walked (skipping `.git`,
/// `target` and `node_modules`); a folder without a sheet is an error, as is a missing path.
pub fn find_sheets(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let paths = if paths.is_empty() {
        vec![super::default_sheet()]
    } else {
        paths.to_vec()
    };
    let mut out = Vec::new();
    for p in &paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| CliError::file(p.display().to_string(), io_message(&e)))?;
        if meta.is_dir() {
            let before = out.len();
            let walker = WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    let n = e.file_name().to_string_lossy();
                    e.depth() == 0
                        || !(e.file_type().is_dir()
                            && matches!(n.as_ref(), ".git" | "target" | "node_modules"))
                });
            for entry in walker {
                let entry =
                    entry.map_err(|e| CliError::file(p.display().to_string(), e.to_string()))?;
                if entry.file_type().is_file()
                    && is_sheet_name(&entry.file_name().to_string_lossy())
                {
                    out.push(entry.into_path());
                }
            }
            if out.len() == before {
                return Err(CliError::file(
                    p.display().to_string(),
                    "no governance sheet found in this folder (looked for governance.yaml and *.governance.yaml)",
                ));
            }
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Read a file with the size limit applied before reading it whole.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, CliError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| CliError::file(&name, io_message(&e)))?;
    if meta.is_dir() {
        return Err(CliError::file(&name, "is a folder, not a sheet file"));
    }
    if meta.len() > sheet::yaml::MAX_FILE_BYTES as u64 {
        return Err(CliError::file(
            &name,
            format!(
                "the file is {}; the limit is {}",
                sheet::yaml::human_bytes(meta.len() as usize),
                sheet::yaml::human_bytes(sheet::yaml::MAX_FILE_BYTES)
            ),
        ));
    }
    std::fs::read(path).map_err(|e| CliError::file(&name, io_message(&e)))
}

/// The git repository root containing `dir` (a folder with `.git`), if any.
pub fn git_root(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Lexically normalise a path (drop `.`, fold `..`), without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Resolve `rel` (from the sheet) against `base`, refusing absolute paths and anything that
/// leaves `repo` - lexically or through a symlink.
pub fn inside_repo(base: &Path, rel: &str, repo: &Path) -> Result<PathBuf, String> {
    let relp = Path::new(rel);
    if relp.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
        return Err(format!(
            "`{rel}` is an absolute path; write it relative to the sheet"
        ));
    }
    let repo_abs = normalize(&std::path::absolute(repo).map_err(|e| e.to_string())?);
    let joined = normalize(&std::path::absolute(base.join(relp)).map_err(|e| e.to_string())?);
    if !joined.starts_with(&repo_abs) {
        return Err(format!(
            "`{rel}` points outside the repository ({})",
            repo.display()
        ));
    }
    if let (Ok(real), Ok(real_repo)) = (joined.canonicalize(), repo_abs.canonicalize())
        && !real.starts_with(&real_repo)
    {
        return Err(format!("`{rel}` follows a symlink out of the repository"));
    }
    Ok(joined)
}

/// The `*.yaml`/`*.yml` files of a folder, sorted by name. A missing folder has none.
fn yaml_files(dir: &Path) -> Result<Vec<PathBuf>, CliError> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(CliError::file(dir.display().to_string(), io_message(&e))),
    };
    let mut files = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| CliError::file(dir.display().to_string(), io_message(&e)))?;
        let path = entry.path();
        let ext_ok = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        if ext_ok && !entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Display a path relative to the current folder when it is under it.
fn display_path(base_display: &Path, full: &Path, dir: &Path) -> String {
    match full.strip_prefix(dir) {
        Ok(rel) => base_display.join(rel).display().to_string(),
        Err(_) => full.display().to_string(),
    }
}

/// Load a sheet and the records and incidents of its folders.
pub fn load_sheet(path: &Path) -> Result<SheetOnDisk, CliError> {
    let bytes = read_limited(path)?;
    let name = path.display().to_string();
    let mut loaded = sheet::load(&name, bytes);
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    let repo_root = git_root(&dir).unwrap_or_else(|| dir.clone());
    if let Some(sheet) = loaded.sheet.as_mut() {
        let mut extra = Vec::new();
        for (field, is_records) in [
            (sheet.records_dir.clone(), true),
            (sheet.incidents_dir.clone(), false),
        ] {
            let Some(field) = field else { continue };
            let key = if is_records {
                "records_dir"
            } else {
                "incidents_dir"
            };
            let folder = match inside_repo(&dir, &field.value, &repo_root) {
                Ok(f) => f,
                Err(why) => {
                    let loc = sheet.source.location(field.span.start);
                    return Err(CliError::file(
                        format!("{name}:{}:{}", loc.line, loc.column),
                        format!("{key}: {why}"),
                    ));
                }
            };
            let rel_display = normalize(&dir.join(&field.value));
            for file in yaml_files(&folder)? {
                let display = display_path(&rel_display, &file, &folder);
                let bytes = read_limited(&file)?;
                let source = match sheet::decode(&display, bytes) {
                    Ok(s) => s,
                    Err((_, f)) => {
                        extra.push(f);
                        continue;
                    }
                };
                let root = match sheet::parse_yaml(&source) {
                    Ok(r) => r,
                    Err(f) => {
                        extra.push(f);
                        continue;
                    }
                };
                if root.as_map().is_none() && root.as_seq().is_none() {
                    extra.push(not_an_item(&source, &root, is_records));
                    continue;
                }
                let kind = if is_records {
                    Kind::Records
                } else {
                    Kind::Incidents
                };
                extra.extend(sheet::schema::validate_as(&source, &root, kind));
                if is_records {
                    let (records, findings) = model::build_records(&source, &root);
                    sheet.records.extend(records);
                    extra.extend(findings);
                } else {
                    let (incidents, findings) = model::build_incidents(&source, &root);
                    sheet.incidents.extend(incidents);
                    extra.extend(findings);
                }
            }
        }
        loaded.findings.extend(extra);
    }
    Ok(SheetOnDisk {
        path: path.to_path_buf(),
        dir,
        repo_root,
        loaded,
    })
}

fn not_an_item(source: &Arc<SourceFile>, root: &sheet::yaml::Node, records: bool) -> Finding {
    let what = if records { "a record" } else { "an incident" };
    Finding::new(
        "schema",
        Severity::Error,
        format!(
            "this file should hold {what} (a map) or a list of them, found {}",
            root.type_name()
        ),
    )
    .at(source, "", Some(root.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_refused() {
        let tmp = std::env::temp_dir();
        assert!(inside_repo(&tmp, "../x", &tmp).is_err());
        assert!(inside_repo(&tmp, "/etc", &tmp).is_err());
        assert!(inside_repo(&tmp, "a/../b", &tmp).is_ok());
    }

    #[test]
    fn sheet_names() {
        assert!(is_sheet_name("governance.yaml"));
        assert!(is_sheet_name("shop.governance.yaml"));
        assert!(!is_sheet_name("governance.json"));
    }
}
