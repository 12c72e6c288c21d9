//! The one door to the file system for the files a run reads and writes. Every input (the
//! sheet, `records_dir` / `incidents_dir` files, policy packs, `--files-from`, verify's
//! captures and orders) is opened by [`open_input`] or [`read_input`]: links are resolved,
//! anything but a regular file is refused before it is opened (a FIFO never blocks the run, a
//! device never streams into it), a file outside the allowed root is refused, and no read goes
//! past the limit whatever size the file system reports. Every output goes through
//! [`write_output`] (replace atomically, never onto an input of the run) or [`create_new`]
//! (never overwrite). Errors name the path; they are exit 2.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use super::CliError;
use crate::sheet::yaml::human_bytes;

/// The identity of a file: device and inode where the platform has them, else its real path.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Identity {
    real: PathBuf,
    #[cfg(unix)]
    dev_ino: (u64, u64),
}

impl Identity {
    fn of(real: &Path, meta: &std::fs::Metadata) -> Self {
        #[cfg(not(unix))]
        let _ = meta;
        Identity {
            real: real.to_path_buf(),
            #[cfg(unix)]
            dev_ino: {
                use std::os::unix::fs::MetadataExt;
                (meta.dev(), meta.ino())
            },
        }
    }

    fn same(&self, other: &Identity) -> bool {
        #[cfg(unix)]
        if self.dev_ino == other.dev_ino {
            return true;
        }
        self.real == other.real
    }
}

/// Every file this process opened as an input, so no output of the run lands on one: by
/// device and inode, and by real path (a file is an input when either matches). Sets, not a
/// list: a `records_dir` of 10,000 files made the scan of a list 75% of the run.
#[derive(Default)]
struct Inputs {
    #[cfg(unix)]
    dev_ino: std::collections::HashSet<(u64, u64)>,
    real: std::collections::HashSet<PathBuf>,
}

impl Inputs {
    fn contains(&self, id: &Identity) -> bool {
        #[cfg(unix)]
        if self.dev_ino.contains(&id.dev_ino) {
            return true;
        }
        self.real.contains(&id.real)
    }
}

static INPUTS: Mutex<Option<Inputs>> = Mutex::new(None);

fn remember(id: Identity) {
    let mut inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    let inputs = inputs.get_or_insert_with(Inputs::default);
    if !inputs.contains(&id) {
        #[cfg(unix)]
        inputs.dev_ino.insert(id.dev_ino);
        inputs.real.insert(id.real);
    }
}

fn is_input(id: &Identity) -> bool {
    let inputs = INPUTS.lock().unwrap_or_else(|e| e.into_inner());
    inputs.as_ref().is_some_and(|i| i.contains(id))
}

fn err(path: &Path, message: impl Into<String>) -> CliError {
    CliError::file(path.display().to_string(), message)
}

/// Kernel file systems whose files say they are regular but are generated on read (their
/// size is 0, their content may be a process's environment).
fn is_virtual(real: &Path) -> bool {
    real.starts_with("/proc") || real.starts_with("/sys") || real.starts_with("/dev")
}

/// Open `path` for reading as an input of the run: it must be (or link to) a regular file,
/// inside `inside` when given (the real path, after links), and not a kernel file.
pub fn open_input(path: &Path, inside: Option<&Path>) -> Result<File, CliError> {
    open_metered(path, inside).map(|(file, _)| file)
}

/// [`open_input`], with the size the opened file reports.
fn open_metered(path: &Path, inside: Option<&Path>) -> Result<(File, u64), CliError> {
    let real = path.canonicalize().map_err(|e| err(path, io_message(&e)))?;
    if let Some(root) = inside {
        let root = root.canonicalize().map_err(|e| err(root, io_message(&e)))?;
        if !real.starts_with(&root) {
            return Err(err(
                path,
                format!(
                    "is a link to a file outside the repository ({}); only files inside it are read",
                    root.display()
                ),
            ));
        }
    }
    let meta = std::fs::metadata(&real).map_err(|e| err(path, io_message(&e)))?;
    open_real(path, real, &meta)
}

