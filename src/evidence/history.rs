//! Where changes and records sit in the repository's history (format 1.1): the commits of a
//! range's first-parent chain (or the index, taken as the next commit) as plain data, the
//! commit that last touched each path, and the commit at which each record entered the
//! history. Pure: the CLI reads git and hands the commits in; older versions of the sheet are
//! read through a callback.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::sheet::model::Record;

/// A place in the history. 0 is everything before the range: the merge base (and the
/// first-parent commits below the range), HEAD for `--staged`, the files on disk for a listed
/// run. 1 is the oldest commit of the range, [`History::head`] the newest (or the index).
pub type Position = usize;

/// A tree entry on one side of a change: its mode (`100644`, `120000` for a symlink,
/// `160000` for a submodule) and object id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub mode: u32,
    pub id: String,
}

impl Object {
    /// A regular file (not a symlink, a submodule or a folder).
    pub fn is_file(&self) -> bool {
        self.mode & 0o170000 == 0o100000
    }
}

/// One path a commit changed against its first parent (renames off: a rename is a deletion
/// and an addition). `old` is absent for an added path, `new` for a deleted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathChange {
    /// Relative to the repository's top folder, `/`-separated.
    pub path: String,
    pub old: Option<Object>,
    pub new: Option<Object>,
}

/// One commit of the chain: its id (`index` for the staged changes), its committer date in
/// the committer's own calendar, and what it changed against its first parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: String,
    pub date: NaiveDate,
    pub changes: Vec<PathChange>,
}

/// The history a retests run is judged against. Empty for a listed run (no history: every
/// change and every record is at position 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// What position 0 stands for ("the merge base 1a2b3c4d5e6f", "HEAD"); `None` for a
    /// listed run.
    pub base: Option<String>,
    /// The chain, oldest first: `commits[i]` is at position `i + 1`.
    pub commits: Vec<Commit>,
}

/// The id given to the index when `--staged` takes it as the next commit.
pub const INDEX: &str = "index";

impl History {
    /// Whether there is a history at all (a range or the index, not a listed run).
    pub fn is_some(&self) -> bool {
        self.base.is_some()
    }

    /// The newest position (the head, or the index).
    pub fn head(&self) -> Position {
        self.commits.len()
    }

    /// The commit at a position of the range (`None` for 0).
    pub fn commit(&self, at: Position) -> Option<&Commit> {
        at.checked_sub(1).and_then(|i| self.commits.get(i))
    }

    /// A position in words: "the merge base 1a2b3c4d5e6f", "commit 1a2b3c4d5e6f", "the index".
    pub fn label(&self, at: Position) -> String {
        match self.commit(at) {
            Some(c) if c.id == INDEX => "the index".into(),
            Some(c) => format!("commit {}", short(&c.id)),
            None => self
                .base
                .clone()
                .unwrap_or_else(|| "the files on disk".into()),
        }
    }

    /// The newest position that touched each path.
    pub fn last_touched(&self) -> HashMap<&str, Position> {
        let mut out = HashMap::new();
        for (i, c) in self.commits.iter().enumerate() {
            for ch in &c.changes {
                out.insert(ch.path.as_str(), i + 1);
            }
        }
        out
    }

    /// Where each record file of the tip entered the history, by content: `tip[k]` is the blob
    /// id of the k-th record file at the head (or in the index). A blob enters at the newest
    /// commit before which no record file (`in_dir`) had that content; a file whose content
    /// changes enters again at the edit, a file only moved or copied keeps its entry. A blob
    /// present at the merge base (`at_base`), or all along the chain, is at position 0.
    pub fn file_entries(
        &self,
        in_dir: impl Fn(&str) -> bool,
        tip: &[&str],
        at_base: &HashSet<&str>,
    ) -> Vec<Position> {
        let wanted: HashSet<&str> = tip
            .iter()
            .copied()
            .filter(|id| !at_base.contains(id))
            .collect();
        let mut count: HashMap<&str, i64> = HashMap::new();
        for id in tip {
            *count.entry(id).or_default() += 1;
        }
        let mut entry: HashMap<&str, Position> = HashMap::new();
        // Undo the commits newest first; a wanted blob whose count drops to none entered there.
        for (i, c) in self.commits.iter().enumerate().rev() {
            if entry.len() == wanted.len() {
                break;
            }
            let mine = || c.changes.iter().filter(|ch| in_dir(&ch.path));
            for ch in mine() {
                if let Some(n) = ch.new.as_ref().filter(|o| o.is_file()) {
                    *count.entry(n.id.as_str()).or_default() -= 1;
                }
                if let Some(o) = ch.old.as_ref().filter(|o| o.is_file()) {
                    *count.entry(o.id.as_str()).or_default() += 1;
                }
            }
            for ch in mine() {
                let Some(n) = ch.new.as_ref().filter(|o| o.is_file()) else {
                    continue;
                };
                let id = n.id.as_str();
                if wanted.contains(id)
                    && !entry.contains_key(id)
                    && count.get(id).is_none_or(|&k| k <= 0)
                {
                    entry.insert(id, i + 1);
                }
            }
        }
        tip.iter()
            .map(|id| entry.get(id).copied().unwrap_or(0))
            .collect()
    }

