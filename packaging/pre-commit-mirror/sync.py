#!/usr/bin/env python3
"""Write this folder's .pre-commit-hooks.yaml from the repository's own: the same hooks (ids,
entries, files, stages, comments), with `language: python` and the pin `govsheet==VERSION` of
Cargo.toml's version in place of `language: rust`.

    python3 packaging/pre-commit-mirror/sync.py           # rewrite it
    python3 packaging/pre-commit-mirror/sync.py --check   # exit 1 if it is out of step

Run it after changing the repository's .pre-commit-hooks.yaml or the version; scripts/test-packaging.sh
runs the check.
"""
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent

HEADER = """\
# pre-commit hooks of govsheet from its prebuilt wheel (https://pypi.org/project/govsheet/):
# `language: python` installs `govsheet=={version}` with pip into the hook environment, a download
# of a few MB that takes seconds, where the `language: rust` hooks of the govsheet repository
# build it from source (minutes). Generated from the repository's own `.pre-commit-hooks.yaml` by
# packaging/pre-commit-mirror/sync.py: the same hooks, installed another way.
"""


def render() -> str:
    cargo = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    version = re.search(r'(?m)^version = "([^"]+)"$', cargo)
    if not version:
        sys.exit("no version in Cargo.toml")
    own = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    # The repository's header comment (up to the first blank line) is about the rust hooks.
    lines = own.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    body = "".join(lines)
    pin = f"govsheet=={version.group(1)}"
    body, n = re.subn(
        r"(?m)^(\s*)language: rust$",
        lambda m: f"{m.group(1)}language: python\n{m.group(1)}additional_dependencies: [{pin}]",
        body,
    )
    hooks = len(re.findall(r"(?m)^- id: ", body))
    if n == 0 or n != hooks:
        sys.exit(f".pre-commit-hooks.yaml: {n} of {hooks} hooks have `language: rust`")
    return HEADER.format(version=version.group(1)) + body


def main() -> int:
    target = HERE / ".pre-commit-hooks.yaml"
    text = render()
    if sys.argv[1:] == ["--check"]:
        if target.read_text(encoding="utf-8") != text:
            print(f"{target.relative_to(ROOT)} is out of step with .pre-commit-hooks.yaml or "
                  "Cargo.toml: run python3 packaging/pre-commit-mirror/sync.py", file=sys.stderr)
            return 1
        return 0
    if sys.argv[1:]:
        sys.exit(__doc__)
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
