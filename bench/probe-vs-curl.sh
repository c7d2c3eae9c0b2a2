#!/usr/bin/env bash
# Wall time of `fwreq probe` against the rendered snippets' curl lines run one by
# one with `curl --connect-timeout`, for FLOWS flows that all time out (a filtered
# port on loopback). Needs hyperfine, curl and python3. Loopback only.
#
#   bench/probe-vs-curl.sh [FLOWS] [TIMEOUT_SECONDS]     (default 1000 flows, 0.2 s)
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${1:-1000}
timeout=${2:-0.2}

cargo build --release --quiet
fwreq=target/release/fwreq
work=$(mktemp -d)
trap 'kill "$holder" 2>/dev/null || true; rm -rf "$work"' EXIT

# Hold a filtered port open for the whole run.
mkfifo "$work/hold"
python3 bench/filtered_listener.py < "$work/hold" > "$work/port" &
holder=$!
exec 3> "$work/hold"
until [ -s "$work/port" ]; do sleep 0.05; done
port=$(cat "$work/port")

# One rule, FLOWS destinations, one port: FLOWS flows.
{
  printf 'title = "Benchmark"\nproject = "p"\nrequest = "r"\nreason = "r"\n'
  printf 'affected_apps = ["a"]\njustification = "j"\n[[rules]]\nports = [%s]\ndestinations = [\n' "$port"
  for i in $(seq 1 "$flows"); do printf '  "host%s.example.com",\n' "$i"; done
  printf ']\n'
} > "$work/req.toml"

# The curl lines exactly as the ticket renders them, with a connect timeout and
# the names mapped to loopback.
"$fwreq" render "$work/req.toml" | grep '^curl -vv telnet://' |
  sed "s|^curl |curl --silent --connect-timeout $timeout --resolve *:$port:127.0.0.1 |; s|\$| </dev/null \|\| true|" \
  > "$work/curl-loop.sh"
[ "$(wc -l < "$work/curl-loop.sh")" -eq "$flows" ]

hyperfine --style basic --export-markdown "$work/fwreq.md" --runs 5 \
  "$fwreq probe $work/req.toml --timeout ${timeout}s --resolve '*:127.0.0.1' --format json --expect blocked"
hyperfine --style basic --export-markdown "$work/curl.md" --runs 1 \
  "bash $work/curl-loop.sh"
cat "$work/fwreq.md" "$work/curl.md"
