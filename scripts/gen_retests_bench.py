#!/usr/bin/env python3
"""Generate a large sheet and a --files-from list for timing `govsheet retests`.

    python3 scripts/gen_retests_bench.py OUT_DIR [--components 1000] [--files 100000]
    govsheet --today 2026-11-25 retests --sheet OUT_DIR/governance.yaml \
        --files-from OUT_DIR/changed.txt --format json > /dev/null

The sheet has one include glob per component (a mix of `dir/**`, `dir/*.ext`, `**/*.ext`
and literal paths, so globset uses several matching strategies), a `!` exclude on every tenth
component, `depends_on` in three layers (10 base components, 90 built on one of them, the rest built
on one or two of those), 100 events
triggered by ten components each, and records for half of the retests. The changed-file list
mixes files of every component with files that match nothing.
"""

import argparse
import os
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--components", type=int, default=1000)
    ap.add_argument("--files", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    n = a.components
    os.makedirs(a.out, exist_ok=True)

    def glob(i):
        kind = i % 4
        if kind == 0:
            return f"pkg{i}/**"
        if kind == 1:
            return f"src/mod{i}/*.js"
        if kind == 2:
            return f"**/*.c{i}"
        return f"config/settings-{i}.json"

    def changed_path(i, k):
        kind = i % 4
        if kind == 0:
            return f"pkg{i}/sub{k % 7}/file {k}.liquid"
        if kind == 1:
            return f"src/mod{i}/f{k}.js"
        if kind == 2:
            return f"deep/{k % 13}/x{k}.c{i}"
        return f"config/settings-{i}.json"

    lines = ["version: 1", "root: .", "owners:", "  team: {name: Team}", "events:"]
    retests = 200
    for e in range(100):
        triggers = sorted({rnd.randrange(n) for _ in range(10)})
        lines.append(f"  Event{e}:")
        lines.append("    owner: team")
        lines.append("    triggers: [" + ", ".join(f"c{t}" for t in triggers) + "]")
        lines.append(f"    retests: [r{e % retests}, r{(e * 7 + 3) % retests}]")
        lines.append("    rollback: {rule: revert, pause: [budget, roas], resume_when: retests pass}")
    lines.append("components:")
    for i in range(n):
        lines.append(f"  c{i}:")
        paths = [glob(i)]
        if i % 10 == 0 and i % 4 == 0:
            paths.append(f"!pkg{i}/**/*.md")
        lines.append("    paths: [" + ", ".join(f"'{p}'" for p in paths) + "]")
        # Three layers, like real repositories: 10 base snippets, 90 shared parts built on one
        # of them, and the rest built on one or two shared parts.
        deps = []
        if 10 <= i < 100:
            deps = [rnd.randrange(0, 10)]
        elif i >= 100:
            deps = sorted({rnd.randrange(10, 100) for _ in range(rnd.choice([1, 2]))})
        if deps:
            lines.append("    depends_on: [" + ", ".join(f"c{d}" for d in deps) + "]")
        if i % 5 == 0:
            lines.append(f"    retests: [r{(i // 5) % retests}]")
    lines.append("retests:")
    for r in range(retests):
        lines.append(f"  r{r}: {{title: Retest {r}, method: run it, owner: team, max_age: 30d}}")
    lines.append("records:")
    for r in range(0, retests, 2):
        lines.append(f"  - {{retest: r{r}, date: 2026-11-2{r % 6}, result: pass, by: team, evidence: run}}")
    with open(os.path.join(a.out, "governance.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")

    with open(os.path.join(a.out, "changed.txt"), "w") as f:
        for k in range(a.files):
            if k % 10 == 9:
                f.write(f"unmatched/dir{k % 100}/file{k}.txt\n")
            else:
                f.write(changed_path(rnd.randrange(n), k) + "\n")


if __name__ == "__main__":
    main()
