//! Evidence must enter the history after the change it covers (format 1.1): `govsheet retests`
//! against real throwaway repositories with merges, rebases, submodules and the index. Each
//! test names the way a change used to pass that should have failed.

mod common;

use common::*;

fn reason(v: &serde_json::Value, retest: &str) -> String {
    required(v, retest)["reason"].as_str().unwrap().to_owned()
}

#[test]
fn a_record_of_the_morning_does_not_cover_a_change_of_the_afternoon() {
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-20T08:00:00+01:00");
    repo.commit_record(
        "dedupe-am",
        "purchase-dedupe",
        "2026-11-20",
        "2026-11-20T09:00:00+01:00",
    );
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");

    // the same day, after the record: used to be covered because the dates were equal
    repo.change("checkout/pay.js", "2026-11-20T15:00:00+01:00");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let r = required(&v, "purchase-dedupe");
    assert_eq!(r["status"], "missing");
    assert_eq!(r["change_date"], "2026-11-20");
    assert_eq!(r["change_commit"], repo.head());
    assert!(
        reason(&v, "purchase-dedupe").contains("entered the history at commit"),
        "{}",
        reason(&v, "purchase-dedupe")
    );
    let human = repo.run(&["retests", "--base", "main"]).stdout;
    assert!(
        human.contains(&format!(
            "changed 2026-11-20 (commit {})",
            &repo.head()[..12]
        )),
        "{human}"
    );

    // a record committed after the change covers it
    repo.commit_record(
        "dedupe-pm",
        "purchase-dedupe",
        "2026-11-20",
        "2026-11-20T16:00:00+01:00",
    );
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        required(&v, "purchase-dedupe")["record"]["entered"],
        format!("commit {}", &repo.head()[..12])
    );
}

#[test]
fn the_change_date_is_the_committers_own_calendar_day() {
    let repo = Repo::new();
    // 23:30 in California on the 20th is the 21st in UTC: the committer's day is the 20th
    repo.change("checkout/pay.js", "2026-11-20T23:30:00-08:00");
    repo.commit_record(
        "dedupe",
        "purchase-dedupe",
        "2026-11-20",
        "2026-11-20T23:45:00-08:00",
    );
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], "2026-11-20");
    assert_eq!(code, 0, "{v:#}");
}

#[test]
fn a_long_lived_branch_merged_today_is_dated_by_the_merge() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "old", "main"], TODAY);
    repo.change("checkout/pay.js", "2026-11-02");
    repo.git(&["checkout", "-q", "feature"], TODAY);
    repo.commit_record("dedupe", "purchase-dedupe", "2026-11-18", "2026-11-18");
    repo.git(
        &["merge", "-q", "--no-ff", "--no-edit", "old"],
        "2026-11-24",
    );
    // used to be dated 2026-11-02 (the branch's own commit), so the record of the 18th covered
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    let r = required(&v, "purchase-dedupe");
    assert_eq!(r["status"], "missing");
    assert_eq!(r["change_date"], "2026-11-24");
    assert_eq!(r["change_commit"], repo.head());
    repo.commit_record(
        "dedupe-after",
        "purchase-dedupe",
        "2026-11-24",
        "2026-11-24",
    );
    assert_eq!(repo.json(&["--base", "main"]).0, 0);
}

#[test]
fn an_evil_merge_is_a_change_of_its_own() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "side", "main"], TODAY);
    repo.change("README.md", "2026-11-19");
    repo.git(&["checkout", "-q", "feature"], TODAY);
    repo.change("checkout/pay.js", "2026-11-20");
    repo.commit_record("dedupe", "purchase-dedupe", "2026-11-21", "2026-11-21");
    assert_eq!(repo.json(&["--base", "main"]).0, 0);
    // the merge brings README.md and edits checkout/pay.js itself (not on either parent)
    repo.git(
        &["merge", "-q", "--no-ff", "--no-commit", "side"],
        "2026-11-22",
    );
    repo.write("checkout/pay.js", "resolved by hand\n");
    repo.git(&["add", "checkout/pay.js"], "2026-11-22");
    repo.git(&["commit", "-q", "--no-edit"], "2026-11-22");
    // used to take the newest date the log showed (the record's commit), and pass
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    assert_eq!(
        required(&v, "purchase-dedupe")["change_commit"],
        repo.head()
    );
    assert_eq!(required(&v, "purchase-dedupe")["change_date"], "2026-11-22");
}

