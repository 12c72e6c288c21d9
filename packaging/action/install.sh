#!/usr/bin/env bash
# The install step of action.yml: puts govsheet on the PATH of the job's later steps.
#
#   INSTALL=pip|binary|cargo|path  VERSION=X.Y.Z (empty: the action's own Cargo.toml version)
#
# Runs on GitHub's Linux, macOS and Windows runners (Windows: Git Bash). Writes `version` to
# GITHUB_OUTPUT.
set -euo pipefail

fail() { echo "::error title=govsheet install::$1"; exit 2; }

action="${GITHUB_ACTION_PATH:?run this from action.yml}"
dest="${RUNNER_TEMP:?}/govsheet"
version="${VERSION:-}"
if [ -z "$version" ]; then
    version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)"
fi
case "$version" in
    [0-9]*.[0-9]*.[0-9]*) ;;
    *) fail "version \`$version\` is not X.Y.Z" ;;
esac

case "${RUNNER_OS:-Linux}" in
    Windows) exe=".exe" ;;
    *) exe="" ;;
esac

case "${INSTALL:-pip}" in
    pip)
        python=python3
        command -v "$python" >/dev/null 2>&1 || python=python
        "$python" -m venv "$dest/venv"
        if [ -d "$dest/venv/Scripts" ]; then bin="$dest/venv/Scripts"; else bin="$dest/venv/bin"; fi
        "$bin/python" -m pip install --quiet --disable-pip-version-check "govsheet==$version"
        ;;
    binary)
        case "${RUNNER_OS:-Linux}/${RUNNER_ARCH:-X64}" in
            Linux/X64) target=x86_64-unknown-linux-musl ;;
            Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
            macOS/X64) target=x86_64-apple-darwin ;;
            macOS/ARM64) target=aarch64-apple-darwin ;;
            Windows/X64) target=x86_64-pc-windows-msvc ;;
            *) fail "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: use \`install: pip\` or \`cargo\`" ;;
        esac
        name="govsheet-v$version-$target"
        if [ -n "$exe" ]; then archive="$name.zip"; else archive="$name.tar.gz"; fi
        mkdir -p "$dest/download"
        cd "$dest/download"
        # gh authenticates (no rate limit) and follows the release's asset redirects.
        gh release download "v$version" --repo govsheet/govsheet \
            --pattern "$archive" --pattern SHA256SUMS --clobber \
            || fail "could not download $archive of release v$version"
        # The archive must be listed in the release's sums, with the same digest.
        grep -E "^[0-9a-f]{64}  $archive\$" SHA256SUMS >"$archive.sha256" \
            || fail "$archive is not in the release's SHA256SUMS"
        if command -v sha256sum >/dev/null 2>&1; then
            sha256sum -c "$archive.sha256" || fail "$archive does not match its SHA-256"
        else
            shasum -a 256 -c "$archive.sha256" || fail "$archive does not match its SHA-256"
        fi
        if [ -n "$exe" ]; then unzip -q -o "$archive"; else tar -xzf "$archive"; fi
        bin="$dest/download/$name"
        ;;
    cargo)
        cargo install --locked --root "$dest" --path "$action"
        bin="$dest/bin"
        ;;
    path)
        found="$(command -v "govsheet$exe" || true)"
        [ -n "$found" ] || fail "govsheet is not on the PATH"
        bin="$(dirname "$found")"
        ;;
    *)
        fail "install \`${INSTALL:-}\` is not one of pip, binary, cargo, path"
        ;;
esac

[ -x "$bin/govsheet$exe" ] || fail "no govsheet$exe in $bin"
echo "$bin" >>"$GITHUB_PATH"
ran="$("$bin/govsheet$exe" --version)"
echo "$ran"
# `cargo` and `path` run the version they find; `pip` and `binary` must be the one asked for.
case "${INSTALL:-pip}" in
    pip | binary) [ "$ran" = "govsheet $version" ] || fail "installed \`$ran\`, not govsheet $version" ;;
esac
echo "version=${ran#govsheet }" >>"$GITHUB_OUTPUT"
