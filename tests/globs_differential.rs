//! The component globs' fast path against globset alone, on the generated sheet (the shape of
//! `scripts/gen-sheet.py`) with its source files: every path must get the same components and
//! the same include globs, in the same order, from `Matcher::new` and `Matcher::new_reference`.

#[path = "../benches/common/mod.rs"]
mod common;

use govsheet::globs::Matcher;
use govsheet::sheet;

#[test]
fn generated_sheet_and_files_match_globset() {
    let shape = common::Shape::new(10_000);
    let loaded = sheet::load(
        "governance.yaml",
        common::sheet(&shape, Some("records")).into_bytes(),
    );
    let sheet = loaded.sheet.expect("the generated sheet loads");
    assert_eq!(sheet.components.len(), shape.components);
    let mut paths: Vec<String> = common::repo_files(&shape)
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(paths.len() >= shape.components);
    // Near the files: the excluded Markdown, deeper files, the folders, one past the last.
    for i in 0..=shape.components {
        for f in ["README.md", "a/b/c.md", "a/b/c.js", ".md", ""] {
            paths.push(format!("src/part-{i}/{f}"));
        }
        paths.push(format!("src/part-{i}"));
        paths.push(format!("./src/part-{i}/x.md"));
    }
    let (fast, fast_errors) = Matcher::new(&sheet.components);
    let (reference, reference_errors) = Matcher::new_reference(&sheet.components);
    assert_eq!(fast_errors, reference_errors);
    assert!(fast_errors.is_empty());
    assert_eq!(fast.include_count(), reference.include_count());
    let mut matched = 0;
    for path in &paths {
        let got = fast.components_for(path);
        assert_eq!(got, reference.components_for(path), "{path}");
        matched += usize::from(!got.is_empty());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        fast.include_globs_for(path, &mut a);
        reference.include_globs_for(path, &mut b);
        assert_eq!(a, b, "{path}");
    }
    // Each component has its own file, the deeper `.js` and `src/part-N/` (which `**` matches:
    // it matches everything after the folder's `/`); no Markdown, nothing of part-N+1.
    assert_eq!(matched, 3 * shape.components);
}
