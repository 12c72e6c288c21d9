#!/usr/bin/env bash
# Run the hooks of .pre-commit-hooks.yaml with the real pre-commit framework: a clean sheet must
# pass and a broken one must fail naming the rule. Needs python3 (venv + pip) and cargo.
#
#   scripts/test-pre-commit.sh
#
# `pre-commit try-repo` installs the hook into a fresh temporary store on every call, so the
# build folder is kept instead: CARGO_TARGET_DIR (default target/pre-commit in this repository)
# makes every install after the first an up-to-date build that only copies the binary.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/govsheet-pre-commit.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# pre-commit builds the hook with `cargo install` in release mode: skip LTO and allow parallel
# codegen so the build takes minutes, not tens of minutes. Reuse one target folder across runs.
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
# This tests the hook manifest, not speed: an unoptimised build makes each of the try-repo
# installs (one per call, since try-repo clones to a new path) take seconds instead of minutes.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target/pre-commit}"
export PRE_COMMIT_HOME="$work/pre-commit-home"
export PRE_COMMIT_COLOR=never
export NO_COLOR=1
export GOVSHEET_TODAY=2026-11-25

step() { printf '\n== %s (%ss)\n' "$1" "$SECONDS"; }
fail() { printf 'FAIL: %s\n' "$1" >&2; exit 1; }

step "pre-commit in a venv"
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet pre-commit
pre_commit="$work/venv/bin/pre-commit"
"$pre_commit" --version

step "scratch repository with a clean sheet"
scratch="$work/scratch"
mkdir -p "$scratch"
cd "$scratch"
git init --quiet
git config user.email "test@example.com"
git config user.name "govsheet test"
git config commit.gpgsign false
cp "$repo/tests/data/integrations/clean.governance.yaml" governance.yaml
git add governance.yaml
git commit --quiet -m "a clean sheet"

# try-repo runs the hooks of $repo at HEAD plus its uncommitted changes.
step "govsheet-check on the clean sheet (expect pass; the first run installs the hook)"
if ! "$pre_commit" try-repo "$repo" govsheet-check --all-files >"$work/clean.log" 2>&1; then
    cat "$work/clean.log"
    fail "govsheet-check failed on a clean sheet"
fi
cat "$work/clean.log"
grep -q "govsheet check.*Passed" "$work/clean.log" || fail "govsheet-check did not report Passed"

step "govsheet-check with a broken sheet (expect failure naming the rule)"
mkdir -p shop
cp "$repo/tests/data/integrations/broken.governance.yaml" shop/broken.governance.yaml
printf 'not a sheet: the hook must not look at me\n' > notes.yaml
git add shop notes.yaml
if "$pre_commit" try-repo "$repo" govsheet-check --all-files >"$work/broken.log" 2>&1; then
    cat "$work/broken.log"
    fail "govsheet-check passed on a broken sheet"
fi
cat "$work/broken.log"
grep -q "govsheet check.*Failed" "$work/broken.log" || fail "govsheet-check did not report Failed"
grep -Eq "^ *schema$" "$work/broken.log" || fail "the output does not name the rule (schema)"
grep -q "shop/broken.governance.yaml:6:1" "$work/broken.log" || fail "the output does not locate the finding"
grep -q "notes.yaml" "$work/broken.log" && fail "the hook was given a file that is not a sheet"

# The binary the hook was built as, to see which other commands this version has.
govsheet="$CARGO_TARGET_DIR/release/govsheet"
[ -x "$govsheet" ] || fail "no govsheet binary built by the hook at $govsheet"

# The retests and doc hooks run in a copy of the shipped Shopify example: a real sheet with
# components, events, retests and records (all dated before GOVSHEET_TODAY, and all committed
# before any change, so none of them covers one).
example="$work/example"
cp -r "$repo/examples/shopify-store" "$example"
cd "$example"
git init --quiet
git config user.email "test@example.com"
git config user.name "govsheet test"
git config commit.gpgsign false
git add -A
git commit --quiet -m "the example shop"

