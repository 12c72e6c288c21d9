//! Finding and reading sheets on disk: which files to check, where the repository root is,
//! and the records and incidents kept one per file in `records_dir` / `incidents_dir`.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::CliError;
use crate::sheet::items::{Item, keep_root, load_item};
use crate::sheet::{self, Loaded};

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
            // A linked sheet is checked when it stays inside the repository (or the folder
            // walked, outside one), and stops the run when it does not: never skipped quietly.
            let allowed = git_root(p).unwrap_or_else(|| p.clone());
            for entry in walker {
                let entry =
                    entry.map_err(|e| CliError::file(p.display().to_string(), e.to_string()))?;
                if !is_sheet_name(&entry.file_name().to_string_lossy()) {
                    continue;
                }
                if entry.file_type().is_file() {
                    out.push(entry.into_path());
                } else if entry.file_type().is_symlink() {
                    let path = entry.into_path();
                    let target = path.canonicalize().map_err(|e| {
                        CliError::file(
                            path.display().to_string(),
                            format!(
                                "is a link to a sheet that cannot be read: {}",
                                io_message(&e)
                            ),
                        )
                    })?;
                    let root = allowed.canonicalize().map_err(|e| {
                        CliError::file(allowed.display().to_string(), io_message(&e))
                    })?;
                    if !target.starts_with(&root) {
                        return Err(CliError::file(
                            path.display().to_string(),
                            format!(
                                "is a link to a sheet outside the repository ({}); check that file where it lives",
                                root.display()
                            ),
                        ));
                    }
                    if target.is_file() {
                        out.push(path);
                    }
                } else if !entry.file_type().is_dir() {
                    // A FIFO, a socket or a device named like a sheet: never skipped quietly.
                    return Err(CliError::file(
                        entry.path().display().to_string(),
                        "is not a regular file (a FIFO, a device or a socket); only regular files are read",
                    ));
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

/// Read a sheet given on the command line (any regular file), with the size limit.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, CliError> {
    super::fsio::read_input(path, None, sheet::yaml::MAX_FILE_BYTES)
}

/// The git repository root containing `dir` (a folder with `.git`), if any.
pub fn git_root(dir: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(dir).ok()?;
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
}

/// A file (as findings name it, relative to the working folder or absolute) as a path relative
/// to `repo_root` with `/` separators; `None` when it is not inside it.
pub fn repo_relative(file: &str, repo_root: &Path) -> Option<String> {
    let file = normalize(&std::path::absolute(file).ok()?);
    let root = normalize(&std::path::absolute(repo_root).ok()?);
    let rel = file.strip_prefix(&root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    (!parts.is_empty()).then(|| parts.join("/"))
}

pub use super::fsio::{inside_repo, io_message, normalize};

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
        if let Some(root) = &sheet.root_dir
            && let Err(why) = inside_repo(&dir, &root.value, &repo_root)
        {
            let loc = sheet.source.location(root.span.start);
            return Err(CliError::file(
                format!("{name}:{}:{}", loc.line, loc.column),
                format!("root: {why}"),
            ));
        }
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
            let files = yaml_files(&folder)?;
            let inputs = super::fsio::InputFolder::new(&folder, &repo_root);
            let loaded_files = parallel_map(&files, |file| {
                let display = display_path(&rel_display, file, &folder);
                inputs
                    .read(file, sheet::yaml::MAX_FILE_BYTES)
                    .map_err(|e| match e {
                        CliError::File { message, .. } => CliError::file(&display, message),
                        other => other,
                    })
                    .map(|bytes| load_item(&display, bytes, is_records))
            })?;
            for item in loaded_files {
                match item {
                    Item::Records(records, findings, root) => {
                        keep_root(sheet, records.first().map(|r| &r.source), root);
                        sheet.records.extend(records);
                        extra.extend(findings);
                    }
                    Item::Incidents(incidents, findings, root) => {
                        keep_root(sheet, incidents.first().map(|i| &i.source), root);
                        sheet.incidents.extend(incidents);
                        extra.extend(findings);
                    }
                    Item::Refused(finding) => extra.push(*finding),
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

/// Files per thread below which `parallel_map` stays on one thread.
const FILES_PER_THREAD: usize = 32;

/// `f` over every file, on as many threads as there are cores (a `records_dir` of 10,000
/// files is mostly YAML parsing), results in the files' order. The first error in that order
/// wins, as it would one file at a time.
fn parallel_map<T: Send>(
    files: &[PathBuf],
    f: impl Fn(&Path) -> Result<T, CliError> + Sync,
) -> Result<Vec<T>, CliError> {
    // Asking for the cores reads cgroup files: only worth it when there is work to share.
    let threads = match files.len() / FILES_PER_THREAD {
        0 | 1 => 1,
        wanted => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(wanted),
    };
    if threads == 1 {
        return files.iter().map(|p| f(p)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    let f = &f;
    let parts: Vec<Result<Vec<T>, CliError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| f(p)).collect()))
            .collect();
        handles
            .into_iter()
            // A panic on a worker is a panic here, as it would be on one thread.
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out = Vec::with_capacity(files.len());
    for part in parts {
        out.extend(part?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_the_order_and_the_first_error() {
        let files: Vec<PathBuf> = (0..500).map(|i| PathBuf::from(format!("{i}"))).collect();
        let index = |p: &Path| p.to_str().unwrap().parse::<usize>().unwrap();
        let all = parallel_map(&files, |p| Ok(index(p))).unwrap();
        assert_eq!(all, (0..500).collect::<Vec<_>>());
        let err = parallel_map(&files, |p| match index(p) {
            i @ (150 | 470) => Err(CliError::file(i.to_string(), "unreadable")),
            i => Ok(i),
        })
        .unwrap_err();
        assert!(err.to_string().starts_with("150:"), "{err}");
        assert!(parallel_map(&[], |_| Ok(())).unwrap().is_empty());
    }

    #[test]
    fn repo_relative_paths_use_slashes() {
        let root = std::env::temp_dir().join("gs-repo");
        let file = root.join("shop").join("a b.governance.yaml");
        assert_eq!(
            repo_relative(&file.display().to_string(), &root).as_deref(),
            Some("shop/a b.governance.yaml")
        );
        let outside = std::env::temp_dir().join("elsewhere.yaml");
        assert_eq!(repo_relative(&outside.display().to_string(), &root), None);
    }

    #[test]
    fn normalize_never_returns_an_empty_path() {
        assert_eq!(normalize(Path::new("./.")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../../.")), PathBuf::from("../.."));
        assert_eq!(normalize(Path::new("/..")), PathBuf::from("/"));
    }

    #[test]
    fn sheet_names() {
        assert!(is_sheet_name("governance.yaml"));
        assert!(is_sheet_name("shop.governance.yaml"));
        assert!(!is_sheet_name("governance.json"));
    }
}