#[test]
fn an_octopus_merge_is_one_change_dated_by_the_merge() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "-b", "a", "main"], TODAY);
    repo.change("theme/layout.liquid", "2026-11-02");
    repo.git(&["checkout", "-q", "-b", "b", "main"], TODAY);
    repo.change("checkout/pay.js", "2026-11-03");
    repo.git(&["checkout", "-q", "feature"], TODAY);
    repo.record("dedupe", "purchase-dedupe", "2026-11-10");
    repo.record("smoke", "smoke", "2026-11-10");
    repo.commit_all("records", "2026-11-10");
    repo.git(&["merge", "-q", "--no-edit", "a", "b"], "2026-11-24");
    let parents = repo.git(&["rev-list", "--parents", "-n", "1", "HEAD"], TODAY);
    assert_eq!(parents.split_whitespace().count(), 4, "an octopus merge");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
    assert_eq!(status(&v, "smoke"), "missing");
    assert_eq!(required(&v, "smoke")["change_date"], "2026-11-24");
    repo.record("dedupe-2", "purchase-dedupe", TODAY);
    repo.record("smoke-2", "smoke", TODAY);
    repo.commit_all("records", TODAY);
    assert_eq!(repo.json(&["--base", "main"]).0, 0);
}

#[test]
fn a_rebase_keeps_the_order_and_a_reordering_is_seen() {
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-24T10:00:00+00:00");
    let change = repo.head();
    repo.commit_record(
        "dedupe",
        "purchase-dedupe",
        "2026-11-24",
        "2026-11-24T11:00:00+00:00",
    );
    let record = repo.head();
    assert_eq!(repo.json(&["--base", "main"]).0, 0);

    // main moves on and the branch is rebased onto it the same day: still covered
    repo.git(&["checkout", "-q", "main"], TODAY);
    repo.change("README.md", "2026-11-24T12:00:00+00:00");
    repo.git(&["checkout", "-q", "feature"], TODAY);
    repo.git(&["rebase", "-q", "main"], "2026-11-24T13:00:00+00:00");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");

    // a rebase that puts the record before the change: same day, used to be covered
    repo.git(&["reset", "-q", "--hard", "main"], TODAY);
    repo.git(
        &["cherry-pick", record.as_str()],
        "2026-11-24T14:00:00+00:00",
    );
    repo.git(
        &["cherry-pick", change.as_str()],
        "2026-11-24T15:00:00+00:00",
    );
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
}

#[test]
fn a_squash_merge_with_the_change_and_the_record_in_one_commit_covers() {
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-24T09:00:00+00:00");
    repo.commit_record(
        "dedupe",
        "purchase-dedupe",
        "2026-11-24",
        "2026-11-24T10:00:00+00:00",
    );
    repo.git(&["checkout", "-q", "main"], TODAY);
    repo.git(
        &["merge", "-q", "--squash", "feature"],
        "2026-11-24T16:00:00+00:00",
    );
    repo.git(
        &["commit", "-q", "-m", "squashed"],
        "2026-11-24T16:00:00+00:00",
    );
    let (code, v) = repo.json(&["--base", "main~1", "--head", "main"]);
    assert_eq!(code, 0, "{v:#}");
    let r = required(&v, "purchase-dedupe");
    assert_eq!(r["change_commit"], repo.head());
    assert_eq!(
        r["record"]["entered"],
        format!("commit {}", &repo.head()[..12])
    );
    // the date rule still holds: squashed on a later day, a record of the 24th is before it
    repo.git(&["reset", "-q", "--hard", "main~1"], TODAY);
    repo.git(&["merge", "-q", "--squash", "feature"], "2026-11-25");
    repo.git(&["commit", "-q", "-m", "squashed later"], "2026-11-25");
    let (code, v) = repo.json(&["--base", "main~1", "--head", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "purchase-dedupe").contains("before the change of 2026-11-25"),
        "{}",
        reason(&v, "purchase-dedupe")
    );
}

#[test]
fn records_only_at_the_merge_base_never_cover() {
    let repo = Repo::new();
    repo.git(&["checkout", "-q", "main"], TODAY);
    repo.commit_record(
        "dedupe",
        "purchase-dedupe",
        "2026-11-20",
        "2026-11-20T08:00:00+00:00",
    );
    repo.git(&["checkout", "-q", "-b", "late"], TODAY);
    repo.change("checkout/pay.js", "2026-11-20T10:00:00+00:00");
    // used to be covered: same date, and the record was on disk
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "purchase-dedupe").contains("the merge base"),
        "{}",
        reason(&v, "purchase-dedupe")
    );
    // a copy of the same file under another name is the same evidence: still not covered
    std::fs::copy(
        repo.path("records/dedupe.yaml"),
        repo.path("records/dedupe-copy.yaml"),
    )
    .unwrap();
    repo.commit_all("copy", "2026-11-21");
    assert_eq!(repo.json(&["--base", "main"]).0, 1);
    // an edit of it is new evidence: it enters at the edit
    repo.write(
        "records/dedupe-copy.yaml",
        "{retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: re-run}\n",
    );
    repo.commit_all("re-run", "2026-11-21");
    assert_eq!(repo.json(&["--base", "main"]).0, 0);
}