/// Open `real`, the real path of `path` whose metadata (links followed) is `meta`: refused
/// unless a regular file, not a kernel file, and still the same file once opened.
fn open_real(
    path: &Path,
    real: PathBuf,
    meta: &std::fs::Metadata,
) -> Result<(File, u64), CliError> {
    if meta.is_dir() {
        return Err(err(path, "is a folder, not a file"));
    }
    if !meta.is_file() || is_virtual(&real) {
        return Err(err(
            path,
            "is not a regular file (a FIFO, a device, a socket or a kernel file); only regular files are read",
        ));
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Should the file be swapped for a FIFO after the check, opening still returns at once.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(&real).map_err(|e| err(path, io_message(&e)))?;
    let opened = file.metadata().map_err(|e| err(path, io_message(&e)))?;
    let id = Identity::of(&real, &opened);
    if !opened.is_file() || !id.same(&Identity::of(&real, meta)) {
        return Err(err(path, "changed while it was being opened; run again"));
    }
    remember(id);
    Ok((file, opened.len()))
}

/// The files of one folder read as inputs (`records_dir`, `incidents_dir`): the folder and the
/// root are resolved once, not once per file. A file that is not plainly a regular file in
/// the folder (a link, anything else, or a folder that did not resolve) goes through
/// [`read_input`], so every refusal and its message is the same as one file at a time.
pub struct InputFolder {
    folder: PathBuf,
    root: PathBuf,
    /// The folder's real path, when it is inside the root's real path.
    real: Option<PathBuf>,
}

impl InputFolder {
    pub fn new(folder: &Path, root: &Path) -> Self {
        let real = folder
            .canonicalize()
            .ok()
            .zip(root.canonicalize().ok())
            .filter(|(f, r)| f.starts_with(r))
            .map(|(f, _)| f);
        Self {
            folder: folder.to_path_buf(),
            root: root.to_path_buf(),
            real,
        }
    }

    /// [`read_input`] of `path`, a file of the folder, inside the root.
    pub fn read(&self, path: &Path, limit: usize) -> Result<Vec<u8>, CliError> {
        let plain = || {
            let real = self.real.as_ref()?;
            let name = path.file_name()?;
            if path.parent() != Some(self.folder.as_path()) {
                return None;
            }
            // Not following links: a link goes the long way.
            let meta = std::fs::symlink_metadata(path).ok()?;
            meta.is_file().then(|| (real.join(name), meta))
        };
        let Some((real, meta)) = plain() else {
            return read_input(path, Some(&self.root), limit);
        };
        let (file, reported) = open_real(path, real, &meta)?;
        read_opened(path, file, reported, limit)
    }
}

/// Read an input whole, refusing more than `limit` bytes whatever the file system reports.
pub fn read_input(path: &Path, inside: Option<&Path>, limit: usize) -> Result<Vec<u8>, CliError> {
    let (file, reported) = open_metered(path, inside)?;
    read_opened(path, file, reported, limit)
}

fn read_opened(path: &Path, file: File, reported: u64, limit: usize) -> Result<Vec<u8>, CliError> {
    if reported > limit as u64 {
        return Err(err(
            path,
            format!(
                "the file is {}; the limit is {}",
                human_bytes(usize::try_from(reported).unwrap_or(usize::MAX)),
                human_bytes(limit)
            ),
        ));
    }
    // The reported size is not trusted (a kernel file says 0): the read itself stops. It only
    // sizes the buffer, so that a file is read in one call.
    let capacity = usize::try_from(reported).unwrap_or(limit).min(limit) + 1;
    read_capped(file, limit, capacity).map_err(|e| match e {
        Capped::TooLarge => too_large(path, limit),
        Capped::Io(e) => err(path, io_message(&e)),
    })
}

/// Read standard input whole (`-`), with the same limit.
pub fn read_stdin(limit: usize) -> Result<Vec<u8>, CliError> {
    read_capped(std::io::stdin().lock(), limit, 0).map_err(|e| match e {
        Capped::TooLarge => too_large(Path::new("<stdin>"), limit),
        Capped::Io(e) => err(Path::new("<stdin>"), io_message(&e)),
    })
}

fn too_large(path: &Path, limit: usize) -> CliError {
    err(
        path,
        format!(
            "the file is larger than the limit; the limit is {}",
            human_bytes(limit)
        ),
    )
}

enum Capped {
    TooLarge,
    Io(std::io::Error),
}

fn read_capped(reader: impl Read, limit: usize, capacity: usize) -> Result<Vec<u8>, Capped> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Capped::Io)?;
    if bytes.len() > limit {
        return Err(Capped::TooLarge);
    }
    Ok(bytes)
}

