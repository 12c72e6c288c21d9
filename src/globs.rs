//! Component globs: every component's `paths` compiled once, so that a changed file is matched
//! against all components without a loop over globs.
//!
//! The globs are grouped by their literal folder prefix (`src/checkout/*.ts` -> `src/checkout`),
//! one [`GlobSet`] per prefix, and a path queries only the sets of its own ancestor folders.
//! One set for everything is slow when many globs share an extension: globset then tries each
//! `dir/*.js` regex in turn on every `.js` path (1,000 such globs made 100,000 paths take 18 s).
//!
//! Within a bucket, the shapes sheets are written in (`DIR/**`, `DIR/**/*.EXT`, `**/*.EXT`,
//! `DIR/*.EXT`, `*.EXT`, literal paths, with plain literal `DIR` and `EXT`) are answered by
//! string comparisons ([`Fast`]), and only the other globs go into the bucket's `GlobSet`:
//! building thousands of tiny sets was most of `Matcher::new`. The fast path gives exactly
//! globset's answers, in the same order; [`Matcher::new_reference`] builds the all-globset
//! matcher the differential tests compare it with.
//!
//! Semantics (the sheet format's): paths are relative to the repository root with `/`
//! separators; `*` and `?` never cross `/`; `**` spans directories; a pattern starting with
//! `!` excludes files from its component. A component's files are those matched by one of its
//! include patterns and by none of its exclude patterns.

use std::collections::{HashMap, HashSet};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::sheet::model::{Component, IdMap};
use crate::source::Span;

/// A glob that does not compile, with where it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobError {
    /// Index of the component in the sheet's `components`.
    pub component: usize,
    /// Index of the pattern in the component's `paths`.
    pub index: usize,
    pub pattern: String,
    pub span: Span,
    pub message: String,
}

/// All component globs, compiled.
#[derive(Debug, Clone)]
pub struct Matcher {
    include: Buckets,
    exclude: Buckets,
}

/// Which glob of the sheet a compiled glob is: its component and its index in `paths`.
pub type GlobId = (usize, usize);

/// Globs grouped by literal folder prefix, with the component and pattern each glob is.
#[derive(Debug, Clone, Default)]
struct Buckets {
    buckets: Vec<Bucket>,
    by_prefix: HashMap<String, usize>,
}

/// The globs of one literal prefix, in the order they were added: the fast-path ones answered
/// by [`Fast`], the rest by one [`GlobSet`].
#[derive(Debug, Clone, Default)]
struct Bucket {
    /// Every glob of the bucket, in order: the bucket-local index is the position here.
    owners: Vec<GlobId>,
    /// Fast-path globs with their bucket-local index, ascending.
    fast: Vec<(Fast, usize)>,
    /// The other globs, compiled into one set, with the bucket-local index of each.
    slow: Option<(GlobSet, Vec<usize>)>,
    /// The set did not build: the whole bucket matches nothing, as when every glob of it was
    /// in the set.
    broken: bool,
}

/// A glob shape answered without globset, with globset's exact semantics (`literal_separator`:
/// `*` never crosses `/`). The strings are plain literals (see [`fast_shape`]).
#[derive(Debug, Clone, PartialEq)]
enum Fast {
    /// `a/b.json`: the path itself.
    Literal(String),
    /// `DIR/**` (held as `DIR/`): everything under the folder, not the folder itself.
    Under(String),
    /// `DIR/**/*SUF` (held as `DIR/`, `SUF`): under the folder at any depth, the file name
    /// ending in `SUF`.
    UnderSuffix(String, String),
    /// `DIR/*SUF` (held as `DIR/`, `SUF`) or `*SUF` (`DIR/` empty): directly in the folder.
    InSuffix(String, String),
    /// `**/*SUF`: any file name ending in `SUF`, at any depth.
    AnySuffix(String),
}

impl Fast {
    fn is_match(&self, path: &str) -> bool {
        match self {
            Fast::Literal(l) => path == l,
            Fast::Under(dir) => path.starts_with(dir.as_str()),
            Fast::UnderSuffix(dir, suf) => {
                path.starts_with(dir.as_str()) && file_name(path).ends_with(suf.as_str())
            }
            Fast::InSuffix(dir, suf) => path
                .strip_prefix(dir.as_str())
                .is_some_and(|rest| !rest.contains('/') && rest.ends_with(suf.as_str())),
            Fast::AnySuffix(suf) => file_name(path).ends_with(suf.as_str()),
        }
    }
}

