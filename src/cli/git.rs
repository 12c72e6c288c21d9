//! Git as a child process with arguments (never through a shell), run in the sheet's repository:
//! the changed paths of a range or of the index, the first-parent chain of a range with what
//! each commit changed, tree listings and blob contents. Every call that lists changes passes
//! `--ignore-submodules=none` and `--no-renames`, whatever the git configuration says. Every
//! git failure is a [`CliError`] (exit 2); nothing here falls back to another comparison.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::CliError;
use crate::retest::history::{Commit, Object, PathChange};

/// The options of every git call that lists changes: NUL-separated, renames off (a rename is
/// its old and its new path), submodule changes always included, paths from the top folder,
/// no colour, no external diff or text conversion (whatever `color.ui`, `diff.renames`,
/// `diff.ignoreSubmodules`, `diff.relative` or `diff.external` say).
const LIST_CHANGES: [&str; 7] = [
    "-z",
    "--no-color",
    "--no-renames",
    "--ignore-submodules=none",
    "--no-relative",
    "--no-ext-diff",
    "--no-textconv",
];

/// A git repository found from a folder inside it.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The folder git runs in.
    dir: PathBuf,
    /// The work tree's top-level folder (git's canonical path); diff paths are relative to it.
    pub top: PathBuf,
}

const FETCH_HELP: &str = "fetch the history: `git fetch --unshallow` (or, in GitHub Actions, `actions/checkout` with `fetch-depth: 0`)";

fn not_found_help() -> String {
    "git was not found on PATH: install git, or pass the changed files as arguments or with --files-from".into()
}

/// Refuse a revision that git would read as an option.
fn check_rev(rev: &str, flag: &str) -> Result<(), CliError> {
    if rev.is_empty() || rev.starts_with('-') {
        return Err(CliError::Usage(format!(
            "{flag}: `{rev}` is not a revision (write a branch, tag or commit, e.g. origin/main)"
        )));
    }
    Ok(())
}