/// Resolve `rel` (written in the sheet) against `base`, refusing absolute paths and anything
/// that leaves `repo`, lexically or through a symlink, including the parts that do not exist
/// yet (a dangling link in the path is refused: creating through it would write elsewhere).
pub fn inside_repo(base: &Path, rel: &str, repo: &Path) -> Result<PathBuf, String> {
    let relp = Path::new(rel);
    if relp.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') || relp.has_root() {
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
    let real_repo = repo_abs.canonicalize().map_err(|e| io_message(&e))?;
    if real_path(&joined)?.starts_with(&real_repo) {
        Ok(joined)
    } else {
        Err(format!("`{rel}` follows a symlink out of the repository"))
    }
}

/// The real path of `p` (absolute, normalised): the longest part that exists, resolved, then
/// the rest as written. A part that is a link to nothing is refused.
fn real_path(p: &Path) -> Result<PathBuf, String> {
    let mut existing = p.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(real) => {
                let mut out = real;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => {
                if std::fs::symlink_metadata(&existing).is_ok() {
                    return Err(format!(
                        "{} is a link to something that does not exist",
                        existing.display()
                    ));
                }
                match (existing.file_name(), existing.parent()) {
                    (Some(name), Some(parent)) => {
                        rest.push(name.to_os_string());
                        existing = parent.to_path_buf();
                    }
                    _ => return Err(format!("{} cannot be resolved", p.display())),
                }
            }
        }
    }
}

/// Create `folder` (already checked by [`inside_repo`]) one level at a time, then check again
/// that what exists now is inside `repo`.
pub fn create_dir_inside(folder: &Path, repo: &Path) -> Result<(), CliError> {
    let mut at = PathBuf::new();
    for c in folder.components() {
        at.push(c.as_os_str());
        if !matches!(c, Component::Normal(_)) {
            continue;
        }
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => continue,
            Ok(m) if m.file_type().is_symlink() => {
                if !at.is_dir() {
                    return Err(err(&at, "is a link to something that is not a folder"));
                }
            }
            Ok(_) => return Err(err(&at, "exists and is not a folder")),
            // One level at a time, each checked above: `create_dir_all` would follow a link
            // made between the check and the call.
            #[allow(clippy::create_dir, reason = "one checked level at a time, see above")]
            Err(_) => match std::fs::create_dir(&at) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && at.is_dir() => {}
                Err(e) => return Err(err(&at, io_message(&e))),
            },
        }
    }
    let real = folder
        .canonicalize()
        .map_err(|e| err(folder, io_message(&e)))?;
    let real_repo = repo.canonicalize().map_err(|e| err(repo, io_message(&e)))?;
    if !real.starts_with(&real_repo) {
        return Err(err(folder, "is outside the repository"));
    }
    Ok(())
}

/// Where a write to `path` lands: the file a link points to, refused when it is an input of
/// the run or not a regular file.
fn write_target(path: &Path) -> Result<PathBuf, CliError> {
    let target = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(err(path, io_message(&e))),
        Ok(_) => {
            let real = path.canonicalize().map_err(|_| {
                err(
                    path,
                    "is a link to something that does not exist; write to a plain file",
                )
            })?;
            let meta = std::fs::metadata(&real).map_err(|e| err(path, io_message(&e)))?;
            if !meta.is_file() {
                return Err(err(
                    path,
                    "is not a regular file; leave out -o to write to standard output",
                ));
            }
            if is_input(&Identity::of(&real, &meta)) {
                return Err(err(
                    path,
                    "is an input of this run (the sheet, a record, a pack or a capture); write the output to another file",
                ));
            }
            real
        }
    };
    // The folder may itself be reached through a link to an input's folder: the file name is
    // what matters, and a new name is no input.
    Ok(target)
}

fn temp_in(target: &Path) -> Result<tempfile::NamedTempFile, CliError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".govsheet-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Like any new file: 0666 less the umask (the kernel applies it at creation).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
        .tempfile_in(dir)
        .map_err(|e| err(target, io_message(&e)))
}

fn fill(tmp: &mut tempfile::NamedTempFile, bytes: &[u8], target: &Path) -> Result<(), CliError> {
    tmp.write_all(bytes)
        .and_then(|()| tmp.flush())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| err(target, format!("cannot write: {}", io_message(&e))))
}

/// Write an output file (`-o`, `--output`): never onto an input of the run (by path or by
/// identity, through links), through a temporary file in the same folder renamed over the
/// target, so a failed write leaves the previous file whole.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let target = write_target(path)?;
    let mut tmp = temp_in(&target)?;
    if let Ok(meta) = std::fs::metadata(&target) {
        // Keep the mode of the file being replaced.
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    fill(&mut tmp, bytes, path)?;
    tmp.persist(&target)
        .map_err(|e| err(path, io_message(&e.error)))?;
    Ok(())
}

