#!/usr/bin/env python3
"""Whole-process benchmark of `govsheet check`: builds the release binary, generates sheets of
10, 100, 1,000 and 10,000 events (each with as many record files in records_dir), and times
the process: wall time over several runs (min and median), CPU time (user + system, min; steadier
than wall time on a shared machine) and peak RSS (from wait4).

It also times `govsheet retests --base main` over a generated git repository whose branch has
1,000 first-parent commits (merges among them) and 1,000 record files entering along the way
(`--history-commits`, 0 to skip), and lists the git processes that run makes (GIT_TRACE).

    scripts/bench.py                 # all sizes, 10 runs each
    scripts/bench.py --runs 20 --sizes 10 1000 --no-build
    scripts/bench.py --no-build --sizes --history-commits 1000   # only the retests history case

Each generated size is measured twice: the sheet alone (the same governance.yaml, its
`records_dir` left empty) and the sheet with its N record files. Next to each, the YAML floor:
rapidyaml (`pip install rapidyaml`, into a venv the script creates once and reuses, under the
system temp dir or `--venv`) parsing the same bytes (`ryml.parse_in_arena`, the sheet and, for
the "with records" rows, every record file), best of `--runs` in one Python process, the files
read into memory first. The ratio column is `check` wall min / that parse-only time (the issue's
target: at most 2x). The Python process itself (`python -c "import ryml"`) is printed apart, not
added: the parse-only floor is the stricter one. If rapidyaml cannot be installed, the fastest
parser the venv has is used (PyYAML's libyaml `CSafeLoader`, then its pure-Python loader) and
named in the output. `govsheet --version` is timed too, and the shipped examples' ratio to it is
printed (the start-up target: at most 2x).

Prints Markdown tables for docs/performance.md, with the machine it ran on.
"""
import argparse
import os
import platform
import shutil
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


def bench(label, binary, cwd, args, runs, command="check"):
    argv = [binary, "--color", "never", "--today", "2026-11-25", command, *args]
    return bench_argv(label, argv, cwd, runs)


def bench_argv(label, argv, cwd, runs, count_yaml=True):
    run_once(argv, cwd)  # warm the page cache
    walls, rss, cpu = [], [], []
    for _ in range(runs):
        w, m, c = run_once(argv, cwd)
        walls.append(w * 1000)
        rss.append(m / 1024)
        cpu.append(c * 1000)
    size = sum(os.path.getsize(p) for p in yaml_files(cwd)) if count_yaml else 0
    return (label, size, min(walls), statistics.median(walls), min(cpu), max(rss))


# Runs inside the venv: best of N parses of the given files, bytes read into memory first.
FLOOR_SCRIPT = r"""
import sys, time
runs, paths = int(sys.argv[1]), sys.argv[2:]
datas = []
for p in paths:
    with open(p, "rb") as f:
        datas.append(f.read())
try:
    import ryml
    name = "rapidyaml " + getattr(ryml, "__version__", "")

    def parse(b):
        ryml.parse_in_arena(b)
except ImportError:
    import yaml
    if hasattr(yaml, "CSafeLoader"):
        name = "PyYAML CSafeLoader (libyaml)"
        loader = yaml.CSafeLoader
    else:
        name = "PyYAML SafeLoader (pure Python)"
        loader = yaml.SafeLoader

    def parse(b):
        yaml.load(b, Loader=loader)
best = best_cpu = float("inf")
for _ in range(runs):
    t, c = time.perf_counter(), time.process_time()
    for b in datas:
        parse(b)
    best = min(best, time.perf_counter() - t)
    best_cpu = min(best_cpu, time.process_time() - c)
print(f"{best * 1000:.3f}\t{best_cpu * 1000:.3f}\t{name.strip()}")
"""


def floor_python(venv):
    """The venv's python with rapidyaml in it (created on first use), or with the best
    fallback pip could install; None when not even a venv can be made."""
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        try:
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"note: no venv at {venv} ({e}); no YAML floor", file=sys.stderr)
            return None
    if subprocess.run([py, "-c", "import ryml"], capture_output=True).returncode != 0:
        r = subprocess.run([py, "-m", "pip", "install", "-q", "rapidyaml"], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"note: pip could not install rapidyaml ({r.stderr.strip()[-300:]}); "
                  "falling back to PyYAML", file=sys.stderr)
            subprocess.run([py, "-m", "pip", "install", "-q", "pyyaml"], capture_output=True)
    return py