#[test]
fn records_only_in_the_working_tree_do_not_cover_a_range() {
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-20");
    repo.record("dedupe", "purchase-dedupe", "2026-11-21");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        reason(&v, "purchase-dedupe"),
        "no record of this retest; records/dedupe.yaml is on disk but not committed: commit it, then run again"
    );
    repo.commit_all("record", "2026-11-21");
    assert_eq!(repo.json(&["--base", "main"]).0, 0);
}

#[test]
fn inline_records_enter_with_the_commit_that_adds_them_to_the_sheet() {
    let repo = Repo::new();
    let with = |date: &str| {
        format!(
            "{SHEET}records:\n  - {{retest: purchase-dedupe, date: {date}, result: pass, by: tracking, evidence: inline}}\n"
        )
    };
    repo.write("governance.yaml", &with("2026-11-20"));
    repo.commit_all("inline record", "2026-11-20T09:00:00+00:00");
    repo.change("checkout/pay.js", "2026-11-20T10:00:00+00:00");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    // an unrelated edit of the sheet does not make the record new
    let moved = with("2026-11-20").replace("version: 1\n", "version: 1\n# a comment\n");
    repo.write("governance.yaml", &moved);
    repo.commit_all("comment", "2026-11-21");
    assert_eq!(repo.json(&["--base", "main"]).0, 1);
    // a record added after the change covers it
    repo.write(
        "governance.yaml",
        &format!(
            "{moved}  - {{retest: purchase-dedupe, date: 2026-11-21, result: pass, by: tracking, evidence: again}}\n"
        ),
    );
    repo.commit_all("record", "2026-11-21");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        required(&v, "purchase-dedupe")["record"]["file"],
        "governance.yaml"
    );
}

#[test]
fn staged_records_cover_and_untracked_or_committed_ones_do_not() {
    let repo = Repo::new();
    // a record already in HEAD entered before the next commit
    repo.commit_record("old", "purchase-dedupe", TODAY, "2026-11-25T08:00:00+00:00");
    repo.write("checkout/pay.js", "staged change\n");
    repo.git(&["add", "checkout/pay.js"], TODAY);
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(required(&v, "purchase-dedupe")["change_commit"], "index");
    assert!(
        reason(&v, "purchase-dedupe").contains("before the change (the index)"),
        "{}",
        reason(&v, "purchase-dedupe")
    );
    // written but never added: the commit would go in without it
    repo.record("new", "purchase-dedupe", TODAY);
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(
        reason(&v, "purchase-dedupe")
            .contains("records/new.yaml is on disk but not staged: `git add` it"),
        "{}",
        reason(&v, "purchase-dedupe")
    );
    repo.git(&["add", "records/new.yaml"], TODAY);
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(
        required(&v, "purchase-dedupe")["record"]["entered"],
        "the index"
    );
    // an unstaged edit turning it into a fail is not what would be committed
    repo.write(
        "records/new.yaml",
        &format!(
            "{{retest: purchase-dedupe, date: {TODAY}, result: fail, by: tracking, evidence: x}}\n"
        ),
    );
    assert_eq!(repo.json(&["--staged"]).0, 0);
}