impl Repo {
    /// The repository containing `dir`; not a repository is an error that says what to pass instead.
    pub fn open(dir: &Path) -> Result<Repo, CliError> {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir.to_path_buf()
        };
        let out = run_git(&dir, ["rev-parse", "--show-toplevel"])?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            let message = if err.contains("not a git repository") {
                "not a git repository: run govsheet retests inside the repository, or pass the changed files as arguments or with --files-from".to_owned()
            } else {
                format!("git rev-parse failed: {}", first_lines(&err))
            };
            return Err(CliError::file(dir.display().to_string(), message));
        }
        let top = String::from_utf8_lossy(&out.stdout)
            .trim_end_matches(['\n', '\r'])
            .to_owned();
        if top.is_empty() {
            return Err(CliError::file(
                dir.display().to_string(),
                "not inside a git work tree (a bare repository has no files to compare)",
            ));
        }
        Ok(Repo {
            dir,
            top: PathBuf::from(top),
        })
    }

    fn name(&self) -> String {
        self.top.display().to_string()
    }

    /// Run git here; a non-zero exit is an error naming what git said.
    fn git<I, S>(&self, args: I) -> Result<Vec<u8>, CliError>
    where
        I: IntoIterator<Item = S> + Clone,
        S: AsRef<OsStr>,
    {
        let out = run_git(&self.dir, args.clone())?;
        if !out.status.success() {
            // The command and its revisions (not the `-c` settings nor the options), so that the
            // message names what git was asked about.
            let all: Vec<String> = args
                .into_iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect();
            let mut what: Vec<&str> = Vec::new();
            let mut i = 0;
            while i < all.len() {
                match all[i].as_str() {
                    "-c" => i += 1,
                    "--" => break,
                    a if a.starts_with('-') && !what.is_empty() => {}
                    a => what.push(a),
                }
                i += 1;
            }
            return Err(CliError::file(
                self.name(),
                format!(
                    "git {} failed: {}",
                    what.join(" "),
                    first_lines(&String::from_utf8_lossy(&out.stderr))
                ),
            ));
        }
        Ok(out.stdout)
    }

    /// The commit a revision names; an unknown revision is an error that names it.
    pub fn commit(&self, rev: &str, flag: &str) -> Result<String, CliError> {
        check_rev(rev, flag)?;
        let spec = format!("{rev}^{{commit}}");
        let out = run_git(&self.dir, ["rev-parse", "--verify", "--quiet", &spec])?;
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if !out.status.success() || sha.is_empty() {
            let shallow = if self.is_shallow()? {
                format!(" (this is a shallow clone: {FETCH_HELP})")
            } else {
                String::new()
            };
            return Err(CliError::file(
                self.name(),
                format!(
                    "{flag}: unknown revision `{rev}`: no branch, tag or commit of that name{shallow}"
                ),
            ));
        }
        Ok(sha)
    }

    pub fn is_shallow(&self) -> Result<bool, CliError> {
        let out = self.git(["rev-parse", "--is-shallow-repository"])?;
        Ok(String::from_utf8_lossy(&out).trim() == "true")
    }

    /// The merge base of two commits; none is an error (a shallow clone says how to fetch more).
    pub fn merge_base(
        &self,
        a: &str,
        b: &str,
        a_name: &str,
        b_name: &str,
    ) -> Result<String, CliError> {
        let out = run_git(&self.dir, ["merge-base", a, b])?;
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if out.status.success() && !sha.is_empty() {
            return Ok(sha);
        }
        if out.status.code() != Some(1) {
            return Err(CliError::file(
                self.name(),
                format!(
                    "git merge-base failed: {}",
                    first_lines(&String::from_utf8_lossy(&out.stderr))
                ),
            ));
        }
        let message = if self.is_shallow()? {
            format!(
                "no merge base between `{a_name}` and `{b_name}`: this is a shallow clone and the common history was not fetched; {FETCH_HELP}"
            )
        } else {
            format!(
                "no merge base between `{a_name}` and `{b_name}`: they share no history; compare against a branch this one was made from"
            )
        };
        Err(CliError::file(self.name(), message))
    }

    /// Paths changed between two commits (renames off: a rename is its old and its new path).
    pub fn diff(&self, from: &str, to: &str) -> Result<Vec<String>, CliError> {
        let mut args = vec!["diff", "--name-status"];
        args.extend(LIST_CHANGES);
        args.extend([from, to, "--"]);
        Ok(parse_name_status(&self.git(args)?))
    }

    /// What the index changes against HEAD (against nothing before the first commit), with
    /// the objects on both sides.
    pub fn staged_changes(&self) -> Result<Vec<PathChange>, CliError> {
        let mut args = vec!["diff", "--cached", "--raw", "--no-abbrev"];
        args.extend(LIST_CHANGES);
        args.push("--");
        let out = self.git(args)?;
        parse_raw(&out).map_err(|why| self.unreadable("git diff --cached", &why))
    }

    /// The first-parent chain of `head` back to `base` (exclusive; `None`: back to the root),
    /// oldest first, each commit with its committer date and what it changed against its first
    /// parent (a merge: everything it brought in). One `git log` for the whole range.
    pub fn first_parent_chain(
        &self,
        base: Option<&str>,
        head: &str,
    ) -> Result<Vec<Commit>, CliError> {
        let range = match base {
            Some(b) => format!("{b}..{head}"),
            None => head.to_owned(),
        };
        let mut args = vec![
            "-c",
            "log.showSignature=false",
            "log",
            "--first-parent",
            "--diff-merges=first-parent",
            "--root",
            "--raw",
            "--no-abbrev",
            "--format=%x01%H %cs",
        ];
        args.extend(LIST_CHANGES);
        args.extend([range.as_str(), "--"]);
        let out = self.git(args)?;
        let mut commits = parse_log_raw(&out)
            .map_err(|why| self.unreadable(&format!("git log {range}"), &why))?;
        commits.reverse();
        Ok(commits)
    }

    /// The entries of a commit's tree at `paths` (a folder as `dir/`: its direct entries).
    pub fn ls_tree(&self, commit: &str, paths: &[&str]) -> Result<Vec<TreeEntry>, CliError> {
        let mut args = vec!["ls-tree", "-z", "--full-tree", commit, "--"];
        args.extend(paths);
        let out = self.git(args)?;
        parse_ls_tree(&out).map_err(|why| self.unreadable(&format!("git ls-tree {commit}"), &why))
    }

    /// The entries of the index under `paths` (stage 0 only: an unmerged path is not staged).
    pub fn ls_index(&self, paths: &[&str]) -> Result<Vec<TreeEntry>, CliError> {
        // Paths from the top folder, taken literally (git runs in the sheet's folder).
        let specs: Vec<String> = paths
            .iter()
            .map(|p| match p.strip_suffix('/').unwrap_or(p) {
                "." | "" => ":(top)".to_owned(),
                p => format!(":(top,literal){p}"),
            })
            .collect();
        let mut args = vec!["ls-files", "-s", "-z", "--full-name", "--"];
        args.extend(specs.iter().map(String::as_str));
        let out = self.git(args)?;
        parse_ls_files(&out).map_err(|why| self.unreadable("git ls-files -s", &why))
    }

    /// HEAD's commit, or `None` before the first commit.
    pub fn head(&self) -> Result<Option<String>, CliError> {
        let out = run_git(
            &self.dir,
            ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"],
        )?;
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Ok((out.status.success() && !sha.is_empty()).then_some(sha))
    }

    /// A reader of object contents (one `git cat-file --batch` for the whole run).
    pub fn objects(&self) -> Result<Objects, CliError> {
        let mut child = Command::new("git")
            .args(["--no-pager", "cat-file", "--batch"])
            .current_dir(&self.dir)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    CliError::file(self.name(), not_found_help())
                } else {
                    CliError::file(self.name(), format!("cannot run git cat-file: {e}"))
                }
            })?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().map(BufReader::new);
        match (stdin, stdout) {
            (Some(stdin), Some(stdout)) => Ok(Objects {
                child,
                stdin,
                stdout,
                repo: self.name(),
            }),
            _ => Err(CliError::file(self.name(), "cannot talk to git cat-file")),
        }
    }

    fn unreadable(&self, what: &str, why: &str) -> CliError {
        CliError::file(
            self.name(),
            format!("cannot read the output of {what}: {why}"),
        )
    }
}

