//! Throwaway git repositories for the tests that run govsheet against real history: a shop
//! with a governance sheet, commits at chosen dates and times, and govsheet run inside it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub(crate) const SHEET: &str = r#"version: 1
records_dir: records
owners:
  tracking: {name: Tracking}
events:
  Purchase:
    triggers: [checkout, pixel]
    retests: [purchase-dedupe]
    rollback: {rule: revert, pause: [budget, roas], resume_when: dedupe passes}
  ViewContent:
    triggers: [theme]
    retests: [smoke]
    rollback: {rule: revert, pause: [product-sets], resume_when: smoke passes}
components:
  theme:
    paths: ['theme/**']
  checkout:
    paths: ['checkout/**']
  pixel:
    paths: ['vendor/pixel']
retests:
  purchase-dedupe: {title: Dedupe, method: place 3 orders, owner: tracking, max_age: 30d}
  smoke: {title: Smoke, method: click around, owner: tracking}
"#;

pub(crate) const TODAY: &str = "2026-11-25";

/// `2026-11-20` is noon UTC that day; `2026-11-20T09:00:00+01:00` is taken as written.
pub(crate) fn stamp(when: &str) -> String {
    if when.contains('T') {
        when.to_owned()
    } else {
        format!("{when}T12:00:00+00:00")
    }
}

pub(crate) fn git_env(cmd: &mut Command, when: &str) {
    let stamp = stamp(when);
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp);
}

pub(crate) fn git_in(dir: &Path, args: &[&str], when: &str) -> String {
    let out = git_out(dir, args, when);
    assert!(
        out.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn git_out(dir: &Path, args: &[&str], when: &str) -> Output {
    let mut cmd = Command::new("git");
    cmd.args([
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "protocol.file.allow=always",
        "-c",
        "merge.conflictStyle=merge",
    ])
    .args(args)
    .current_dir(dir);
    git_env(&mut cmd, when);
    cmd.output().expect("git runs")
}

pub(crate) struct Repo {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Repo {
    /// The sheet and one file per component, committed on `main` on 2026-11-01, and a
    /// `feature` branch checked out.
    pub(crate) fn new() -> Repo {
        Self::with_sheet(SHEET)
    }

    pub(crate) fn with_sheet(sheet: &str) -> Repo {
        Self::with_files(
            sheet,
            &["theme/layout.liquid", "checkout/pay.js", "README.md"],
        )
    }

    /// `sheet` and each of `files` (holding `v1`), committed on `main` on 2026-11-01, and a
    /// `feature` branch checked out.
    pub(crate) fn with_files(sheet: &str, files: &[&str]) -> Repo {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("shop");
        std::fs::create_dir_all(&dir).unwrap();
        let repo = Repo { _tmp: tmp, dir };
        repo.git(&["init", "-q"], TODAY);
        repo.write("governance.yaml", sheet);
        for f in files {
            repo.write(f, "v1\n");
        }
        repo.commit_all("init", "2026-11-01");
        repo.git(&["checkout", "-q", "-b", "feature"], TODAY);
        repo
    }

    pub(crate) fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    pub(crate) fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub(crate) fn git(&self, args: &[&str], when: &str) -> String {
        git_in(&self.dir, args, when)
    }

    pub(crate) fn commit_all(&self, msg: &str, when: &str) {
        self.git(&["add", "-A"], when);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg], when);
    }

    /// Append a line to a file and commit it at `when`.
    pub(crate) fn change(&self, rel: &str, when: &str) {
        let old = std::fs::read_to_string(self.path(rel)).unwrap_or_default();
        self.write(rel, &format!("{old}changed {when}\n"));
        self.commit_all(&format!("change {rel}"), when);
    }

    /// A passing record of `retest` dated `date`, written as `records/NAME.yaml` (not committed).
    pub(crate) fn record(&self, name: &str, retest: &str, date: &str) {
        self.write(
            &format!("records/{name}.yaml"),
            &format!(
                "{{retest: {retest}, date: {date}, result: pass, by: tracking, evidence: ran it ({name})}}\n"
            ),
        );
    }

    /// Write a record and commit it at `when`.
    pub(crate) fn commit_record(&self, name: &str, retest: &str, date: &str, when: &str) {
        self.record(name, retest, date);
        self.commit_all(&format!("record {name}"), when);
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        govsheet(&self.dir, args, &[])
    }

    /// `govsheet retests --format json ARGS`: the exit code and the report.
    pub(crate) fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut all = vec!["retests", "--format", "json"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        let v: Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", r.stdout, r.stderr));
        (r.code, v)
    }

    pub(crate) fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"], TODAY).trim().to_owned()
    }
}

pub(crate) fn govsheet(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    govsheet_with(dir, args, env, None)
}

/// [`govsheet`] with `stdin` written to its standard input (none when `None`).
pub(crate) fn govsheet_with(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_govsheet"));
    cmd.args(["--color", "never"])
        .args(args)
        .current_dir(dir)
        .env("GOVSHEET_TODAY", TODAY)
        .env("NO_COLOR", "1")
        .env_remove("PRE_COMMIT_FROM_REF")
        .env_remove("PRE_COMMIT_TO_REF")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    git_env(&mut cmd, TODAY);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("govsheet runs");
    if let Some(text) = stdin {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(text.as_bytes()).unwrap();
    }
    let out: Output = child.wait_with_output().expect("govsheet runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub(crate) fn required<'a>(v: &'a Value, retest: &str) -> &'a Value {
    v["required"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["retest"] == retest)
        .unwrap_or_else(|| panic!("{retest} not required: {v:#}"))
}

pub(crate) fn status(v: &Value, retest: &str) -> String {
    required(v, retest)["status"].as_str().unwrap().to_owned()
}

pub(crate) fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}
