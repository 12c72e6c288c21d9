#!/usr/bin/env bash
# Screenshots of govsheet's terminal reports as a person sees them: the command runs in a real
# tmux pane of 80 and 120 columns with colour, the pane is captured with its escape codes,
# turned into HTML by ansi2html and photographed by headless Chromium.
#
#   scripts/terminal-screenshots.sh BINARY NAME [EXAMPLE]
#
# writes docs/screenshots/NAME-{check,retests}-{80,120}.png. EXAMPLE is the Shopify example
# folder to start from (default: this checkout's; give an older checkout's for an older binary).
#
# Needs tmux, chromium (Debian packages) and python3 (ansi2html is installed into a venv).
set -euo pipefail
bin=$(realpath "$1")
name=$2
here=$(cd "$(dirname "$0")/.." && pwd)
example=$(realpath "${3:-$here/examples/shopify-store}")
out="$here/docs/screenshots"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

venv="${TMPDIR:-/tmp}/govsheet-shots-venv"
[ -x "$venv/bin/ansi2html" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q ansi2html; }

# The shipped Shopify example with the mistakes a new user makes, in a repository with one
# commit on main and a theme change on a branch (for retests).
demo="$work/shop"
cp -r "$example" "$demo"
cd "$demo"
git init -q -b main
git -c user.name=demo -c user.email=demo@shop.test add -A
git -c user.name=demo -c user.email=demo@shop.test commit -qm "the shop" --date 2026-11-20T10:00:00
python3 - governance.yaml <<'PY'
import sys, re
p = sys.argv[1]; s = open(p).read()
s = s.replace("source_of_truth: shopify-orders", "source_of_truth: shopify-order", 1)
s = re.sub(r"max_age: \d+d", "max_age: 2 weeks", s, count=1)
s = s.replace("required: true", "required: no", 1)
open(p, "w").write(s)
PY
git checkout -q -b theme-update
echo "<!-- new banner -->" >> theme/layout/theme.liquid
git -c user.name=demo -c user.email=demo@shop.test commit -qam "theme: new banner" --date 2026-11-24T10:00:00

shoot() { # COMMAND-NAME WIDTH ARGS...
    local what=$1 width=$2; shift 2
    local ans="$work/$what-$width.ans"
    local session="govsheet-$what-$width"
    tmux new-session -d -s "$session" -x "$width" -y 400 -c "$demo" \
        "env -u NO_COLOR GOVSHEET_TODAY=2026-11-25 $bin $* ; tmux wait-for -S $session; sleep 60"
    tmux wait-for "$session"
    tmux capture-pane -t "$session" -p -e -S - -E - > "$ans"
    tmux kill-session -t "$session"
    # Drop the empty rows below the output.
    python3 - "$ans" <<'PY'
import sys; p = sys.argv[1]; lines = open(p).read().rstrip("\n").split("\n")
while lines and not lines[-1].strip(): lines.pop()
open(p, "w").write("\n".join(lines) + "\n")
PY
    local rows; rows=$(wc -l < "$ans")
    "$venv/bin/ansi2html" --scheme=xterm < "$ans" \
        | sed 's/<\/style>/.body_foreground{font-family:"DejaVu Sans Mono",monospace;font-size:14px;line-height:17px} pre{margin:8px}<\/style>/' \
        > "$work/$what-$width.html"
    local px=$(( width * 9 + 24 )) py=$(( rows * 17 + 24 ))
    chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
        --disable-component-update --disable-sync --user-data-dir="$work/chrome" \
        --hide-scrollbars --window-size="$px,$py" --screenshot="$out/$name-$what-$width.png" \
        "file://$work/$what-$width.html" >/dev/null 2>&1
    echo "$out/$name-$what-$width.png ($rows lines)"
}

for w in 80 120; do
    shoot check "$w" check
    shoot retests "$w" retests --base main
done