if "$govsheet" retests --help >/dev/null 2>&1; then
    step "govsheet-retests on a staged file no component owns (expect pass)"
    printf 'notes\n' > NOTES.txt
    git add NOTES.txt
    "$pre_commit" try-repo "$repo" govsheet-retests >"$work/retests-clean.log" 2>&1 \
        || { cat "$work/retests-clean.log"; fail "govsheet-retests failed on an unowned file"; }
    cat "$work/retests-clean.log"
    git commit --quiet -m notes

    step "govsheet-retests on a staged theme change (expect failure: retest-missing)"
    printf '{%% comment %%}changed{%% endcomment %%}\n' >> theme/snippets/product-card.liquid
    git add theme/snippets/product-card.liquid
    if "$pre_commit" try-repo "$repo" govsheet-retests >"$work/retests.log" 2>&1; then
        cat "$work/retests.log"
        fail "govsheet-retests passed although the theme change has no recorded retest"
    fi
    cat "$work/retests.log"
    grep -q "retest-missing" "$work/retests.log" || fail "the output does not name retest-missing"

    step "govsheet-retests on a staged deletion (expect failure: pre-commit passes no file name for it)"
    git reset --quiet --hard
    git rm --quiet apps/payment/config.toml
    if "$pre_commit" try-repo "$repo" govsheet-retests >"$work/retests-delete.log" 2>&1; then
        cat "$work/retests-delete.log"
        fail "govsheet-retests passed although a tracked component file was deleted"
    fi
    cat "$work/retests-delete.log"
    grep -q "retest-missing" "$work/retests-delete.log" || fail "the deletion output does not name retest-missing"
    grep -q "apps/payment/config.toml" "$work/retests-delete.log" || fail "the deletion output does not name the deleted file"
    git reset --quiet --hard

    step "govsheet-retests on a rename out of a component (expect failure: the old path counts)"
    mkdir -p docs
    git mv apps/consent/config.toml docs/consent-config.toml
    if "$pre_commit" try-repo "$repo" govsheet-retests >"$work/retests-rename.log" 2>&1; then
        cat "$work/retests-rename.log"
        fail "govsheet-retests passed although a file was renamed out of a component"
    fi
    cat "$work/retests-rename.log"
    grep -q "retest-missing" "$work/retests-rename.log" || fail "the rename output does not name retest-missing"

    step "govsheet-retests after recording the retests but before staging the records (expect failure)"
    "$govsheet" retests --staged --format json >"$work/required.json" || true
    python3 - "$work/required.json" >"$work/required.txt" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["required"]:
    if r["status"] != "covered":
        print(r["retest"], r["owner"])
PY
    [ -s "$work/required.txt" ] || fail "no retest is required by the rename"
    while read -r retest owner; do
        "$govsheet" record "$retest" --result pass --by "$owner" \
            --evidence "re-ran after moving the consent config" >>"$work/recorded.txt"
    done <"$work/required.txt"
    if "$pre_commit" try-repo "$repo" govsheet-retests >"$work/retests-unstaged.log" 2>&1; then
        cat "$work/retests-unstaged.log"
        fail "govsheet-retests passed on records that are not staged"
    fi

    step "govsheet-retests with the records staged (expect pass)"
    while read -r path; do git add -- "$path"; done <"$work/recorded.txt"
    "$pre_commit" try-repo "$repo" govsheet-retests >"$work/retests-recorded.log" 2>&1 \
        || { cat "$work/retests-recorded.log"; fail "govsheet-retests failed although the records are staged"; }
    cat "$work/retests-recorded.log"
    git commit --quiet -m "move the consent config, with its retests recorded"

    step "govsheet-retests-push over the pushed range (expect failure: retest-missing)"
    printf '{%% comment %%}changed again{%% endcomment %%}\n' >> theme/snippets/product-card.liquid
    git commit --quiet -am "change the product card"
    if "$pre_commit" try-repo "$repo" govsheet-retests-push --hook-stage pre-push \
        --from-ref HEAD~1 --to-ref HEAD >"$work/push.log" 2>&1; then
        cat "$work/push.log"
        fail "govsheet-retests-push passed although the pushed change has no recorded retest"
    fi
    cat "$work/push.log"
    grep -q "retest-missing" "$work/push.log" || fail "the push output does not name retest-missing"
else
    step "govsheet-retests: skipped, this version of govsheet has no \`retests\` command"
fi

if "$govsheet" doc --help >/dev/null 2>&1; then
    step "govsheet-doc with a current GOVERNANCE.md (expect pass)"
    "$govsheet" doc --sheet governance.yaml -o GOVERNANCE.md
    git add GOVERNANCE.md
    "$pre_commit" try-repo "$repo" govsheet-doc --all-files >"$work/doc.log" 2>&1 \
        || { cat "$work/doc.log"; fail "govsheet-doc failed on a current GOVERNANCE.md"; }
    cat "$work/doc.log"

    step "govsheet-doc after the sheet changed (expect failure: stale GOVERNANCE.md)"
    sed -i 's/^\(  name: \).*/\1Renamed shop/' governance.yaml
    git add governance.yaml
    if "$pre_commit" try-repo "$repo" govsheet-doc --all-files >"$work/doc-stale.log" 2>&1; then
        cat "$work/doc-stale.log"
        fail "govsheet-doc passed on a stale GOVERNANCE.md"
    fi
    cat "$work/doc-stale.log"
else
    step "govsheet-doc: skipped, this version of govsheet has no \`doc\` command"
fi

step "all pre-commit checks passed"