/// Replace a file the command edits on purpose (`incident resolve` rewrites its incident):
/// the same temporary file and rename as [`write_output`], the mode kept, but the file may be
/// an input of the run. `path` must be a regular file, not a link (the caller checks).
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut tmp = temp_in(path)?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    fill(&mut tmp, bytes, path)?;
    tmp.persist(path)
        .map_err(|e| err(path, io_message(&e.error)))?;
    Ok(())
}

/// Write a NEW file: `Ok(false)` when `path` already exists (nothing is written), never
/// overwriting it; the content appears whole or not at all.
pub fn create_new(path: &Path, bytes: &[u8]) -> Result<bool, CliError> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Ok(false);
    }
    let mut tmp = temp_in(path)?;
    fill(&mut tmp, bytes, path)?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(err(path, io_message(&e.error))),
    }
}

pub fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Lexically normalise a path (drop `.`, fold `..`), without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // `..` folds a name before it, never another `..` (`../..` stays two levels
                // up) nor the root.
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stop_at_the_limit_whatever_the_size_says() {
        assert!(matches!(
            read_capped(std::io::repeat(0), 10, 0),
            Err(Capped::TooLarge)
        ));
        assert_eq!(
            read_capped(&b"0123456789"[..], 10, 0).ok().unwrap().len(),
            10
        );
        assert_eq!(
            read_capped(&b"0123456789"[..], 10, 11).ok().unwrap().len(),
            10
        );
    }

    #[test]
    fn devices_and_folders_are_refused() {
        let e = read_input(Path::new("/dev/zero"), None, 10).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let e = read_input(&std::env::temp_dir(), None, 10).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
    }

    #[test]
    fn outputs_never_land_on_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.yaml");
        std::fs::write(&input, "a: 1\n").unwrap();
        read_input(&input, Some(dir.path()), 100).unwrap();
        assert!(write_output(&input, b"x").is_err());
        let out = dir.path().join("out.md");
        write_output(&out, b"one").unwrap();
        write_output(&out, b"two").unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
        assert!(!create_new(&out, b"three").unwrap());
        assert!(create_new(&dir.path().join("new.yaml"), b"new").unwrap());
        assert_eq!(std::fs::read(&out).unwrap(), b"two");
    }

    /// The folder reader gives every file the answer `read_input` gives it, refusals and
    /// their messages included, and remembers what it read as inputs.
    #[cfg(unix)]
    #[test]
    fn a_folder_of_inputs_reads_like_one_file_at_a_time() {
        let repo = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let records = repo.path().join("records");
        std::fs::create_dir_all(&records).unwrap();
        std::fs::write(records.join("a.yaml"), "a: 1\n").unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "s: 1\n").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            records.join("link.yaml"),
        )
        .unwrap();
        std::os::unix::fs::symlink(records.join("a.yaml"), records.join("inner.yaml")).unwrap();
        std::fs::create_dir_all(records.join("dir.yaml")).unwrap();
        let fifo = records.join("fifo.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        std::fs::write(records.join("big.yaml"), "x".repeat(50)).unwrap();
        let folder = InputFolder::new(&records, repo.path());
        let mut names = vec![
            "a.yaml",
            "link.yaml",
            "inner.yaml",
            "dir.yaml",
            "big.yaml",
            "none.yaml",
        ];
        if made.is_ok_and(|s| s.success()) {
            names.push("fifo.yaml");
        }
        for name in names {
            let path = records.join(name);
            let one = read_input(&path, Some(repo.path()), 20).map_err(|e| e.to_string());
            let many = folder.read(&path, 20).map_err(|e| e.to_string());
            assert_eq!(one, many, "{name}");
        }
        assert_eq!(folder.read(&records.join("a.yaml"), 20).unwrap(), b"a: 1\n");
        let e = write_output(&records.join("a.yaml"), b"x").unwrap_err();
        assert!(e.to_string().contains("is an input of this run"), "{e}");
        // A folder that resolves outside the root: every file the long way, refused there.
        let away = InputFolder::new(outside.path(), repo.path());
        let e = away
            .read(&outside.path().join("secret.yaml"), 20)
            .unwrap_err();
        assert!(e.to_string().contains("outside the repository"), "{e}");
    }

    #[test]
    fn inside_repo_refuses_escapes() {
        let tmp = std::env::temp_dir();
        assert!(inside_repo(&tmp, "../x", &tmp).is_err());
        assert!(inside_repo(&tmp, "/etc", &tmp).is_err());
        assert!(inside_repo(&tmp, "a/../b", &tmp).is_ok());
    }
}