/// One entry of a tree or of the index: mode, object id and path from the top folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub object: Object,
    pub path: String,
}

/// `git cat-file --batch`, kept open: one process reads every blob of a run.
pub struct Objects {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    repo: String,
}

impl Objects {
    /// The contents of a blob; `what` names it in the error ("records/a.yaml at HEAD").
    pub fn blob(&mut self, id: &str, what: &str) -> Result<Vec<u8>, CliError> {
        let fail = |why: String| {
            CliError::file(
                self.repo.clone(),
                format!("cannot read {what} (object {id}): {why}"),
            )
        };
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(fail("not an object id".into()));
        }
        writeln!(self.stdin, "{id}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| fail(format!("git cat-file stopped: {e}")))?;
        let mut header = String::new();
        self.stdout
            .read_line(&mut header)
            .map_err(|e| fail(format!("git cat-file stopped: {e}")))?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        let size = match fields.as_slice() {
            [_, "blob", size] => size
                .parse::<usize>()
                .map_err(|_| fail(format!("unexpected answer `{}`", header.trim())))?,
            [_, "missing"] => return Err(fail("the object is missing from the repository".into())),
            [_, kind, _] => return Err(fail(format!("a {kind}, not a file"))),
            _ if header.is_empty() => return Err(fail("git cat-file stopped".into())),
            _ => return Err(fail(format!("unexpected answer `{}`", header.trim()))),
        };
        if size > crate::sheet::yaml::MAX_FILE_BYTES {
            return Err(fail(format!(
                "{size} bytes, more than the {} a file may have",
                crate::sheet::yaml::MAX_FILE_BYTES
            )));
        }
        let mut data = vec![0; size + 1];
        self.stdout
            .read_exact(&mut data)
            .map_err(|e| fail(format!("git cat-file stopped: {e}")))?;
        data.pop();
        Ok(data)
    }
}

impl Drop for Objects {
    fn drop(&mut self) {
        // Closing stdin ends cat-file; wait for it so no zombie is left.
        let _ = self.stdin.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run_git<I, S>(dir: &Path, args: I) -> Result<std::process::Output, CliError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new("git")
        .arg("--no-pager")
        .args(args)
        .current_dir(dir)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_EXTERNAL_DIFF")
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                CliError::file(dir.display().to_string(), not_found_help())
            } else {
                CliError::file(dir.display().to_string(), format!("cannot run git: {e}"))
            }
        })
}

fn first_lines(s: &str) -> String {
    let lines: Vec<&str> = s
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(3)
        .collect();
    if lines.is_empty() {
        "no message".into()
    } else {
        lines.join("; ")
    }
}

/// Parse `git diff --name-status -z`: `STATUS\0PATH\0`, with two paths for R/C entries.
pub fn parse_name_status(out: &[u8]) -> Vec<String> {
    let mut tokens = out.split(|&b| b == 0);
    let mut paths = Vec::new();
    while let Some(status) = tokens.next() {
        if status.is_empty() {
            continue;
        }
        let n = if matches!(status.first(), Some(b'R' | b'C')) {
            2
        } else {
            1
        };
        for _ in 0..n {
            if let Some(p) = tokens.next().filter(|p| !p.is_empty()) {
                paths.push(String::from_utf8_lossy(p).into_owned());
            }
        }
    }
    paths
}

