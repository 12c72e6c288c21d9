//! Component globs: every component's `paths` compiled once into one [`GlobSet`] so that a
//! changed file is matched against all components in one pass.
//!
//! Semantics (the sheet format's): paths are relative to the repository root with `/`
//! separators; `*` and `?` never cross `/`; `**` spans directories; a pattern starting with
//! `!` excludes files from its component. A component's files are those matched by one of its
//! include patterns and by none of its exclude patterns.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::sheet::model::{Component, IdMap};
use crate::sheet::source::Span;

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
    include: GlobSet,
    exclude: GlobSet,
    /// glob index in `include` -> component index
    include_owner: Vec<usize>,
    exclude_owner: Vec<usize>,
    components: usize,
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
        let mut include = GlobSetBuilder::new();
        let mut exclude = GlobSetBuilder::new();
        let mut include_owner = Vec::new();
        let mut exclude_owner = Vec::new();
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
                    Ok(g) if negated => {
                        exclude.add(g);
                        exclude_owner.push(ci);
                    }
                    Ok(g) => {
                        include.add(g);
                        include_owner.push(ci);
                    }
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
        let include = include.build().unwrap_or_else(|_| GlobSet::empty());
        let exclude = exclude.build().unwrap_or_else(|_| GlobSet::empty());
        (
            Matcher {
                include,
                exclude,
                include_owner,
                exclude_owner,
                components: components.len(),
            },
            errors,
        )
    }

    /// The components (indices, ascending, no repeats) a repository-relative path belongs to.
    pub fn components_for(&self, path: &str) -> Vec<usize> {
        let path = path.strip_prefix("./").unwrap_or(path);
        let hits = self.include.matches(path);
        if hits.is_empty() {
            return Vec::new();
        }
        let mut owners: Vec<usize> = hits.into_iter().map(|i| self.include_owner[i]).collect();
        owners.sort_unstable();
        owners.dedup();
        if !self.exclude.is_empty() {
            let excluded: Vec<usize> = self
                .exclude
                .matches(path)
                .into_iter()
                .map(|i| self.exclude_owner[i])
                .collect();
            owners.retain(|c| !excluded.contains(c));
        }
        owners
    }

    /// How many components the matcher was built over.
    pub fn component_count(&self) -> usize {
        self.components
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::{model, source::SourceFile, yaml};

    fn matcher(text: &str) -> (Matcher, Vec<GlobError>) {
        let src = SourceFile::new("g.yaml", text);
        let (sheet, _) = model::build(&src, yaml::parse(text).unwrap());
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
    fn invalid_globs_are_reported_with_their_span() {
        let (m, errs) = matcher("components:\n  a:\n    paths: ['src/[a', 'ok/**']\n");
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].pattern, "src/[a");
        assert_eq!(m.components_for("ok/x"), vec![0]);
    }
}
