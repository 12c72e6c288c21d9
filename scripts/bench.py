#!/usr/bin/env python3
"""Whole-process benchmark of `govsheet check`: builds the release binary, generates sheets of
10, 100, 1,000 and 10,000 events (each with as many record files in records_dir), and times
the process: wall time over several runs (min and median), CPU time (user + system, min; steadier
than wall time on a shared machine) and peak RSS (from wait4).

    scripts/bench.py                 # all sizes, 10 runs each
    scripts/bench.py --runs 20 --sizes 10 1000 --no-build

Prints a Markdown table for docs/performance.md, with the machine it ran on.
"""
import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
gen = __import__("gen-sheet")


def run_once(argv, cwd):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(argv)} in {cwd}: exit {code}\n{err}")
    return wall, usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # RSS in KiB on Linux


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}"


def bench(label, binary, cwd, args, runs):
    argv = [binary, "--color", "never", "--today", "2026-11-25", "check", *args]
    run_once(argv, cwd)  # warm the page cache
    walls, rss, cpu = [], [], []
    for _ in range(runs):
        w, m, c = run_once(argv, cwd)
        walls.append(w * 1000)
        rss.append(m / 1024)
        cpu.append(c * 1000)
    size = sum(
        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(cwd) for f in fs
        if f.endswith((".yaml", ".yml"))
    )
    return (label, size, min(walls), statistics.median(walls), min(cpu), max(rss))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 10000])
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if not a.no_build:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "govsheet")
    rows = []
    for ex in ("shopify-store", "custom-backend"):
        d = os.path.join(ROOT, "examples", ex)
        if os.path.exists(os.path.join(d, "governance.yaml")):
            rows.append(bench(f"examples/{ex}", binary, d, ["governance.yaml"], a.runs))
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.sizes:
            d = os.path.join(tmp, str(n))
            gen.write(n, d)
            rows.append(bench(f"{n} events + {n} record files", binary, d, ["governance.yaml"], a.runs))
    print(f"machine: {machine()}; {a.runs} runs each, release build\n")
    print("| sheet | YAML bytes | wall min (ms) | wall median (ms) | CPU min (ms) | peak RSS (MiB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, size, wmin, wmed, cpu, rss in rows:
        print(f"| {label} | {size:,} | {wmin:.1f} | {wmed:.1f} | {cpu:.1f} | {rss:.1f} |")


if __name__ == "__main__":
    main()
