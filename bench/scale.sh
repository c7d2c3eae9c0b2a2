#!/usr/bin/env bash
# Repository scale (issue 33): N generated requests (default 10,000) through
# `fwreq site` (a fresh folder, then an unchanged rerun), `fwreq check`,
# `fwreq list` and `cat` (the floor), side by side with Hugo building a site
# of the same N rendered Markdown bodies with minimal layouts. Prints each
# median and the ratios the issue asks for.
#
#   bench/scale.sh [N]
#
# Needs hyperfine and hugo (Debian: apt-get install hyperfine hugo), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
for tool in hyperfine hugo python3; do
  command -v "$tool" >/dev/null || { echo "bench/scale.sh needs $tool (see the header)" >&2; exit 2; }
done
cargo build --release --locked --quiet
fwreq=$PWD/target/release/fwreq
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
specs=$work/specs
python3 bench/generate.py "$n" "$specs"

# Hugo's input: each request's ticket body as fwreq renders it, one page each.
hugo_site=$work/hugo
mkdir -p "$hugo_site/content" "$hugo_site/layouts/_default"
printf 'baseURL = "http://localhost/"\ntitle = "Firewall change requests"\ndisableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n' >"$hugo_site/hugo.toml"
printf '<!doctype html><html><head><title>{{ .Title }}</title></head><body><main>{{ .Content }}</main></body></html>\n' >"$hugo_site/layouts/_default/single.html"
printf '<!doctype html><html><head><title>{{ .Site.Title }}</title></head><body><ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n' >"$hugo_site/layouts/_default/list.html"
(cd "$specs" && ls) | sed 's/\.toml$//' | xargs -P "$(nproc)" -I{} sh -c \
  'printf "+++\ntitle = \"{}\"\n+++\n" >"$1/content/{}.md" && "$2" render "$3/{}.toml" >>"$1/content/{}.md" 2>/dev/null' _ "$hugo_site" "$fwreq" "$specs"

echo "machine: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%d); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fwreq $("$fwreq" -V | cut -d' ' -f2), $(hugo version | cut -d' ' -f1-2), $(hyperfine --version)"
today=2026-11-26
# One hyperfine run per command, so each has its own preparation.
bench() { # NAME PREPARE COMMAND
  hyperfine -i --style none --warmup 1 --runs 5 --export-json "$work/$(echo "$1" | tr -c 'a-z' _).json" \
    -n "$1" --prepare "$2" "$3" >/dev/null 2>&1
}
# A fresh folder each run: the last run's output is moved aside, and only
# deleted once every run is timed. Deleted just before, its 10,000 files
# would slow the next run's file creation: ext4 without a journal (these
# machines) passes over inodes deleted in the last minute or more when it
# looks for a free one, in every new file's search (fwreq's system time went
# from 0.4 to 2.3 s, Hugo's too). Both ways are timed, for both tools.
aside() { echo "mkdir -p $work/old && if [ -e $work/$1 ]; then mv $work/$1 $work/old/\$(date +%s%N); fi"; }
bench "fwreq site (fresh folder)" "$(aside site)" "$fwreq site $specs -o $work/site --today $today"
bench "fwreq site (unchanged rerun)" "true" "$fwreq site $specs -o $work/site --today $today"
bench "hugo (fresh folder)" "$(aside public)" "hugo --quiet -s $hugo_site -d $work/public"
rm -rf "$work/old"
bench "fwreq site (fresh, last one just deleted)" "rm -rf $work/site" "$fwreq site $specs -o $work/site --today $today"
bench "hugo (fresh, last one just deleted)" "rm -rf $work/public" "hugo --quiet -s $hugo_site -d $work/public"
bench "fwreq check" "true" "$fwreq check $specs --today $today"
bench "fwreq list" "true" "$fwreq list $specs"
bench "cat" "true" "cat $specs/*.toml"
python3 - "$work" "$n" <<'PY'
import glob, json, sys
t = {}
for path in sorted(glob.glob(sys.argv[1] + "/*.json")):
    for r in json.load(open(path))["results"]:
        t[r["command"]] = (r["median"], r["user"], r["system"])
print(f"\nN = {sys.argv[2]} requests (median of 5 runs; user and system CPU time are means)")
print("| command | median | user | system |")
print("|---|---|---|---|")
for name, (s, user, system) in t.items():
    print(f"| {name} | {s * 1000:.0f} ms | {user * 1000:.0f} ms | {system * 1000:.0f} ms |")
for how in ["fresh folder", "fresh, last one just deleted"]:
    site, hugo = t[f"fwreq site ({how})"][0], t[f"hugo ({how})"][0]
    print(f"site vs hugo ({how}): fwreq is {hugo / site:.1f}x faster")
print(f"check vs cat: {t['fwreq check'][0] / t['cat'][0]:.1f}x")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
