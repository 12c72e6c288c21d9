//! Git as a child process with arguments (never through a shell), run in the sheet's repository:
//! the changed paths of a range or of the index, and the date each path last changed. Every
//! git failure is a [`CliError`] (exit 2); nothing here falls back to another comparison.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;

use super::CliError;

/// A git repository found from a folder inside it.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The folder git runs in.
    dir: PathBuf,
    /// The work tree's top-level folder (git's canonical path); diff paths are relative to it.
    pub top: PathBuf,
}

/// A path from `git diff` (repository-relative) and the newest commit date that touched it.
pub type DatedPaths = Vec<(String, Option<NaiveDate>)>;

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
                "not a git repository: run govsheet retests inside the repository, or pass the changed files as arguments or with --files-from".to_string()
            } else {
                format!("git rev-parse failed: {}", first_lines(&err))
            };
            return Err(CliError::file(dir.display().to_string(), message));
        }
        let top = String::from_utf8_lossy(&out.stdout)
            .trim_end_matches(['\n', '\r'])
            .to_string();
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
            let what: Vec<String> = args
                .into_iter()
                .take(2)
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect();
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
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
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
        let sha = String::from_utf8_lossy(&out.stdout).trim().to_string();
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
        let out = self.git([
            "diff",
            "--no-renames",
            "--name-status",
            "-z",
            "--no-relative",
            "--no-ext-diff",
            from,
            to,
            "--",
        ])?;
        Ok(parse_name_status(&out))
    }

    /// Paths changed in the index against HEAD (against nothing before the first commit).
    pub fn staged(&self) -> Result<Vec<String>, CliError> {
        let out = self.git([
            "diff",
            "--cached",
            "--no-renames",
            "--name-status",
            "-z",
            "--no-relative",
            "--no-ext-diff",
            "--",
        ])?;
        Ok(parse_name_status(&out))
    }

    /// Every file of a commit (a new branch with nothing to compare against).
    pub fn all_files(&self, commit: &str) -> Result<Vec<String>, CliError> {
        let out = self.git(["ls-tree", "-r", "-z", "--name-only", commit, "--"])?;
        Ok(out
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect())
    }

    /// For the commits in `base..head` (one `git log`), the newest committer date of each path.
    pub fn change_dates(
        &self,
        base: &str,
        head: &str,
    ) -> Result<HashMap<String, NaiveDate>, CliError> {
        let range = format!("{base}..{head}");
        let out = self.git([
            "-c",
            "log.showSignature=false",
            "log",
            "-z",
            "--no-renames",
            "--no-relative",
            "--no-color",
            "--format=%x01%x02%cs",
            "--name-only",
            &range,
            "--",
        ])?;
        Ok(parse_log(&out))
    }

    /// The newest committer date of a commit.
    pub fn commit_date(&self, commit: &str) -> Result<Option<NaiveDate>, CliError> {
        let out = self.git(["show", "-s", "--no-color", "--format=%cs", commit, "--"])?;
        Ok(crate::sheet::model::parse_date(
            String::from_utf8_lossy(&out).trim(),
        ))
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

/// Parse `git log -z --format=%x01%x02%cs --name-only`: a header token per commit, then its
/// paths (the first one after a newline).
pub fn parse_log(out: &[u8]) -> HashMap<String, NaiveDate> {
    let mut dates: HashMap<String, NaiveDate> = HashMap::new();
    let mut current: Option<NaiveDate> = None;
    let mut first = false;
    for token in out.split(|&b| b == 0) {
        if let Some(header) = token.strip_prefix(b"\x01\x02") {
            current = std::str::from_utf8(header)
                .ok()
                .and_then(|h| crate::sheet::model::parse_date(h.trim()));
            first = true;
            continue;
        }
        let path = if first {
            token.strip_prefix(b"\n").unwrap_or(token)
        } else {
            token
        };
        first = false;
        if path.is_empty() {
            continue;
        }
        if let Some(d) = current {
            let e = dates
                .entry(String::from_utf8_lossy(path).into_owned())
                .or_insert(d);
            *e = (*e).max(d);
        }
    }
    dates
}

/// Reading files as they are at a revision (`govsheet diff`, the sheet at the merge base).
impl Repo {
    /// The regular files at `paths` (relative to the top-level; a path ending in `/` is a
    /// folder: its files, not recursing) at commit `rev`, with their bytes: one `git ls-tree`
    /// and one `git cat-file --batch`. A path the revision does not have is left out; a
    /// symlink, a submodule or a file over the size limit is an error naming it and `label`
    /// (how the user named the revision).
    pub fn files_at(
        &self,
        rev: &str,
        label: &str,
        paths: &[String],
    ) -> Result<Vec<(String, Vec<u8>)>, CliError> {
        use std::io::{Read, Write};
        let mut args = vec!["ls-tree", "-z", "-l", "--full-tree", rev, "--"];
        args.extend(paths.iter().map(String::as_str));
        let out = self.git(&args)?;
        let mut wanted = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let text = String::from_utf8_lossy(entry);
            let (meta, path) = text.split_once('\t').unwrap_or((&text, ""));
            let f: Vec<&str> = meta.split_whitespace().collect();
            let at = || format!("{path} at {label}");
            match f.as_slice() {
                [_, "tree", ..] => continue,
                ["100644" | "100755", "blob", oid, size] => {
                    let size: usize = size.parse().unwrap_or(usize::MAX);
                    if size > crate::sheet::yaml::MAX_FILE_BYTES {
                        return Err(CliError::file(
                            at(),
                            format!(
                                "the file is {}; the limit is {}",
                                crate::sheet::yaml::human_bytes(size),
                                crate::sheet::yaml::human_bytes(crate::sheet::yaml::MAX_FILE_BYTES)
                            ),
                        ));
                    }
                    wanted.push((path.to_string(), oid.to_string(), size));
                }
                [mode, kind, ..] => {
                    let what = match (*mode, *kind) {
                        ("120000", _) => "a symlink",
                        (_, "commit") => "a submodule",
                        _ => "not a regular file",
                    };
                    return Err(CliError::file(
                        at(),
                        format!("is {what} in git, not a file govsheet reads"),
                    ));
                }
                _ => {
                    return Err(CliError::file(
                        at(),
                        format!("git ls-tree printed an unexpected entry `{text}`"),
                    ));
                }
            }
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let mut child = Command::new("git")
            .args(["--no-pager", "cat-file", "--batch"])
            .current_dir(&self.dir)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| CliError::file(self.name(), format!("cannot run git: {e}")))?;
        let input: String = wanted
            .iter()
            .map(|(_, oid, _)| format!("{oid}\n"))
            .collect();
        let mut stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(s) = stdin.as_mut() {
                let _ = s.write_all(input.as_bytes());
            }
        });
        let mut bytes = Vec::new();
        if let Some(mut so) = child.stdout.take() {
            so.read_to_end(&mut bytes)
                .map_err(|e| CliError::file(self.name(), format!("cannot read git: {e}")))?;
        }
        let _ = writer.join();
        let status = child
            .wait()
            .map_err(|e| CliError::file(self.name(), format!("cannot run git: {e}")))?;
        let mut files = Vec::with_capacity(wanted.len());
        let mut rest = bytes.as_slice();
        for (path, oid, size) in wanted {
            let bad = || {
                CliError::file(
                    format!("{path} at {label}"),
                    format!("git cat-file could not read blob {oid} (exit {status})"),
                )
            };
            let nl = rest.iter().position(|&b| b == b'\n').ok_or_else(bad)?;
            let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
            if header != format!("{oid} blob {size}") || rest.len() < nl + 1 + size + 1 {
                return Err(bad());
            }
            files.push((path, rest[nl + 1..nl + 1 + size].to_vec()));
            rest = &rest[nl + 1 + size + 1..];
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
    fn log_gives_the_newest_date_per_path() {
        let out = b"\x01\x022026-11-02\0\na b.txt\0c.txt\0\x01\x022026-11-05\0\x01\x022026-11-01\0\na b.txt\0z\0";
        let d = parse_log(out);
        let day = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
        assert_eq!(d["a b.txt"], day(2));
        assert_eq!(d["c.txt"], day(2));
        assert_eq!(d["z"], day(1));
        assert_eq!(d.len(), 3);
    }
}