fn object(mode: &[u8], id: &[u8]) -> Result<Option<Object>, String> {
    let mode_text = std::str::from_utf8(mode).map_err(|_| "a mode that is not text".to_owned())?;
    let mode = u32::from_str_radix(mode_text, 8).map_err(|_| format!("mode `{mode_text}`"))?;
    let id = std::str::from_utf8(id).map_err(|_| "an object id that is not text".to_owned())?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("object id `{id}`"));
    }
    // A side that does not exist is mode 0 with the null id.
    Ok(
        (mode != 0 && id.bytes().any(|b| b != b'0')).then(|| Object {
            mode,
            id: id.to_owned(),
        }),
    )
}

/// One `--raw -z` entry: `:OLDMODE NEWMODE OLDID NEWID STATUS` then the path token.
fn raw_entry(meta: &[u8], path: &[u8]) -> Result<PathChange, String> {
    let meta = meta.strip_prefix(b"\n").unwrap_or(meta);
    let meta = meta
        .strip_prefix(b":")
        .ok_or_else(|| format!("`{}` is not a change", String::from_utf8_lossy(meta)))?;
    let fields: Vec<&[u8]> = meta.split(|&b| b == b' ').collect();
    let [old_mode, new_mode, old_id, new_id, _status] = fields.as_slice() else {
        return Err(format!(
            "`{}` is not a change",
            String::from_utf8_lossy(meta)
        ));
    };
    Ok(PathChange {
        path: String::from_utf8_lossy(path).into_owned(),
        old: object(old_mode, old_id)?,
        new: object(new_mode, new_id)?,
    })
}

/// Parse `git diff --raw -z --no-renames`: `:META\0PATH\0` per changed path.
pub fn parse_raw(out: &[u8]) -> Result<Vec<PathChange>, String> {
    let mut tokens = out
        .split(|&b| b == 0)
        .filter(|t| !t.is_empty() && *t != b"\n");
    let mut changes = Vec::new();
    while let Some(meta) = tokens.next() {
        let path = tokens.next().ok_or("a change without a path")?;
        changes.push(raw_entry(meta, path)?);
    }
    Ok(changes)
}

/// Parse `git log --raw -z --format=%x01%H %cs`: a `\x01ID DATE` token per commit (newest
/// first), then its `:META` / path tokens.
pub fn parse_log_raw(out: &[u8]) -> Result<Vec<Commit>, String> {
    let mut commits: Vec<Commit> = Vec::new();
    let mut tokens = out.split(|&b| b == 0);
    while let Some(token) = tokens.next() {
        let token = token.strip_prefix(b"\n").unwrap_or(token);
        if token.is_empty() {
            continue;
        }
        if let Some(header) = token.strip_prefix(b"\x01") {
            let header = String::from_utf8_lossy(header);
            let (id, date) = header
                .split_once(' ')
                .ok_or_else(|| format!("commit header `{header}`"))?;
            let date = crate::sheet::model::parse_date(date.trim())
                .ok_or_else(|| format!("commit {id} has no committer date (`{date}`)"))?;
            commits.push(Commit {
                id: id.to_owned(),
                date,
                changes: Vec::new(),
            });
            continue;
        }
        let path = tokens.next().ok_or("a change without a path")?;
        let commit = commits.last_mut().ok_or("a change before any commit")?;
        commit.changes.push(raw_entry(token, path)?);
    }
    Ok(commits)
}

/// The entries of `git ls-tree -z` / `git ls-files -s -z` output: each `META\tPATH\0` with
/// META split on spaces; `Err` names an entry that has no tab.
fn tab_entries(out: &[u8]) -> impl Iterator<Item = Result<(Vec<&[u8]>, &[u8]), String>> {
    out.split(|&b| b == 0)
        .filter(|t| !t.is_empty())
        .map(|token| {
            let tab = token
                .iter()
                .position(|&b| b == b'\t')
                .ok_or("an entry without a tab")?;
            let (meta, path) = (&token[..tab], &token[tab + 1..]);
            Ok((meta.split(|&b| b == b' ').collect(), path))
        })
}

/// Parse `git ls-tree -z`: `MODE TYPE ID\tPATH\0`.
fn parse_ls_tree(out: &[u8]) -> Result<Vec<TreeEntry>, String> {
    let mut entries = Vec::new();
    for entry in tab_entries(out) {
        let (fields, path) = entry?;
        let [mode, _kind, id] = fields.as_slice() else {
            return Err(format!(
                "entry `{}`",
                String::from_utf8_lossy(&fields.join(&b' '))
            ));
        };
        if let Some(object) = object(mode, id)? {
            entries.push(TreeEntry {
                object,
                path: String::from_utf8_lossy(path).into_owned(),
            });
        }
    }
    Ok(entries)
}