    /// Where each inline record of the tip's sheet entered: at the newest commit before which
    /// the sheet did not hold it (see [`record_key`]). `read(blob)` gives the record keys of
    /// an older version of the sheet, `None` when that version cannot be read as YAML: such a
    /// version is taken to hold every record (the entry can only move earlier, never later, so
    /// an unreadable version never makes evidence count for more). Records the sheet held at
    /// the merge base (`base_sheet`; unreadable: all of them) are at position 0.
    pub fn inline_entries<E>(
        &self,
        sheet_path: &str,
        tip_keys: &[String],
        base_sheet: Option<&str>,
        mut read: impl FnMut(&str) -> Result<Option<HashSet<String>>, E>,
    ) -> Result<Vec<Position>, E> {
        let unique: HashSet<&str> = tip_keys.iter().map(String::as_str).collect();
        let mut entry: HashMap<&str, Position> = HashMap::new();
        for (i, c) in self.commits.iter().enumerate().rev() {
            if entry.len() == unique.len() {
                break;
            }
            let Some(ch) = c.changes.iter().find(|ch| ch.path == sheet_path) else {
                continue;
            };
            let before = match ch.old.as_ref().filter(|o| o.is_file()) {
                None => Some(HashSet::new()),
                Some(o) => read(&o.id)?,
            };
            if let Some(before) = before {
                for k in &unique {
                    if !entry.contains_key(k) && !before.contains(*k) {
                        entry.insert(k, i + 1);
                    }
                }
            }
        }
        if !entry.is_empty() {
            let at_base = match base_sheet {
                Some(id) => read(id)?,
                None => Some(HashSet::new()),
            };
            entry.retain(|k, _| at_base.as_ref().is_some_and(|b| !b.contains(*k)));
        }
        Ok(tip_keys
            .iter()
            .map(|k| entry.get(k.as_str()).copied().unwrap_or(0))
            .collect())
    }
}