/// The part of a path after its last `/`.
fn file_name(path: &str) -> &str {
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// Whether globset reads every character of `s` as itself: no wildcard, class, alternate,
/// escape or negation character (`,` too, which is special inside alternates).
fn plain(s: &str) -> bool {
    !s.contains(['*', '?', '[', ']', '{', '}', '\\', '!', ','])
}

/// A file-name suffix the fast path may answer: plain, no `/`, not empty, and not ending in
/// `.` (globset finds no file name, hence no extension, in a path ending in `..`, so `*.` and
/// `*..` would disagree with it there).
fn plain_suffix(s: &str) -> bool {
    !s.is_empty() && plain(s) && !s.contains('/') && !s.ends_with('.')
}

/// The fast-path shape of a pattern (`./` already stripped, `!` already split off), or `None`
/// for globset. Each shape's semantics were checked against globset's regex and match
/// strategies, and are held to them by the differential test below.
fn fast_shape(pattern: &str) -> Option<Fast> {
    if plain(pattern) {
        return Some(Fast::Literal(pattern.to_owned()));
    }
    if let Some(dir) = pattern.strip_suffix("/**") {
        return (!dir.is_empty() && plain(dir)).then(|| Fast::Under(format!("{dir}/")));
    }
    if let Some(suf) = pattern.strip_prefix("**/*") {
        return plain_suffix(suf).then(|| Fast::AnySuffix(suf.to_owned()));
    }
    if let Some((dir, suf)) = pattern.split_once("/**/*") {
        return (!dir.is_empty() && plain(dir) && plain_suffix(suf))
            .then(|| Fast::UnderSuffix(format!("{dir}/"), suf.to_owned()));
    }
    if let Some(suf) = pattern.strip_prefix('*') {
        return plain_suffix(suf).then(|| Fast::InSuffix(String::new(), suf.to_owned()));
    }
    let (dir, suf) = pattern.rsplit_once("/*")?;
    (!dir.is_empty() && plain(dir) && plain_suffix(suf))
        .then(|| Fast::InSuffix(format!("{dir}/"), suf.to_owned()))
}

/// Globs being collected per prefix, before the sets are built.
#[derive(Default)]
struct BucketsBuilder {
    groups: Vec<(Bucket, GlobSetBuilder, Vec<usize>)>,
    by_prefix: HashMap<String, usize>,
    /// Whether fast-path shapes skip globset (false: the reference matcher, all globset).
    fast: bool,
}

impl BucketsBuilder {
    fn new(fast: bool) -> BucketsBuilder {
        BucketsBuilder {
            fast,
            ..BucketsBuilder::default()
        }
    }

    fn add(&mut self, pattern: &str, glob: Glob, id: GlobId) {
        let prefix = literal_prefix(pattern);
        let next = self.groups.len();
        let i = *self.by_prefix.entry(prefix.to_owned()).or_insert(next);
        if i == next {
            self.groups
                .push((Bucket::default(), GlobSetBuilder::new(), Vec::new()));
        }
        let (bucket, set, slow) = &mut self.groups[i];
        let local = bucket.owners.len();
        bucket.owners.push(id);
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        match self.fast.then(|| fast_shape(pattern)).flatten() {
            Some(f) => bucket.fast.push((f, local)),
            None => {
                set.add(glob);
                slow.push(local);
            }
        }
    }

    fn build(self) -> Buckets {
        Buckets {
            buckets: self
                .groups
                .into_iter()
                .map(|(mut bucket, set, slow)| {
                    if !slow.is_empty() {
                        match set.build() {
                            Ok(set) => bucket.slow = Some((set, slow)),
                            Err(_) => bucket.broken = true,
                        }
                    }
                    bucket
                })
                .collect(),
            by_prefix: self.by_prefix,
        }
    }
}

impl Bucket {
    /// The globs of this bucket that match `path`, in bucket order (as one set would give).
    fn hits(&self, path: &str, out: &mut Vec<GlobId>) {
        if self.broken {
            return;
        }
        let Some((set, slow)) = &self.slow else {
            let fast = self.fast.iter().filter(|(f, _)| f.is_match(path));
            out.extend(fast.map(|&(_, l)| self.owners[l]));
            return;
        };
        let mut local: Vec<usize> = set.matches(path).into_iter().map(|g| slow[g]).collect();
        local.extend(
            self.fast
                .iter()
                .filter(|(f, _)| f.is_match(path))
                .map(|&(_, l)| l),
        );
        local.sort_unstable();
        out.extend(local.into_iter().map(|l| self.owners[l]));
    }
}

impl Buckets {
    fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// The globs in these buckets that match `path`, unsorted.
    fn hits(&self, path: &str, out: &mut Vec<GlobId>) {
        if self.buckets.is_empty() {
            return;
        }
        // "" (globs starting with a wildcard), every ancestor folder, and the path itself.
        let ends = std::iter::once(0)
            .chain(path.match_indices('/').map(|(i, _)| i))
            .chain(std::iter::once(path.len()));
        for end in ends {
            if let Some(&i) = self.by_prefix.get(&path[..end]) {
                self.buckets[i].hits(path, out);
            }
        }
    }
}

/// The folder part of a pattern before its first wildcard: `src/checkout/*.ts` ->
/// `src/checkout`, `theme/**` -> `theme`, `**/*.md` -> the empty string. A literal path gives its folder.
fn literal_prefix(pattern: &str) -> &str {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    let literal_end = pattern
        .find(['*', '?', '[', ']', '{', '}', '\\', '!'])
        .unwrap_or(pattern.len());
    let literal = &pattern[..literal_end];
    // A fully literal pattern may name a folder-less file; stop at the last `/` either way.
    match literal.rfind('/') {
        Some(i) => &literal[..i],
        None => "",
    }
}

/// Compile one pattern with the sheet's semantics.
pub fn compile_glob(pattern: &str) -> Result<Glob, globset::Error> {
    let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .empty_alternates(true)
        .build()
}

impl Matcher {
    /// Compile every component's paths. Invalid globs are returned as errors and left out;
    /// the rest still compile, so one typo does not hide the other components.
    pub fn new(components: &IdMap<Component>) -> (Matcher, Vec<GlobError>) {
        Matcher::build(components, true)
    }

    /// The same matcher with every glob in globset, none on the fast path: the reference the
    /// fast path is tested against.
    #[doc(hidden)]
    pub fn new_reference(components: &IdMap<Component>) -> (Matcher, Vec<GlobError>) {
        Matcher::build(components, false)
    }

    fn build(components: &IdMap<Component>, fast: bool) -> (Matcher, Vec<GlobError>) {
        let mut include = BucketsBuilder::new(fast);
        let mut exclude = BucketsBuilder::new(fast);
        let mut errors = Vec::new();
        for (ci, c) in components.iter().enumerate() {
            let Some(paths) = &c.item.paths else { continue };
            for (pi, p) in paths.value.iter().enumerate() {
                let (negated, pattern) = match p.value.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, p.value.as_str()),
                };
                if pattern.trim().is_empty() {
                    errors.push(GlobError {
                        component: ci,
                        index: pi,
                        pattern: p.value.to_string(),
                        span: p.span,
                        message: "empty pattern".into(),
                    });
                    continue;
                }
                match compile_glob(pattern) {
                    Ok(g) if negated => exclude.add(pattern, g, (ci, pi)),
                    Ok(g) => include.add(pattern, g, (ci, pi)),
                    Err(e) => errors.push(GlobError {
                        component: ci,
                        index: pi,
                        pattern: p.value.to_string(),
                        span: p.span,
                        message: e.kind().to_string(),
                    }),
                }
            }
        }
        (
            Matcher {
                include: include.build(),
                exclude: exclude.build(),
            },
            errors,
        )
    }

    /// The components (indices, ascending, no repeats) a repository-relative path belongs to.
    pub fn components_for(&self, path: &str) -> Vec<usize> {
        let path = path.strip_prefix("./").unwrap_or(path);
        let mut hits = Vec::new();
        self.include.hits(path, &mut hits);
        if hits.is_empty() {
            return Vec::new();
        }
        let mut owners: Vec<usize> = hits.iter().map(|h| h.0).collect();
        owners.sort_unstable();
        owners.dedup();
        if !self.exclude.is_empty() {
            hits.clear();
            self.exclude.hits(path, &mut hits);
            owners.retain(|c| !hits.iter().any(|h| h.0 == *c));
        }
        owners
    }

    /// The positive (include) globs that match a repository-relative path, before excludes:
    /// what `component-matches-nothing` asks of each glob.
    pub fn include_globs_for(&self, path: &str, out: &mut Vec<GlobId>) {
        let path = path.strip_prefix("./").unwrap_or(path);
        self.include.hits(path, out);
    }

    /// How many positive globs compiled.
    pub fn include_count(&self) -> usize {
        self.include.buckets.iter().map(|b| b.owners.len()).sum()
    }

    /// The include globs that match at least one of `paths` (stopping once all have).
    pub fn matched_includes(&self, paths: &[String]) -> HashSet<GlobId> {
        let total = self.include_count();
        let mut matched = HashSet::new();
        let mut hits = Vec::new();
        for p in paths {
            if matched.len() >= total {
                break;
            }
            hits.clear();
            self.include_globs_for(p, &mut hits);
            matched.extend(hits.iter().copied());
        }
        matched
    }

    /// The folders a walk of the repository must enter to meet every file an include glob
    /// can match (see [`Folders`]).
    pub fn include_folders(&self) -> Folders {
        let prefixes: HashSet<String> = self.include.by_prefix.keys().cloned().collect();
        let mut ancestors = HashSet::new();
        for p in &prefixes {
            for (i, _) in p.match_indices('/') {
                ancestors.insert(p[..i].to_owned());
            }
        }
        Folders {
            everything: prefixes.contains(""),
            prefixes,
            ancestors,
        }
    }
}