#[test]
fn staged_deletions_renames_and_symlinks_count() {
    let repo = Repo::new();
    repo.git(&["rm", "-q", "checkout/pay.js"], TODAY);
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(strs(&v["changed_files"]), vec!["checkout/pay.js"]);
    repo.git(&["reset", "-q", "--hard"], TODAY);
    repo.git(&["mv", "theme/layout.liquid", "layout.liquid"], TODAY);
    let (_, v) = repo.json(&["--staged"]);
    assert_eq!(status(&v, "smoke"), "missing");
    repo.git(&["reset", "-q", "--hard"], TODAY);
    std::fs::remove_file(repo.path("checkout/pay.js")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", repo.path("checkout/pay.js")).unwrap();
    repo.git(&["add", "checkout/pay.js"], TODAY);
    let (_, v) = repo.json(&["--staged"]);
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
}

/// A shop whose `vendor/pixel` is a submodule, committed on `main` (and `feature`), with
/// `.gitmodules` saying `ignore = all`.
fn shop_with_submodule() -> (Repo, tempfile::TempDir) {
    let repo = Repo::new();
    let pixel = tempfile::tempdir().unwrap();
    git_in(pixel.path(), &["init", "-q"], TODAY);
    std::fs::write(pixel.path().join("pixel.js"), "v1\n").unwrap();
    git_in(pixel.path(), &["add", "-A"], TODAY);
    git_in(pixel.path(), &["commit", "-q", "-m", "v1"], "2026-11-01");
    repo.git(&["checkout", "-q", "main"], TODAY);
    let url = pixel.path().display().to_string();
    repo.git(&["submodule", "add", "-q", &url, "vendor/pixel"], TODAY);
    repo.git(
        &[
            "config",
            "-f",
            ".gitmodules",
            "submodule.vendor/pixel.ignore",
            "all",
        ],
        TODAY,
    );
    repo.commit_all("pixel submodule", "2026-11-01");
    repo.git(&["checkout", "-q", "-B", "feature"], TODAY);
    (repo, pixel)
}

/// Move the submodule to a new commit and stage the bump.
fn bump(repo: &Repo) {
    let sub = repo.path("vendor/pixel");
    std::fs::write(sub.join("pixel.js"), "v2: fires Purchase twice\n").unwrap();
    git_in(&sub, &["commit", "-q", "-am", "v2"], "2026-11-20");
    let sha = git_in(&sub, &["rev-parse", "HEAD"], TODAY);
    let info = format!("160000,{},vendor/pixel", sha.trim());
    repo.git(&["update-index", "--cacheinfo", &info], TODAY);
}

#[test]
fn a_submodule_bump_is_a_change_whatever_gitmodules_says() {
    let (repo, _pixel) = shop_with_submodule();
    bump(&repo);
    // staged: used to report "components: none" and exit 0
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(strs(&v["changed_files"]), vec!["vendor/pixel"]);
    assert_eq!(strs(&v["components"]), vec!["pixel"]);
    repo.git(&["commit", "-q", "-m", "bump pixel"], "2026-11-20");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(strs(&v["changed_files"]), vec!["vendor/pixel"]);
    assert_eq!(status(&v, "purchase-dedupe"), "missing");
}

#[test]
fn a_submodule_bump_is_a_change_whatever_diff_ignore_submodules_says() {
    let (repo, _pixel) = shop_with_submodule();
    repo.git(
        &[
            "config",
            "-f",
            ".gitmodules",
            "--unset",
            "submodule.vendor/pixel.ignore",
        ],
        TODAY,
    );
    repo.commit_all("no ignore in .gitmodules", "2026-11-01");
    repo.git(&["branch", "-f", "main"], TODAY);
    repo.git(&["config", "diff.ignoreSubmodules", "all"], TODAY);
    bump(&repo);
    let (code, v) = repo.json(&["--staged"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(strs(&v["components"]), vec!["pixel"]);
    repo.git(&["commit", "-q", "-m", "bump pixel"], "2026-11-20");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(strs(&v["components"]), vec!["pixel"]);
}

fn record_cmd(repo: &Repo, evidence: &str) -> Run {
    repo.run(&[
        "record",
        "purchase-dedupe",
        "--result",
        "pass",
        "--by",
        "tracking",
        "--evidence",
        evidence,
    ])
}

#[test]
fn two_branches_recording_the_same_retest_the_same_day_merge_without_conflict() {
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-24");
    repo.git(&["checkout", "-q", "-b", "alice"], TODAY);
    let a = record_cmd(&repo, "alice's 3 orders");
    assert_eq!(a.code, 0, "{}", a.stderr);
    let a_path = a.stdout.trim().to_owned();
    assert!(
        a.stderr.contains(&format!("git add -- {a_path}")),
        "{}",
        a.stderr
    );
    let text = std::fs::read_to_string(repo.path(&a_path)).unwrap();
    assert!(
        text.contains(&format!("commit: \"{}\"", repo.head())),
        "{text}"
    );
    repo.commit_all("alice records", TODAY);
    repo.git(&["checkout", "-q", "-b", "bob", "feature"], TODAY);
    let b = record_cmd(&repo, "bob's 3 orders");
    let b_path = b.stdout.trim().to_owned();
    repo.commit_all("bob records", TODAY);
    let name = regex_like(&a_path);
    assert!(name, "{a_path}");
    assert!(regex_like(&b_path), "{b_path}");
    assert_ne!(a_path, b_path);
    // used to be records/2026-11-25-purchase-dedupe.yaml on both: an add/add conflict
    let merge = git_out(&repo.dir, &["merge", "--no-edit", "alice"], TODAY);
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stdout)
    );
    assert_eq!(repo.json(&["--base", "main"]).0, 0);
    // the user's --commit is kept
    let c = repo.run(&[
        "record",
        "smoke",
        "--result",
        "pass",
        "--by",
        "tracking",
        "--evidence",
        "x",
        "--commit",
        "abc123",
    ]);
    let text = std::fs::read_to_string(repo.path(c.stdout.trim())).unwrap();
    assert!(text.contains("commit: \"abc123\""), "{text}");
}

/// `records/2026-11-25-purchase-dedupe-XXXXXXXX.yaml` with 8 hex digits.
fn regex_like(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("records/2026-11-25-purchase-dedupe-") else {
        return false;
    };
    let Some(hex) = rest.strip_suffix(".yaml") else {
        return false;
    };
    hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn a_record_file_that_git_cannot_give_or_that_is_not_yaml_stops_the_run() {
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-20");
    repo.write("records/broken.yaml", "retest: [unclosed\n");
    repo.commit_all("broken record", "2026-11-21");
    let r = repo.run(&["retests", "--base", "main"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("records/broken.yaml"), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("commit {}", &repo.head()[..12])),
        "{}",
        r.stderr
    );

    // a blob missing from the object store: exit 2, never "head only"
    repo.git(&["rm", "-q", "records/broken.yaml"], TODAY);
    repo.commit_record("ok", "purchase-dedupe", "2026-11-21", "2026-11-21");
    let blob = repo.git(&["rev-parse", "HEAD:records/ok.yaml"], TODAY);
    let blob = blob.trim();
    let loose = repo.path(&format!(".git/objects/{}/{}", &blob[..2], &blob[2..]));
    std::fs::remove_file(&loose).unwrap();
    let r = repo.run(&["retests", "--base", "main"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("records/ok.yaml"), "{}", r.stderr);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);

    // a commit of the range missing: exit 2 naming the git command and the revisions
    let repo = Repo::new();
    repo.change("checkout/pay.js", "2026-11-20");
    let middle = repo.head();
    repo.change("checkout/pay.js", "2026-11-21");
    let loose = repo.path(&format!(".git/objects/{}/{}", &middle[..2], &middle[2..]));
    std::fs::remove_file(&loose).unwrap();
    let r = repo.run(&["retests", "--base", "main"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("git merge-base") || r.stderr.contains("git log"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn a_pushed_range_is_judged_by_history_too() {
    let repo = Repo::new();
    repo.commit_record(
        "dedupe",
        "purchase-dedupe",
        "2026-11-20",
        "2026-11-20T08:00:00+00:00",
    );
    repo.change("checkout/pay.js", "2026-11-20T10:00:00+00:00");
    let r = govsheet(
        &repo.dir,
        &["retests", "--format", "json"],
        &[
            ("PRE_COMMIT_FROM_REF", "main"),
            ("PRE_COMMIT_TO_REF", "feature"),
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let r = govsheet(
        &repo.dir,
        &["retests", "--format", "json"],
        &[
            (
                "PRE_COMMIT_FROM_REF",
                "0000000000000000000000000000000000000000",
            ),
            ("PRE_COMMIT_TO_REF", "feature"),
        ],
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
}

#[test]
fn the_users_git_configuration_does_not_change_what_counts() {
    let repo = Repo::new();
    for (k, v) in [
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("diff.renames", "copies"),
        ("diff.relative", "true"),
        ("log.showSignature", "true"),
        ("diff.noprefix", "true"),
        ("core.quotePath", "true"),
    ] {
        repo.git(&["config", k, v], TODAY);
    }
    std::fs::create_dir_all(repo.path("docs")).unwrap();
    repo.git(&["mv", "checkout/pay.js", "docs/p\u{e4}y.js"], TODAY);
    repo.commit_all("move", "2026-11-20");
    repo.commit_record("dedupe", "purchase-dedupe", "2026-11-19", "2026-11-21");
    let (code, v) = repo.json(&["--base", "main"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(
        strs(&v["changed_files"]),
        vec!["checkout/pay.js", "docs/p\u{e4}y.js", "records/dedupe.yaml"]
    );
    assert!(
        reason(&v, "purchase-dedupe").contains("before the change of 2026-11-20"),
        "{}",
        reason(&v, "purchase-dedupe")
    );
}