/// Parse `git ls-files -s -z`: `MODE ID STAGE\tPATH\0`; entries of a conflict are left out.
fn parse_ls_files(out: &[u8]) -> Result<Vec<TreeEntry>, String> {
    let mut entries = Vec::new();
    for entry in tab_entries(out) {
        let (fields, path) = entry?;
        let [mode, id, stage] = fields.as_slice() else {
            return Err(format!(
                "entry `{}`",
                String::from_utf8_lossy(&fields.join(&b' '))
            ));
        };
        if *stage != b"0" {
            continue;
        }
        if let Some(object) = object(mode, id)? {
            entries.push(TreeEntry {
                object,
                path: String::from_utf8_lossy(path).into_owned(),
            });
        }
    }
    Ok(entries)
}

/// Reading files as they are at a revision (`govsheet diff`, the sheet at the merge base).
impl Repo {
    /// The regular files at `paths` (relative to the top-level; a path ending in `/` is a
    /// folder: its files, not recursing) at commit `rev`, with their bytes: one `git ls-tree`
    /// ([`Repo::ls_tree`]) and one `git cat-file --batch` ([`Repo::objects`]), the reader
    /// `retests` reads its records with. A path the revision does not have is left out; a
    /// symlink, a submodule or a file over the size limit is an error naming it and `label`
    /// (how the user named the revision).
    pub fn files_at(
        &self,
        rev: &str,
        label: &str,
        paths: &[String],
    ) -> Result<Vec<(String, Vec<u8>)>, CliError> {
        let specs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let entries = self.ls_tree(rev, &specs)?;
        let mut objects: Option<Objects> = None;
        let mut files = Vec::with_capacity(entries.len());
        for entry in entries {
            let what = match entry.object.mode & 0o170000 {
                0o040000 => continue,
                0o100000 => None,
                0o120000 => Some("a symlink"),
                0o160000 => Some("a submodule"),
                _ => Some("not a regular file"),
            };
            let at = format!("{} at {label}", entry.path);
            if let Some(what) = what {
                return Err(CliError::file(
                    at,
                    format!("is {what} in git, not a file govsheet reads"),
                ));
            }
            let reader = match &mut objects {
                Some(r) => r,
                None => objects.insert(self.objects()?),
            };
            let bytes = reader.blob(&entry.object.id, &at)?;
            files.push((entry.path, bytes));
        }
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_status_keeps_every_path() {
        let out = b"D\0a b.txt\0A\0c.txt\0R100\0old\"q\".txt\0new\xc3\xbc.txt\0M\0x\0";
        assert_eq!(
            parse_name_status(out),
            vec!["a b.txt", "c.txt", "old\"q\".txt", "new\u{fc}.txt", "x"]
        );
    }

    #[test]
    fn log_raw_gives_each_commit_and_its_changes() {
        let z = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let out = format!(
            "\x01{b} 2026-11-02\0\n:100644 100644 {a} {b} M\0a b.txt\0:000000 160000 {z} {a} A\0sub\0\x01{a} 2026-11-01\0\x01{z} 2026-10-31\0\n:100644 000000 {a} {z} D\0gone\u{fc}\0"
        );
        let commits = parse_log_raw(out.as_bytes()).unwrap();
        assert_eq!(commits.len(), 3);
        assert_eq!(commits[0].date.to_string(), "2026-11-02");
        assert_eq!(commits[0].changes.len(), 2);
        assert_eq!(commits[0].changes[0].path, "a b.txt");
        assert_eq!(commits[0].changes[1].new.as_ref().unwrap().mode, 0o160000);
        assert!(commits[0].changes[1].old.is_none());
        assert!(commits[1].changes.is_empty());
        assert_eq!(commits[2].changes[0].path, "gone\u{fc}");
        assert!(commits[2].changes[0].new.is_none());
        assert!(parse_log_raw(b"\x01abc\0").is_err());
        assert!(parse_log_raw(b":100644 100644 x y M\0p\0").is_err());
    }

    #[test]
    fn tree_and_index_listings() {
        let a = "a".repeat(40);
        let out = format!("100644 blob {a}\trecords/x y.yaml\0120000 blob {a}\tlink\0");
        let t = parse_ls_tree(out.as_bytes()).unwrap();
        assert_eq!(t[0].path, "records/x y.yaml");
        assert!(t[0].object.is_file());
        assert!(!t[1].object.is_file());
        let out = format!("100644 {a} 0\tr/a.yaml\0100644 {a} 2\tr/b.yaml\0");
        let t = parse_ls_files(out.as_bytes()).unwrap();
        assert_eq!(t.len(), 1);
    }
}
