//! In-process benchmarks of `check` over generated sheets of 10 to 10,000 events
//! (`cargo bench --bench check`). `scripts/bench.sh` measures the whole process instead.

mod common;

use std::path::PathBuf;

use common::Shape;
use govsheet::{cli::workspace, report, sheet};

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn main() {
    divan::main();
}

/// Decode, parse, schema-check and build the model of a sheet held in memory.
#[divan::bench(args = SIZES, sample_count = 10)]
fn load(bencher: divan::Bencher<'_, '_>, events: usize) {
    let text = common::sheet(&Shape::new(events), None);
    bencher
        .with_inputs(|| text.clone().into_bytes())
        .bench_values(|bytes| sheet::load("governance.yaml", bytes));
}

/// Only the YAML step: text to span tree.
#[divan::bench(args = SIZES, sample_count = 10)]
fn parse_yaml(bencher: divan::Bencher<'_, '_>, events: usize) {
    let text = common::sheet(&Shape::new(events), None);
    bencher.bench(|| sheet::yaml::parse(&text));
}

/// The YAML step without its fast path: granit-parser's events to span tree (the reference the
/// fast path is checked against, and what every sheet took before it).
#[divan::bench(args = SIZES, sample_count = 10)]
fn parse_yaml_reference(bencher: divan::Bencher<'_, '_>, events: usize) {
    let text = common::sheet(&Shape::new(events), None);
    bencher.bench(|| sheet::yaml::parse_reference(&text));
}

/// Only the JSON Schema step over an already parsed tree.
#[divan::bench(args = SIZES, sample_count = 10)]
fn schema(bencher: divan::Bencher<'_, '_>, events: usize) {
    let text = common::sheet(&Shape::new(events), None);
    let source = govsheet::source::SourceFile::new("governance.yaml", text);
    let root = sheet::parse_yaml(&source).expect("generated sheets parse");
    bencher.bench(|| sheet::schema::validate(&source, &root));
}

/// A sheet on disk with `records_dir` holding one record file per event.
#[divan::bench(args = SIZES, sample_count = 5)]
fn load_with_records_dir(bencher: divan::Bencher<'_, '_>, events: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let shape = Shape::new(events);
    std::fs::create_dir_all(dir.path().join("records")).expect("records dir");
    for (name, text) in common::record_files(&shape) {
        std::fs::write(dir.path().join("records").join(name), text).expect("record file");
    }
    let path: PathBuf = dir.path().join("governance.yaml");
    std::fs::write(&path, common::sheet(&shape, Some("records"))).expect("sheet");
    bencher.bench(|| workspace::load_sheet(&path).map(|s| s.loaded.findings.len()));
}

/// Rendering many findings (one per event: every owner reference made unknown-key bad).
#[divan::bench(args = SIZES, sample_count = 10)]
fn render_findings(bencher: divan::Bencher<'_, '_>, events: usize) {
    let text = common::sheet(&Shape::new(events), None).replace("    meaning:", "    meanign:");
    let loaded = sheet::load("governance.yaml", text.into_bytes());
    bencher.bench(|| {
        let human =
            report::human::render(&loaded.findings, 1, report::human::HumanOptions::default());
        let json = report::json::render(&loaded.findings, 1);
        human.len() + json.len()
    });
}

/// The shipped example's stages, one by one (a pre-commit hook runs on sheets of this size).
mod example {
    use govsheet::sheet;

    const TEXT: &str = include_str!("../examples/shopify-store/governance.yaml");

    #[divan::bench]
    fn parse_yaml() -> usize {
        sheet::yaml::parse(divan::black_box(TEXT)).map_or(0, |n| n.span.end())
    }

    #[divan::bench]
    fn schema(bencher: divan::Bencher<'_, '_>) {
        let source = govsheet::source::SourceFile::new("governance.yaml", TEXT.to_owned());
        let root = sheet::parse_yaml(&source).expect("the example parses");
        bencher.bench(|| sheet::schema::validate(&source, &root));
    }

    #[divan::bench]
    fn load() -> usize {
        sheet::load("governance.yaml", TEXT.as_bytes().to_vec())
            .findings
            .len()
    }
}