def floor(py, paths, runs):
    """((wall ms, CPU ms), parser name): the best of `runs` parses of every file in `paths`,
    in one process."""
    if py is None:
        return None, "none"
    out = subprocess.run([py, "-c", FLOOR_SCRIPT, str(runs), *paths],
                         check=True, capture_output=True, text=True).stdout
    ms, cpu, name = out.strip().split("\t", 2)
    return (float(ms), float(cpu)), name


def yaml_files(d):
    """Every YAML file under `d` (what `check` reads: the sheet, `records_dir`, `incidents_dir`)."""
    return sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs
                  if f.endswith((".yaml", ".yml")))


def history_repo(d, commits, records, components=100):
    """A git repository for `retests --base main`: `main` holds a sheet of `components`
    components (one retest each) and a file per component; branch `feature` adds `commits`
    first-parent commits, each changing one component file, `records` record files spread over
    them, an inline record added to the sheet every 50 commits, and a merge of a side branch
    every 100. Written with one `git fast-import`."""
    os.makedirs(d)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    git = lambda *a, **k: subprocess.run(["git", *a], cwd=d, env=env, check=True, **k)
    git("init", "-q", "-b", "main")
    sheet = ["version: 1", "records_dir: records", "owners:", "  t: {name: T}", "components:"]
    for i in range(components):
        sheet += [f"  c{i}:", f"    paths: ['c{i}/**']", f"    retests: [r{i}]"]
    sheet.append("retests:")
    for i in range(components):
        sheet.append(f"  r{i}: {{title: R{i}, method: run it, owner: t, max_age: 60d}}")
    sheet.append("records:")
    base_sheet = "\n".join(sheet) + "\n"
    out = []
    mark = [0]

    def blob(text):
        data = text.encode()
        mark[0] += 1
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark[0], len(data), data))
        return mark[0]

    def commit(ref, when, msg, files, parents=()):
        marks = [(p, blob(t)) for p, t in files]
        mark[0] += 1
        me = mark[0]
        head = b"commit %s\nmark :%d\ncommitter T <t@example.com> %d +0000\ndata %d\n%s\n" % (
            ref.encode(), me, when, len(msg), msg.encode())
        for i, p in enumerate(parents):
            head += (b"from :%d\n" if i == 0 else b"merge :%d\n") % p
        out.append(head + b"".join(b"M 100644 :%d %s\n" % (m, p.encode()) for p, m in marks))
        return me

    day = 86400
    t0 = 1_794_700_800  # 2026-11-15 00:00 UTC
    base = commit("refs/heads/main", t0, "base",
                  [("governance.yaml", base_sheet)] + [(f"c{i}/f.js", "v0\n") for i in range(components)])
    head, inline, rec = base, [], 0
    for k in range(commits):
        when = t0 + day + k * 600
        date = time.strftime("%Y-%m-%d", time.gmtime(when))
        files = [(f"c{k % components}/f.js", f"v{k}\n")]
        while rec < records * (k + 1) // commits:
            files.append((f"records/{date}-r{rec % components}-{rec:08x}.yaml",
                          f"retest: r{rec % components}\ndate: {date}\nresult: pass\nby: t\nevidence: run {rec}\n"))
            rec += 1
        if k % 50 == 49:
            inline.append(f"  - {{retest: r{k % components}, date: {date}, result: pass, by: t, evidence: inline {k}}}")
            files.append(("governance.yaml", base_sheet + "\n".join(inline) + "\n"))
        if k % 100 == 99:
            side = commit("refs/heads/side", when - 300, f"side {k}", [(f"c{(k + 1) % components}/side.js", f"s{k}\n")], [base])
            head = commit("refs/heads/feature", when, f"merge {k}", files, [head, side])
        else:
            head = commit("refs/heads/feature", when, f"change {k}", files, [head])
    git("fast-import", "--quiet", input=b"".join(out))
    git("checkout", "-q", "feature")


