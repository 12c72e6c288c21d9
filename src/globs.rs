//! Component globs: every component's `paths` compiled once, so that a changed file is matched
//! against all components without a loop over globs.
//!
//! The globs are grouped by their literal folder prefix (`src/checkout/*.ts` -> `src/checkout`),
//! one [`GlobSet`] per prefix, and a path queries only the sets of its own ancestor folders.
//! One set for everything is slow when many globs share an extension: globset then tries each
//! `dir/*.js` regex in turn on every `.js` path (1,000 such globs made 100,000 paths take 18 s).
//!
//! Semantics (the sheet format's): paths are relative to the repository root with `/`
//! separators; `*` and `?` never cross `/`; `**` spans directories; a pattern starting with
//! `!` excludes files from its component. A component's files are those matched by one of its
//! include patterns and by none of its exclude patterns.

use std::collections::HashMap;

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

/// Globs grouped by literal folder prefix: one [`GlobSet`] per prefix, with the component
/// and pattern each glob is.
#[derive(Debug, Clone, Default)]
struct Buckets {
    sets: Vec<(GlobSet, Vec<GlobId>)>,
    by_prefix: HashMap<String, usize>,
}

/// Globs being collected per prefix, before they are built into sets.
#[derive(Default)]
struct BucketsBuilder {
    groups: Vec<(GlobSetBuilder, Vec<GlobId>)>,
    by_prefix: HashMap<String, usize>,
}

impl BucketsBuilder {
    fn add(&mut self, pattern: &str, glob: Glob, id: GlobId) {
        let prefix = literal_prefix(pattern);
        let next = self.groups.len();
        let i = *self.by_prefix.entry(prefix.to_owned()).or_insert(next);
        if i == next {
            self.groups.push((GlobSetBuilder::new(), Vec::new()));
        }
        self.groups[i].0.add(glob);
        self.groups[i].1.push(id);
    }

    fn build(self) -> Buckets {
        Buckets {
            sets: self
                .groups
                .into_iter()
                .map(|(b, owners)| (b.build().unwrap_or_else(|_| GlobSet::empty()), owners))
                .collect(),
            by_prefix: self.by_prefix,
        }
    }
}

impl Buckets {
    fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    /// The globs in these buckets that match `path`, unsorted.
    fn hits(&self, path: &str, out: &mut Vec<GlobId>) {
        if self.sets.is_empty() {
            return;
        }
        // "" (globs starting with a wildcard), every ancestor folder, and the path itself.
        let ends = std::iter::once(0)
            .chain(path.match_indices('/').map(|(i, _)| i))
            .chain(std::iter::once(path.len()));
        for end in ends {
            if let Some(&i) = self.by_prefix.get(&path[..end]) {
                let (set, owners) = &self.sets[i];
                out.extend(set.matches(path).into_iter().map(|g| owners[g]));
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
        let mut include = BucketsBuilder::default();
        let mut exclude = BucketsBuilder::default();
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
                        pattern: p.value.clone(),
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
                        pattern: p.value.clone(),
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
        self.include.sets.iter().map(|(_, ids)| ids.len()).sum()
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

    #[test]
    fn invalid_globs_are_reported_with_their_span() {
        let (m, errs) = matcher("components:\n  a:\n    paths: ['src/[a', 'ok/**']\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pattern, "src/[a");
        assert_eq!(m.components_for("ok/x"), vec![0]);
    }
}