/// The first 12 characters of a commit id.
pub fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// What makes two inline records the same record: every field as written (a record whose
/// evidence, date or result is edited is a new record; moving it in the list is not).
pub fn record_key(r: &Record) -> String {
    fn t(t: Option<&crate::sheet::model::Text>) -> &str {
        t.map_or("\u{1}", |t| t.value.as_str())
    }
    let mut key = String::new();
    for part in [
        t(r.retest.as_ref()),
        r.date.as_ref().map(|d| d.raw.as_str()).unwrap_or("\u{1}"),
        t(r.result.as_ref()),
        t(r.by.as_ref()),
        t(r.evidence.as_ref()),
        t(r.notes.as_ref()),
        t(r.commit.as_ref()),
    ] {
        key.push_str(part);
        key.push('\0');
    }
    for e in &r.events {
        key.push_str(&e.value);
        key.push('\u{2}');
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(id: &str) -> Option<Object> {
        Some(Object {
            mode: 0o100644,
            id: id.into(),
        })
    }

    fn change(path: &str, old: Option<&str>, new: Option<&str>) -> PathChange {
        PathChange {
            path: path.into(),
            old: old.and_then(obj),
            new: new.and_then(obj),
        }
    }

    fn history(commits: Vec<Vec<PathChange>>) -> History {
        History {
            base: Some("the merge base".into()),
            commits: commits
                .into_iter()
                .enumerate()
                .map(|(i, changes)| Commit {
                    id: format!("c{i}"),
                    date: NaiveDate::from_ymd_opt(2026, 11, 1 + i as u32).unwrap(),
                    changes,
                })
                .collect(),
        }
    }

    fn in_records(p: &str) -> bool {
        p.starts_with("records/")
    }

    #[test]
    fn a_path_is_at_the_newest_commit_that_touched_it() {
        let h = history(vec![
            vec![change("a", Some("1"), Some("2"))],
            vec![change("b", None, Some("3"))],
            vec![change("a", Some("2"), Some("4"))],
        ]);
        let t = h.last_touched();
        assert_eq!(t["a"], 3);
        assert_eq!(t["b"], 2);
        assert_eq!(h.label(3), "commit c2");
        assert_eq!(h.label(0), "the merge base");
    }

    #[test]
    fn a_record_file_enters_where_its_content_appears_and_again_at_an_edit() {
        let h = history(vec![
            vec![change("records/a.yaml", None, Some("A1"))],
            vec![change("x.js", Some("1"), Some("2"))],
            // a moved file keeps its entry
            vec![
                change("records/a.yaml", Some("A1"), None),
                change("records/moved.yaml", None, Some("A1")),
            ],
            vec![change("records/b.yaml", None, Some("B1"))],
            vec![change("records/b.yaml", Some("B1"), Some("B2"))],
            // not a record file: does not count
            vec![change("other/c.yaml", None, Some("C1"))],
        ]);
        let none = HashSet::new();
        let tip = ["A1", "B2", "OLD", "C1"];
        assert_eq!(h.file_entries(in_records, &tip, &none), vec![1, 5, 0, 0]);
        // present at the merge base: never after the change
        let base: HashSet<&str> = ["B2"].into();
        assert_eq!(h.file_entries(in_records, &tip, &base), vec![1, 0, 0, 0]);
    }

    #[test]
    fn a_record_removed_and_added_back_enters_at_the_return() {
        let h = history(vec![
            vec![change("records/a.yaml", Some("A"), None)],
            vec![change("x", Some("1"), Some("2"))],
            vec![change("records/a.yaml", None, Some("A"))],
        ]);
        assert_eq!(h.file_entries(in_records, &["A"], &HashSet::new()), vec![3]);
    }

    #[test]
    fn inline_records_enter_at_the_first_version_holding_them() {
        let h = history(vec![
            vec![change("g.yaml", Some("v0"), Some("v1"))],
            vec![change("x", Some("1"), Some("2"))],
            vec![change("g.yaml", Some("v1"), Some("v2"))],
        ]);
        let versions: HashMap<&str, Option<Vec<&str>>> = [
            ("v0", Some(vec!["old"])),
            ("v1", Some(vec!["old", "one"])),
            ("v2", Some(vec!["old", "one", "two"])),
            ("broken", None),
        ]
        .into();
        let read = |id: &str| -> Result<Option<HashSet<String>>, ()> {
            Ok(versions[id]
                .as_ref()
                .map(|v| v.iter().map(|s| s.to_string()).collect()))
        };
        let keys: Vec<String> = ["old", "one", "two"].map(String::from).to_vec();
        assert_eq!(
            h.inline_entries("g.yaml", &keys, Some("v0"), read),
            Ok(vec![0, 1, 3])
        );
        // "one" at the merge base: position 0
        assert_eq!(
            h.inline_entries("g.yaml", &keys, Some("v1"), read),
            Ok(vec![0, 0, 3])
        );
        // a version that cannot be read holds everything: entries move earlier, never later
        let h2 = history(vec![
            vec![change("g.yaml", Some("v0"), Some("broken"))],
            vec![change("g.yaml", Some("broken"), Some("v2"))],
        ]);
        assert_eq!(
            h2.inline_entries("g.yaml", &keys, Some("v0"), read),
            Ok(vec![0, 1, 1])
        );
        // an unreadable merge-base sheet: nothing counts as entered in the range
        assert_eq!(
            h2.inline_entries("g.yaml", &keys, Some("broken"), read),
            Ok(vec![0, 0, 0])
        );
        // a sheet added in the range: everything enters there
        let h3 = history(vec![vec![change("g.yaml", None, Some("v2"))]]);
        assert_eq!(
            h3.inline_entries("g.yaml", &keys, None, read),
            Ok(vec![1, 1, 1])
        );
    }
}
