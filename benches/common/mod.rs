//! Generated governance sheets of any size, shared by the benchmarks (`benches/check.rs`) and
//! the tests that need a large sheet (`tests/cli_check.rs`).
//!
//! A sheet of `n` events has sizes proportional to it, as a real team's would grow: n/10
//! owners, n/5 systems, components and retests, n/2 records in the sheet and `n` more record
//! files for `records_dir` (written by the caller). Every reference resolves, so a generated
//! sheet is clean: what is measured is the work of checking a valid sheet, not of reporting.
//! `scripts/gen-sheet.py` writes the same shape for the whole-process benchmark.

#![allow(dead_code)] // each including crate uses part of it

use std::fmt::Write;

/// How many of each section a sheet of `events` events holds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shape {
    pub events: usize,
    pub owners: usize,
    pub systems: usize,
    pub components: usize,
    pub retests: usize,
    pub records: usize,
    pub record_files: usize,
    /// Write each event on one line in flow style (about a fifth of the bytes), so that
    /// 20,000 events fit under the 16 MiB file limit.
    pub compact: bool,
}

impl Shape {
    pub(crate) fn new(events: usize) -> Self {
        Self {
            events,
            owners: (events / 10).max(2),
            systems: (events / 5).max(3),
            components: (events / 5).max(2),
            retests: (events / 5).max(2),
            records: events / 2,
            record_files: events,
            compact: false,
        }
    }
}

fn owner(i: usize, s: &Shape) -> String {
    format!("owner-{}", i % s.owners)
}

fn retest(i: usize, s: &Shape) -> String {
    format!("retest-{}", i % s.retests)
}

/// The text of a sheet with `shape.events` events. `records_dir` names the folder of record
/// files when some are written.
pub(crate) fn sheet(shape: &Shape, records_dir: Option<&str>) -> String {
    let s = shape;
    let mut out = String::with_capacity(s.events * 1200 + 4096);
    out.push_str("version: 1\nsheet:\n  name: Generated store\n  dataset: \"1234567890\"\n  platform: shopify\n");
    out.push_str("owners:\n");
    for i in 0..s.owners {
        let _ = writeln!(
            out,
            "  owner-{i}: {{name: Owner {i}, contact: \"#team-{i}\", role: tracking}}"
        );
    }
    out.push_str("systems:\n");
    let kinds = [
        "order-system",
        "payment",
        "catalog",
        "cart",
        "browser",
        "server",
    ];
    for i in 0..s.systems {
        let _ = writeln!(
            out,
            "  system-{i}:\n    kind: {}\n    owner: {}\n    description: System number {i}, a source of truth.",
            kinds[i % kinds.len()],
            owner(i, s)
        );
    }
    out.push_str("events:\n");
    for i in 0..s.events {
        let name = if i == 0 {
            "Purchase".to_owned()
        } else {
            format!("Event{i:05}")
        };
        let sys = |k: usize| format!("system-{}", (i + k) % s.systems);
        if s.compact {
            let _ = writeln!(
                out,
                "  {name}: {{meaning: Action {i}., owner: {o}, server: {{system: {g}, fires_on: hook}}, parameters: {{value: {{source_of_truth: {g}, owner: {o}, required: true}}}}, triggers: [component-{t}], retests: [{r}], rollback: {{rule: Revert., pause: [budget], resume_when: Clean days.}}}}",
                o = owner(i, s),
                g = sys(0),
                t = i % s.components,
                r = retest(i, s),
            );
            continue;
        }
        let _ = write!(
            out,
            "  {name}:\n    meaning: The business action number {i}, one per order.\n    owner: {o}\n    browser: {{system: {b}, fires_on: page {i}}}\n    server: {{system: {sv}, fires_on: webhook {i}}}\n    event_id:\n      logic: Both paths derive the id from order {i}.\n      format: ev{i}-{{order_id}}\n      generated_by: {g}\n    parameters:\n      value: {{source_of_truth: {g}, owner: {o}, required: true, note: order total}}\n      currency: {{source_of_truth: {g}, owner: {o}, required: true}}\n      content_ids: {{source_of_truth: {c}, owner: {o}, required: true}}\n    triggers: [component-{t1}, component-{t2}]\n    retests: [{r1}, {r2}]\n    rollback:\n      rule: Revert the last change to component {t1}.\n      pause: [budget, roas]\n      resume_when: Three days within 3% of orders.\n",
            o = owner(i, s),
            b = sys(1),
            sv = sys(2),
            g = sys(0),
            c = sys(3),
            t1 = i % s.components,
            t2 = (i + 1) % s.components,
            r1 = retest(i, s),
            r2 = retest(i + 1, s),
        );
    }
    out.push_str("components:\n");
    for i in 0..s.components {
        let _ = write!(
            out,
            "  component-{i}:\n    description: Part {i} of the store.\n    owner: {}\n    risk: Events of part {i} stop.\n    paths: [\"src/part-{i}/**\", \"!src/part-{i}/**/*.md\"]\n    retests: [{}]\n",
            owner(i, s),
            retest(i, s)
        );
        if i > 0 {
            let _ = writeln!(out, "    depends_on: [component-{}]", i / 2);
        }
    }
    out.push_str("retests:\n");
    for i in 0..s.retests {
        let _ = writeln!(
            out,
            "  retest-{i}:\n    title: Retest {i}\n    method: Place a test order and compare browser and server events in Test Events.\n    owner: {}\n    max_age: 30d",
            owner(i, s)
        );
    }
    if s.records > 0 {
        out.push_str("records:\n");
        for i in 0..s.records {
            out.push_str(&record_item(i, s, "  - ", "    "));
        }
    }
    if let Some(dir) = records_dir {
        let _ = writeln!(out, "records_dir: {dir}");
    }
    out.push_str("incidents:\n  - id: inc-1\n    opened: 2026-11-10\n    events: [Purchase]\n    symptom: Purchases up 40%.\n    suspected_change: component-0\n    first_action: Sampled 10 orders.\n    paused: [budget]\n    owner: owner-0\n    status: resolved\n    resolved: 2026-11-12\n    fix: Reverted.\n    resume_when: Three clean days.\n");
    out.push_str("reviews:\n  - cadence: weekly\n    scope: Purchase count against orders.\n    owner: owner-0\n    last: 2026-11-24\n");
    out
}

fn record_item(i: usize, s: &Shape, first: &str, rest: &str) -> String {
    format!(
        "{first}retest: {}\n{rest}date: 2026-11-{:02}\n{rest}result: pass\n{rest}by: {}\n{rest}evidence: Test Events screenshots for run {i}.\n",
        retest(i, s),
        1 + i % 24,
        owner(i, s)
    )
}

/// The repository files the components' paths match: (path, text), one per component, so
/// that `component-matches-nothing` has something to find.
pub(crate) fn repo_files(shape: &Shape) -> Vec<(String, String)> {
    (0..shape.components)
        .map(|i| {
            (
                format!("src/part-{i}/index.js"),
                format!("export const part = {i};\n"),
            )
        })
        .collect()
}

/// The record files of `records_dir`: (file name, text), one record each.
pub(crate) fn record_files(shape: &Shape) -> Vec<(String, String)> {
    (0..shape.record_files)
        .map(|i| {
            (
                format!("2026-11-{:02}-run-{i:05}.yaml", 1 + i % 24),
                record_item(i, shape, "", ""),
            )
        })
        .collect()
}