/// The folders under which an include glob can match a file. A path is tested only against
/// the globs whose literal prefix is one of its ancestor folders (or the root, or the path
/// itself: see `Buckets::hits`), so a folder can hold a match only when it is a prefix, lies
/// under one, or is an ancestor of one. `component-matches-nothing` walks only these: a
/// large repository's other trees (`records/`, vendored code) are never listed.
#[derive(Debug, Clone)]
pub struct Folders {
    /// A glob's literal part names no folder (`**/*.md`, `*.js`, `README.md`): its bucket is
    /// the root's, and every folder is walked.
    everything: bool,
    prefixes: HashSet<String>,
    /// Every proper ancestor folder of a prefix.
    ancestors: HashSet<String>,
}

impl Folders {
    /// Whether a file under `dir` (repository-relative, `/`-separated, `""` for the root)
    /// can match an include glob.
    pub fn may_hold_matches(&self, dir: &str) -> bool {
        self.everything
            || dir.is_empty()
            || self.ancestors.contains(dir)
            || std::iter::once(dir.len())
                .chain(dir.match_indices('/').map(|(i, _)| i))
                .any(|end| self.prefixes.contains(&dir[..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{build, yaml};
    use crate::source::SourceFile;

    fn matcher(text: &str) -> (Matcher, Vec<GlobError>) {
        let src = SourceFile::new("g.yaml", text);
        let (sheet, _) = build::build(&src, yaml::parse(text).unwrap());
        Matcher::new(&sheet.components)
    }

    #[test]
    fn star_does_not_cross_slash_and_bang_excludes() {
        let (m, errs) = matcher(
            "components:\n  theme:\n    paths: ['theme/*.liquid', 'theme/**/*.js', '!theme/**/vendor/*.js']\n  docs:\n    paths: ['**/*.md']\n",
        );
        assert!(errs.is_empty());
        assert_eq!(m.components_for("theme/a.liquid"), vec![0]);
        assert!(m.components_for("theme/sub/a.liquid").is_empty());
        assert_eq!(m.components_for("theme/x/y/z.js"), vec![0]);
        assert!(m.components_for("theme/x/vendor/z.js").is_empty());
        assert_eq!(m.components_for("theme/README.md"), vec![1]);
    }

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("src/checkout/*.ts"), "src/checkout");
        assert_eq!(literal_prefix("./theme/**"), "theme");
        assert_eq!(literal_prefix("**/*.md"), "");
        assert_eq!(literal_prefix("a/{b,c}/x"), "a");
        assert_eq!(literal_prefix("a/b/c.json"), "a/b");
        assert_eq!(literal_prefix("top.json"), "");
        assert_eq!(literal_prefix("a/b\\*c/d"), "a");
    }

    #[test]
    fn buckets_match_like_one_set() {
        let (m, errs) = matcher(
            "components:\n  a:\n    paths: ['src/a/*.js', '**/*.css', 'x/**', 'lit/file.txt', '!src/a/skip.js']\n  b:\n    paths: ['src/*/*.js', 'x', '{src,lib}/b/**']\n",
        );
        assert!(errs.is_empty());
        assert_eq!(m.components_for("src/a/f.js"), vec![0, 1]);
        assert_eq!(m.components_for("src/a/skip.js"), vec![1]);
        assert_eq!(m.components_for("src/a/deeper/f.js"), Vec::<usize>::new());
        assert_eq!(m.components_for("deep/er/s.css"), vec![0]);
        assert_eq!(m.components_for("x/y/z"), vec![0]);
        assert_eq!(m.components_for("x"), vec![1]);
        assert_eq!(m.components_for("lit/file.txt"), vec![0]);
        assert_eq!(m.components_for("lib/b/q"), vec![1]);
        assert_eq!(m.components_for("./src/a/f.js"), vec![0, 1]);
    }

    /// A sheet whose components have these `paths`, one list per component.
    fn sheet_text(components: &[Vec<String>]) -> String {
        let mut yaml = String::from("components:\n");
        for (i, paths) in components.iter().enumerate() {
            let quoted: Vec<String> = paths
                .iter()
                .map(|p| serde_json::to_string(p).unwrap())
                .collect();
            yaml.push_str(&format!("  c{i}:\n    paths: [{}]\n", quoted.join(", ")));
        }
        yaml
    }

    /// The fast matcher and the all-globset reference agree on everything, for every path.
    fn assert_same_as_reference(components: &IdMap<Component>, paths: &[String]) {
        let (fast, fast_errors) = Matcher::new(components);
        let (reference, reference_errors) = Matcher::new_reference(components);
        assert_eq!(fast_errors, reference_errors);
        assert_eq!(fast.include_count(), reference.include_count());
        for path in paths {
            assert_eq!(
                fast.components_for(path),
                reference.components_for(path),
                "components_for({path:?})"
            );
            let (mut a, mut b) = (Vec::new(), Vec::new());
            fast.include_globs_for(path, &mut a);
            reference.include_globs_for(path, &mut b);
            assert_eq!(a, b, "include_globs_for({path:?})");
            // A walk that enters only `include_folders` still meets every file a glob matches.
            if !a.is_empty() {
                let folders = fast.include_folders();
                let path = path.strip_prefix("./").unwrap_or(path);
                for (i, _) in path.match_indices('/') {
                    assert!(
                        folders.may_hold_matches(&path[..i]),
                        "{path:?} matches {a:?}, but its folder {:?} is not walked",
                        &path[..i]
                    );
                }
            }
        }
    }

    fn assert_text_same_as_reference(text: &str, paths: &[String]) {
        let src = SourceFile::new("g.yaml", text);
        let (sheet, _) = build::build(&src, yaml::parse(text).unwrap());
        assert_same_as_reference(&sheet.components, paths);
    }

    #[test]
    fn fast_shapes() {
        let under = |d: &str| Some(Fast::Under(d.into()));
        assert_eq!(fast_shape("src/part-1/**"), under("src/part-1/"));
        assert_eq!(fast_shape("a//**"), under("a//"));
        assert_eq!(fast_shape("/**"), None);
        assert_eq!(fast_shape("**"), None);
        assert_eq!(fast_shape("a*/**"), None);
        assert_eq!(
            fast_shape("a/**/*.md"),
            Some(Fast::UnderSuffix("a/".into(), ".md".into()))
        );
        assert_eq!(fast_shape("**/*.md"), Some(Fast::AnySuffix(".md".into())));
        assert_eq!(
            fast_shape("*.md"),
            Some(Fast::InSuffix("".into(), ".md".into()))
        );
        assert_eq!(
            fast_shape("a/b/*.d.ts"),
            Some(Fast::InSuffix("a/b/".into(), ".d.ts".into()))
        );
        assert_eq!(
            fast_shape("a/b.json"),
            Some(Fast::Literal("a/b.json".into()))
        );
        // Trailing dots, globbed folders, classes, alternates, escapes: globset.
        for p in [
            "**/*.",
            "*..",
            "a/*/*.md",
            "a/**/b/*.md",
            "a/[bc]/**",
            "{a,b}/**",
            "a\\b",
        ] {
            assert_eq!(fast_shape(p), None, "{p}");
        }
        assert_eq!(fast_shape("**/*"), None);
        assert_eq!(fast_shape("a/*"), None);
    }

    #[test]
    fn fast_path_matches_globset_on_its_edges() {
        let patterns = [
            "a/**",
            "a//**",
            "a/**/*.md",
            "**/*.md",
            "*.md",
            "a/*.md",
            "a/b",
            "a/",
            ".md",
            "./a/**",
            "././a/**",
            "a/**/*.",
            "*.",
            "**/*..",
            "a/**/*.d.ts",
            "a/*md",
            "é/**/*.日",
            "x.md/**/*.md",
            "x.md/*.md",
        ];
        let components: Vec<Vec<String>> = patterns.iter().map(|p| vec![(*p).to_owned()]).collect();
        let paths = [
            "a",
            "a/",
            "a//",
            "a/x",
            "a/x/y",
            "a//x.md",
            "a/.md",
            ".md",
            "x.md",
            "/x.md",
            "a/b/c.md",
            "a/b",
            "./a/b",
            "./a/x.md",
            "a/..",
            "..",
            "a/x.",
            "a/x..",
            "a/.",
            "a/x.d.ts",
            "a/md",
            "a/x\ny.md",
            "é/x/y.日",
            "é/.日",
            "b/a/x.md",
            "./.md",
            "",
            "x.md",
            "x.md/",
            "x.md/.md",
        ];
        let paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
        assert_text_same_as_reference(&sheet_text(&components), &paths);
        // Excludes too, and several globs in one bucket mixing both paths.
        let mixed = vec![
            "a/**".to_owned(),
            "a/*/*.md".into(),
            "!a/**/*.md".into(),
            "a/{x,y}.md".into(),
            "a/x.md".into(),
        ];
        assert_text_same_as_reference(&sheet_text(&[mixed.clone(), mixed]), &paths);
    }

    #[test]
    fn generated_sheet_shape_matches_globset() {
        // scripts/gen-sheet.py's components: `src/part-N/**` and `!src/part-N/**/*.md`.
        let components: Vec<Vec<String>> = (0..50)
            .map(|i| vec![format!("src/part-{i}/**"), format!("!src/part-{i}/**/*.md")])
            .collect();
        let mut paths = Vec::new();
        for i in 0..55 {
            for f in ["index.js", "README.md", "a/b.md", "a/b.js", ".md", ""] {
                paths.push(format!("src/part-{i}/{f}"));
            }
            paths.push(format!("src/part-{i}"));
        }
        assert_text_same_as_reference(&sheet_text(&components), &paths);
    }

    #[test]
    fn example_sheets_match_globset() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut seen = 0;
        for entry in std::fs::read_dir(&root).unwrap() {
            let dir = entry.unwrap().path();
            let Ok(bytes) = std::fs::read(dir.join("governance.yaml")) else {
                continue;
            };
            let loaded = crate::sheet::load("governance.yaml", bytes);
            let sheet = loaded.sheet.unwrap();
            let mut paths: Vec<String> = walkdir::WalkDir::new(&dir)
                .into_iter()
                .filter_map(Result::ok)
                .map(|e| {
                    let rel = e.path().strip_prefix(&dir).unwrap();
                    rel.to_string_lossy().replace('\\', "/")
                })
                .collect();
            // And paths built from the patterns themselves: the globs' own folders.
            for c in sheet.components.iter() {
                for p in c.item.paths.iter().flat_map(|p| p.value.iter()) {
                    let p = p.value.trim_start_matches('!');
                    let lit = literal_prefix(p);
                    for f in ["x.md", "x.js", "a/b/c.ts", "", ".liquid"] {
                        paths.push(format!("{lit}/{f}"));
                    }
                    paths.push(p.replace("**", "x/y").replace('*', "z"));
                }
            }
            assert_same_as_reference(&sheet.components, &paths);
            seen += 1;
        }
        assert!(seen >= 2, "examples with a governance.yaml: {seen}");
    }

    mod differential {
        use super::*;
        use proptest::prelude::*;

        /// Pattern pieces: the fast shapes' parts and their near misses.
        fn piece() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "src", "a", "b", "a.b", ".", "..", "", "*", "**", "*.md", "*.", "*..", "*.d.ts",
                "*md", "x*", "*.é", "日", "é.md", "[ab]", "{a,b}", "?", "a,b", ".md", "md",
            ])
            .prop_map(str::to_owned)
        }

        /// Path pieces: no wildcards, same vocabulary, plus names only paths have.
        fn path_piece() -> impl Strategy<Value = String> {
            prop::sample::select(vec![
                "src", "a", "b", "a.b", ".", "..", "", "x.md", ".md", "md", "x.", "x..", "x.d.ts",
                "d.ts", "é.md", "x.é", "日", "a\nb.md", "*", "{a,b}", "a,b", "ab",
            ])
            .prop_map(str::to_owned)
        }

        /// The fast shapes with random literal folders and suffixes (near misses included).
        fn shaped() -> impl Strategy<Value = String> {
            let dir = prop::collection::vec(path_piece(), 0..4).prop_map(|d| d.join("/"));
            let suffix = prop::sample::select(vec![
                ".md", "md", ".", "..", ".d.ts", "é.md", "b", "", "a.b", "/x",
            ]);
            let shape = prop::sample::select(vec![
                "{d}/**",
                "{d}/**/*{s}",
                "**/*{s}",
                "{d}/*{s}",
                "*{s}",
                "{d}/{s}",
                "{d}{s}",
            ]);
            (dir, suffix, shape)
                .prop_map(|(d, s, shape)| shape.replace("{d}", &d).replace("{s}", s))
        }

        fn pattern() -> impl Strategy<Value = String> {
            (
                prop_oneof![
                    prop::collection::vec(piece(), 1..5),
                    shaped().prop_map(|p| vec![p])
                ],
                any::<bool>(),
                0..4u8,
                any::<bool>(),
            )
                .prop_map(|(pieces, bang, lead, trailing)| {
                    let mut p = pieces.join("/");
                    if trailing {
                        p.push('/');
                    }
                    let lead = ["", "./", "././", "/"][lead as usize];
                    format!("{}{lead}{p}", if bang { "!" } else { "" })
                })
        }

        fn path() -> impl Strategy<Value = String> {
            (
                prop::collection::vec(path_piece(), 1..6),
                any::<bool>(),
                any::<bool>(),
            )
                .prop_map(|(pieces, dot, trailing)| {
                    let mut p = pieces.join("/");
                    if trailing {
                        p.push('/');
                    }
                    if dot { format!("./{p}") } else { p }
                })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]
            #[test]
            fn fast_matcher_is_globset(
                components in prop::collection::vec(prop::collection::vec(pattern(), 1..6), 1..4),
                paths in prop::collection::vec(path(), 1..24),
            ) {
                // Every pattern also as a path (and with its wildcards filled in): hits.
                let mut paths = paths;
                for p in components.iter().flatten() {
                    let p = p.trim_start_matches('!');
                    paths.push(p.to_owned());
                    paths.push(p.replace("**", "a/b").replace('*', "x"));
                    paths.push(p.replace("/**", "").replace('*', ""));
                    // The glob's folder itself, with and without its slash.
                    let folder = &p[..p.find('*').unwrap_or(p.len())];
                    paths.push(folder.to_owned());
                    paths.push(folder.trim_end_matches('/').to_owned());
                }
                assert_text_same_as_reference(&sheet_text(&components), &paths);
            }
        }
    }

    #[test]
    fn only_the_folders_a_glob_can_match_under_are_walked() {
        let (m, _) = matcher(
            "components:\n  a:\n    paths: ['theme/**', 'shared/tracking/*.js', '!records/**']\n  b:\n    paths: [apps/pay/x.json]\n",
        );
        let folders = m.include_folders();
        for dir in [
            "",
            "theme",
            "theme/a/b",
            "shared",
            "shared/tracking",
            "apps",
            "apps/pay",
        ] {
            assert!(folders.may_hold_matches(dir), "{dir}");
        }
        for dir in [
            "records",
            "shared/other",
            "themes",
            "apps/payment",
            "sharedx",
            "apps/pay2",
        ] {
            assert!(!folders.may_hold_matches(dir), "{dir}");
        }
        let (m, _) = matcher("components:\n  a:\n    paths: ['theme/**', '**/*.md']\n");
        assert!(m.include_folders().may_hold_matches("records/deep"));
    }

    #[test]
    fn invalid_globs_are_reported_with_their_span() {
        let (m, errs) = matcher("components:\n  a:\n    paths: ['src/[a', 'ok/**']\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pattern, "src/[a");
        assert_eq!(m.components_for("ok/x"), vec![0]);
    }
}
