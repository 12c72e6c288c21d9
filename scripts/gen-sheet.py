#!/usr/bin/env python3
"""Write a generated governance sheet of N events, and N record files, into a folder.

The same shape as benches/common/mod.rs (byte for byte; tests/bench_generator.rs checks it):
n/10 owners, n/5 systems, components and retests, n/2 records in the sheet, n record files in
`records/`, and one source file per component under `src/` for its paths to match. Every reference resolves, so the sheet is clean.

    scripts/gen-sheet.py 1000 /tmp/sheet-1000        # writes governance.yaml and records/
"""
import os
import sys

KINDS = ["order-system", "payment", "catalog", "cart", "browser", "server"]


class Shape:
    def __init__(self, events):
        self.events = events
        self.owners = max(events // 10, 2)
        self.systems = max(events // 5, 3)
        self.components = max(events // 5, 2)
        self.retests = max(events // 5, 2)
        self.records = events // 2
        self.record_files = events


def owner(i, s):
    return f"owner-{i % s.owners}"


def retest(i, s):
    return f"retest-{i % s.retests}"


def record_item(i, s, first, rest):
    return (
        f"{first}retest: {retest(i, s)}\n{rest}date: 2026-11-{1 + i % 24:02}\n"
        f"{rest}result: pass\n{rest}by: {owner(i, s)}\n"
        f"{rest}evidence: Test Events screenshots for run {i}.\n"
    )


def sheet(s, records_dir=None):
    out = ["version: 1\nsheet:\n  name: Generated store\n  dataset: \"1234567890\"\n  platform: shopify\n"]
    out.append("owners:\n")
    for i in range(s.owners):
        out.append(f"  owner-{i}: {{name: Owner {i}, contact: \"#team-{i}\", role: tracking}}\n")
    out.append("systems:\n")
    for i in range(s.systems):
        out.append(
            f"  system-{i}:\n    kind: {KINDS[i % len(KINDS)]}\n    owner: {owner(i, s)}\n"
            f"    description: System number {i}, a source of truth.\n"
        )
    out.append("events:\n")
    for i in range(s.events):
        name = "Purchase" if i == 0 else f"Event{i:05}"

        def sys_(k):
            return f"system-{(i + k) % s.systems}"

        o, g = owner(i, s), sys_(0)
        t1, t2 = i % s.components, (i + 1) % s.components
        out.append(
            f"  {name}:\n    meaning: The business action number {i}, one per order.\n"
            f"    owner: {o}\n    browser: {{system: {sys_(1)}, fires_on: page {i}}}\n"
            f"    server: {{system: {sys_(2)}, fires_on: webhook {i}}}\n"
            f"    event_id:\n      logic: Both paths derive the id from order {i}.\n"
            f"      format: ev{i}-{{order_id}}\n      generated_by: {g}\n"
            f"    parameters:\n"
            f"      value: {{source_of_truth: {g}, owner: {o}, required: true, note: order total}}\n"
            f"      currency: {{source_of_truth: {g}, owner: {o}, required: true}}\n"
            f"      content_ids: {{source_of_truth: {sys_(3)}, owner: {o}, required: true}}\n"
            f"    triggers: [component-{t1}, component-{t2}]\n"
            f"    retests: [{retest(i, s)}, {retest(i + 1, s)}]\n"
            f"    rollback:\n      rule: Revert the last change to component {t1}.\n"
            f"      pause: [budget, roas]\n      resume_when: Three days within 3% of orders.\n"
        )
    out.append("components:\n")
    for i in range(s.components):
        out.append(
            f"  component-{i}:\n    description: Part {i} of the store.\n    owner: {owner(i, s)}\n"
            f"    risk: Events of part {i} stop.\n"
            f"    paths: [\"src/part-{i}/**\", \"!src/part-{i}/**/*.md\"]\n"
            f"    retests: [{retest(i, s)}]\n"
        )
        if i > 0:
            out.append(f"    depends_on: [component-{i // 2}]\n")
    out.append("retests:\n")
    for i in range(s.retests):
        out.append(
            f"  retest-{i}:\n    title: Retest {i}\n"
            f"    method: Place a test order and compare browser and server events in Test Events.\n"
            f"    owner: {owner(i, s)}\n    max_age: 30d\n"
        )
    if s.records > 0:
        out.append("records:\n")
        for i in range(s.records):
            out.append(record_item(i, s, "  - ", "    "))
    if records_dir:
        out.append(f"records_dir: {records_dir}\n")
    out.append(
        "incidents:\n  - id: inc-1\n    opened: 2026-11-10\n    events: [Purchase]\n"
        "    symptom: Purchases up 40%.\n    suspected_change: component-0\n"
        "    first_action: Sampled 10 orders.\n    paused: [budget]\n    owner: owner-0\n"
        "    status: resolved\n    resolved: 2026-11-12\n    fix: Reverted.\n"
        "    resume_when: Three clean days.\n"
    )
    out.append(
        "reviews:\n  - cadence: weekly\n    scope: Purchase count against orders.\n"
        "    owner: owner-0\n    last: 2026-11-24\n"
    )
    return "".join(out)


def record_files(s):
    return [
        (f"2026-11-{1 + i % 24:02}-run-{i:05}.yaml", record_item(i, s, "", ""))
        for i in range(s.record_files)
    ]


def repo_files(s):
    return [(f"src/part-{i}/index.js", f"export const part = {i};\n") for i in range(s.components)]


def write(events, folder, with_records=True, record_files_too=True):
    """`record_files_too=False` keeps the sheet (and its `records_dir: records`) byte for byte but
    leaves `records/` empty: the sheet alone, for scripts/bench.py."""
    s = Shape(events)
    os.makedirs(folder, exist_ok=True)
    for path, text in repo_files(s):
        os.makedirs(os.path.join(folder, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(folder, path), "w") as f:
            f.write(text)
    if with_records:
        rec = os.path.join(folder, "records")
        os.makedirs(rec, exist_ok=True)
        for name, text in record_files(s) if record_files_too else ():
            with open(os.path.join(rec, name), "w") as f:
                f.write(text)
    with open(os.path.join(folder, "governance.yaml"), "w") as f:
        f.write(sheet(s, "records" if with_records else None))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    write(int(sys.argv[1]), sys.argv[2])
