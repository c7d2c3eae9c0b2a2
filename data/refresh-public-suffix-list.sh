#!/usr/bin/env bash
# Refreshes data/public_suffix_list.dat from the PyPI package `publicsuffixlist`,
# which is republished with each new list (its version ends in the list's date)
# and ships the list file unchanged, licence header and section markers included.
# Needs python3 with pip. Usage: data/refresh-public-suffix-list.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")"
spec=publicsuffixlist${1:+==$1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work" "$spec"
python3 - "$work" <<'PY'
import glob, sys, zipfile
work = sys.argv[1]
wheel = glob.glob(f"{work}/publicsuffixlist-*.whl")[0]
with zipfile.ZipFile(wheel) as z:
    data = z.read("publicsuffixlist/public_suffix_list.dat")
text = data.decode("utf-8")
lines = text.splitlines()
# The same form checks as the test in src/lints/public_suffix.rs: a broken
# download must never replace a good list.
for marker in ("===BEGIN ICANN DOMAINS===", "===END ICANN DOMAINS===",
               "===BEGIN PRIVATE DOMAINS===", "===END PRIVATE DOMAINS==="):
    if not any(marker in l for l in lines):
        sys.exit(f"refresh: the downloaded list has no {marker} line; keeping the old list")
if not lines[0].startswith("// This Source Code Form is subject to the terms of the Mozilla Public"):
    sys.exit("refresh: the downloaded list lost its MPL header; keeping the old list")
rules = [l for l in lines if l.strip() and not l.startswith("//")]
if len(rules) < 8000:
    sys.exit(f"refresh: only {len(rules)} rules in the download; keeping the old list")
if not any(l.startswith("// VERSION: ") for l in lines):
    sys.exit("refresh: the downloaded list has no '// VERSION:' line (its date); keeping the old list")
with open(f"{work}/public_suffix_list.dat", "w", encoding="utf-8", newline="\n") as f:
    f.write(text)
version = next(l for l in lines if l.startswith("// VERSION: "))
print(f"{wheel.split('/')[-1]}: {len(rules)} rules, {version[3:]}")
PY
mv "$work/public_suffix_list.dat" public_suffix_list.dat
echo "data/public_suffix_list.dat refreshed; run cargo test (lint counts in tests/lints.rs may change)"