def git_calls(binary, cwd, args):
    """The git processes one run makes, from GIT_TRACE (to a file: govsheet keeps git's stderr)."""
    trace = os.path.join(cwd, "..", "git-trace.txt")
    env = dict(os.environ, GIT_TRACE=os.path.abspath(trace))
    subprocess.run([binary, "--color", "never", "--today", "2026-11-25", "retests", *args],
                   cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    calls = []
    with open(trace, errors="replace") as f:
        lines = f.read().splitlines()
    for line in lines:
        if "trace: built-in: git " in line:
            calls.append("git " + line.split("trace: built-in: git ", 1)[1])
    return calls


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--startup-runs", type=int, default=200,
                    help="runs of `--version` and the examples (milliseconds each, and noisy)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[10, 100, 1000, 10000])
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--history-commits", type=int, default=1000,
                    help="commits in the retests history case (0: skip it)")
    ap.add_argument("--history-records", type=int, default=1000)
    ap.add_argument("--venv", default=os.path.join(tempfile.gettempdir(), "govsheet-bench-venv"),
                    help="where the rapidyaml venv is made (once) and reused")
    ap.add_argument("--no-floor", action="store_true", help="skip rapidyaml")
    ap.add_argument("--binary", help="time this govsheet binary (implies --no-build)")
    a = ap.parse_args()
    if not a.no_build and not a.binary:
        subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    binary = os.path.abspath(a.binary or os.path.join(ROOT, "target", "release", "govsheet"))
    py = None if a.no_floor or not a.sizes else floor_python(a.venv)
    rows, floors, parser = [], {}, None
    version = None
    if a.sizes:
        version = bench_argv("govsheet --version", [binary, "--version"], ROOT, a.startup_runs, False)
        rows.append(version)
        if py:
            floors["python"] = bench_argv("python", [py, "-c", "import ryml"], ROOT, a.runs, False)[2:5:2]
    for ex in ("shopify-store", "custom-backend") if a.sizes else ():
        d = os.path.join(ROOT, "examples", ex)
        if os.path.exists(os.path.join(d, "governance.yaml")):
            rows.append(bench(f"examples/{ex}", binary, d, ["governance.yaml"], a.startup_runs))
            if py:
                floors[rows[-1][0]], parser = floor(py, yaml_files(d), a.runs)
    with tempfile.TemporaryDirectory() as tmp:
        for n in a.sizes:
            for with_files in (False, True):
                d = os.path.join(tmp, f"{n}-{with_files}")
                gen.write(n, d, record_files_too=with_files)
                label = f"{n:,} events, " + (f"+ {n:,} record files" if with_files else "sheet alone")
                rows.append(bench(label, binary, d, ["governance.yaml"], a.runs))
                if py:
                    floors[label], parser = floor(py, yaml_files(d), a.runs)
                shutil.rmtree(d)
        calls = []
        if a.history_commits:
            d = os.path.join(tmp, "history")
            history_repo(d, a.history_commits, a.history_records)
            args = ["--base", "main", "--format", "json"]
            rows.append(bench(f"retests --base main: {a.history_commits:,} commits, "
                              f"{a.history_records:,} record files", binary, d, args, a.runs, "retests"))
            calls = git_calls(binary, d, args)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f}; {a.runs} runs each "
          f"({a.startup_runs} for `--version` and the examples), release build")
    if floors:
        print(f"YAML floor: {parser}, parse-only of the same bytes (every YAML file `check` reads), "
              f"best of {a.runs} in one process (wall and CPU time); a Python process that imports it: "
              f"{floors['python'][0]:.1f} ms wall min, {floors['python'][1]:.1f} ms CPU min\n")
    print("| input | YAML bytes | wall min (ms) | wall median (ms) | CPU min (ms) | peak RSS (MiB) "
          "| YAML floor, wall / CPU (ms) | wall min / floor | CPU min / floor CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, size, wmin, wmed, cpu, rss in rows:
        f = floors.get(label)
        fl = f"{f[0]:.1f} / {f[1]:.1f}" if f else ""
        ratio = f"{wmin / f[0]:.1f}x" if f and f[0] else ""
        cratio = f"{cpu / f[1]:.1f}x" if f and f[1] else ""
        if version and label.startswith("examples/"):
            ratio = f"{ratio} ({wmin / version[2]:.1f}x `--version`)".strip()
            cratio = f"{cratio} ({cpu / version[4]:.1f}x `--version`)".strip()
        shown = f"{size:,}" if size else ""
        print(f"| {label} | {shown} | {wmin:.1f} | {wmed:.1f} | {cpu:.1f} | {rss:.1f} | {fl} | {ratio} | {cratio} |")
    if calls:
        print(f"\nthe git processes of one retests run ({len(calls)}):\n")
        for c in calls:
            print(f"    {c}")

if __name__ == "__main__":
    main()
