#!/usr/bin/env bash
# fwreq against the tools people would use instead, in one run per size:
# `fwreq check` and `fwreq render` of N generated specs, the same rendering
# with minijinja-cli run once per file and with one Python jinja2 process
# (bench/peer/), and `cat` of the files (the floor). Prints medians and ratios.
#
#   bench/compare.sh [N ...]        (default: 1 1000 10000)
#
# Needs hyperfine, python3 with jinja2, and minijinja-cli:
#   apt-get install hyperfine; pip install jinja2; cargo install --locked minijinja-cli
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1 1000 10000}")
[ $# -eq 0 ] && sizes=(1 1000 10000)
for tool in hyperfine python3 minijinja-cli; do
  command -v "$tool" >/dev/null || { echo "bench/compare.sh needs $tool (see the header)" >&2; exit 2; }
done
python3 -c 'import jinja2' 2>/dev/null || { echo "bench/compare.sh needs the jinja2 Python package" >&2; exit 2; }
cargo build --release --quiet
fwreq=$PWD/target/release/fwreq
peer=$PWD/bench/peer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%d)"
echo "fwreq $("$fwreq" -V | cut -d' ' -f2), $(minijinja-cli --version), jinja2 $(python3 -c 'import jinja2; print(jinja2.__version__)'), $(hyperfine --version)"
for n in "${sizes[@]}"; do
  dir=$work/specs$n
  python3 bench/generate.py "$n" "$dir"
  # Slow peers get fewer runs at the largest size.
  if [ "$n" -ge 10000 ]; then runs=3; elif [ "$n" -ge 1000 ]; then runs=5; else runs=20; fi
  hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/$n.json" \
    -n "fwreq check" "$fwreq check $dir --today 2026-11-26" \
    -n "fwreq render (1 process)" "$fwreq render $dir/*.toml" \
    -n "python jinja2 (1 process)" "python3 $peer/render.py $dir/*.toml" \
    -n "minijinja-cli (1 per file)" "sh -c 'for f in $dir/*.toml; do minijinja-cli $peer/ticket.md.j2 \$f; done'" \
    -n "cat" "cat $dir/*.toml" >/dev/null 2>&1
  python3 - "$work/$n.json" "$n" <<'PY'
import json, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
n = sys.argv[2]
render = results["fwreq render (1 process)"]
check = results["fwreq check"]
cat = results["cat"]
print(f"\nN = {n} specs (median of the runs)")
print("| command | median | fwreq render is faster by | vs cat |")
print("|---|---|---|---|")
for name, t in results.items():
    faster = f"{t / render:.1f}x" if name not in ("fwreq render (1 process)", "cat", "fwreq check") else "-"
    print(f"| {name} | {t * 1000:.1f} ms | {faster} | {t / cat:.1f}x |")
PY
done
