#!/usr/bin/env python3
"""Run action.yml's steps here as GitHub's runner runs a composite action, to test it without
GitHub: each `run` step in bash (`-eo pipefail`, as `shell: bash` does) with its `env`,
`working-directory` and `if`, GITHUB_OUTPUT / GITHUB_PATH / GITHUB_STEP_SUMMARY files between
steps; `uses` steps (the SARIF upload) are listed, not run. Expressions are the subset
action.yml uses: inputs, steps.*.outputs, github.*, ==, !=, &&, ||, !, cancelled().

    run-local.py ACTION_YML WORKDIR [input=value ...] [--github key=value ...]

Prints each step and its exit code, then a JSON line with the action's outputs, the step summary
and the exit code of the first failing step (0 if none). Needs PyYAML.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml


def evaluate(expr, ctx):
    py = expr.strip()
    py = py.replace("!cancelled()", "True").replace("cancelled()", "False")
    py = re.sub(r"\binputs\.([\w-]+)", lambda m: f"I[{m.group(1)!r}]", py)
    py = re.sub(r"\bsteps\.([\w-]+)\.outputs\.([\w-]+)",
                lambda m: f"S.get({m.group(1)!r}, {{}}).get({m.group(2)!r}, '')", py)
    py = re.sub(r"\bgithub\.([\w.]+)", lambda m: f"G.get({m.group(1)!r}, '')", py)
    py = py.replace("&&", " and ").replace("||", " or ")
    py = re.sub(r"!(?!=)", " not ", py)
    return eval(py, {"__builtins__": {}}, ctx)  # noqa: S307 - our own action.yml only


def substitute(text, ctx):
    def one(m):
        v = evaluate(m.group(1), ctx)
        return "" if v is None else str(v)
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    action_file, workdir = os.path.abspath(args[0]), os.path.abspath(args[1])
    action = yaml.safe_load(open(action_file))
    given, github = {}, {}
    target = given
    for a in args[2:]:
        if a == "--github":
            target = github
            continue
        k, _, v = a.partition("=")
        target[k] = v
    inputs = {k: str(spec.get("default", "")) for k, spec in action.get("inputs", {}).items()}
    unknown = set(given) - set(inputs)
    if unknown:
        sys.exit(f"unknown inputs: {sorted(unknown)}")
    github.setdefault("token", "")
    github.setdefault("repository", "local/test")
    ctx = {"I": inputs, "S": {}, "G": github}
    inputs.update({k: substitute(v, ctx) for k, v in inputs.items()})
    inputs.update(given)

    with tempfile.TemporaryDirectory(prefix="govsheet-action-") as temp:
        return run_steps(action, ctx, github, workdir, action_file, temp)


def run_steps(action, ctx, github, workdir, action_file, temp):
    """Runs the composite action's steps with RUNNER_TEMP at `temp` (removed by the caller)."""
    summary = os.path.join(temp, "summary.md")
    open(summary, "w").close()
    path_file = os.path.join(temp, "path")
    open(path_file, "w").close()
    env_base = dict(os.environ, RUNNER_TEMP=temp, GITHUB_ACTION_PATH=os.path.dirname(action_file),
                    GITHUB_STEP_SUMMARY=summary, GITHUB_PATH=path_file, GITHUB_WORKSPACE=workdir)
    failed = 0
    for i, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", step.get("id", str(i)))
        cond = step.get("if", "success()")
        cond = re.sub(r"^\$\{\{(.*)\}\}$", r"\1", str(cond).strip())
        cond = cond.replace("success()", "True")
        if failed and "cancelled()" not in cond and "always()" not in cond:
            print(f"-- {name}: skipped (an earlier step failed)")
            continue
        if not evaluate(cond, ctx):
            print(f"-- {name}: skipped (if: {cond})")
            continue
        if "uses" in step:
            print(f"-- {name}: uses {step['uses']} (not run here)")
            continue
        out_file = os.path.join(temp, f"output-{i}")
        open(out_file, "w").close()
        env = dict(env_base, GITHUB_OUTPUT=out_file)
        extra = [p.strip() for p in open(path_file) if p.strip()]
        env["PATH"] = os.pathsep.join(list(reversed(extra)) + [env["PATH"]])
        for k, v in (step.get("env") or {}).items():
            env[k] = substitute(v, ctx)
        cwd = os.path.join(workdir, substitute(step.get("working-directory", "."), ctx))
        print(f"-- {name}", flush=True)
        code = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                               substitute(step["run"], ctx)], cwd=cwd, env=env).returncode
        outputs = {}
        for line in open(out_file):
            k, sep, v = line.rstrip("\n").partition("=")
            if sep:
                outputs[k] = v
        if "id" in step:
            ctx["S"][step["id"]] = outputs
        print(f"-- {name}: exit {code} {json.dumps(outputs)}", flush=True)
        if code != 0 and not failed:
            failed = code
    result = {
        "outputs": {k: substitute(spec["value"], ctx) for k, spec in action.get("outputs", {}).items()},
        "summary": open(summary).read(),
        "exit": failed,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
