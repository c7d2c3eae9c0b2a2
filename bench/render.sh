#!/usr/bin/env bash
# Process time of fwreq: one render, a check of requests/, and 100 renders in one
# process (the template environment is built once per process). Needs hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
fwreq=$PWD/target/release/fwreq
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for i in $(seq 1 100); do cp requests/southfield-observability.toml "$work/req$i.toml"; done
hyperfine --style basic --warmup 3 --runs 50 --export-markdown "$work/render.md" \
  -n "render 1 request" "$fwreq render requests/avilla-calico-registry.toml" \
  -n "check requests/ (3)" "$fwreq check requests/" \
  -n "render 100 requests, 1 process" "cd $work && $fwreq render req*.toml" >/dev/null
cat "$work/render.md"
