"""Checkers written by others, over many files in one process (tests/implement.rs).

Reads a JSON list of jobs (the first argument) and writes a JSON list of
results, one per job, to the second:

- {"kind": "fwshift", "argv": [...]}: fwshift's own command line
  (`fwshift.cli.main`, what the `fwshift` script runs), with `-o OUT` in argv;
  the result is the exit code, the JSON it wrote is the caller's to read.
- {"kind": "panos", "file": PATH}: the `set` commands of `fwreq implement
  --target panos`, built offline as pan-os-python objects (AddressObject,
  ServiceObject, ScheduleObject, SecurityRule: their XML is what a device
  reads), and every reference of each security rule checked against the
  objects the file defines. The result lists the problems found.

One process, because fwshift starts in a third of a second and the test runs
it over hundreds of files.
"""

import json
import re
import shlex
import sys

from fwshift.cli import main as fwshift
from panos import objects, policies

# PAN-OS object names: up to 63 characters, letters, digits, `.`, `_`, `-`,
# starting with a letter or digit (PAN-OS admin guide, "object names").
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


def values(tokens, i):
    """One value or a `[ a b ]` list at tokens[i]; returns (values, next i)."""
    if tokens[i] == "[":
        end = tokens.index("]", i)
        return tokens[i + 1 : end], end + 1
    return [tokens[i]], i + 1


def panos(path):
    problems = []
    addresses, services, schedules, rules = {}, {}, {}, []
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if l and not l.startswith("#")]
    for line in lines:
        t = shlex.split(line)
        try:
            if t[:2] == ["set", "address"]:
                name, kind, value = t[2], t[3], t[4]
                addresses[name] = objects.AddressObject(name, value, type=kind)
            elif t[:2] == ["set", "service"]:
                name = t[2]
                assert t[3] == "protocol" and t[5] == "port", line
                services[name] = objects.ServiceObject(
                    name, protocol=t[4], destination_port=t[6]
                )
            elif t[:2] == ["set", "schedule"]:
                name = t[2]
                assert t[3:5] == ["schedule-type", "non-recurring"], line
                schedules[name] = objects.ScheduleObject(
                    name, type="non-recurring", non_recurring_date_time=[t[5]]
                )
            elif t[:4] == ["set", "rulebase", "security", "rules"]:
                fields, i = {"name": [t[4]]}, 5
                while i < len(t):
                    key = t[i]
                    fields[key], i = values(t, i + 1)
                rules.append(fields)
            else:
                problems.append(f"unknown command: {line}")
        except (IndexError, ValueError, AssertionError) as e:
            problems.append(f"unreadable ({e}): {line}")
    for name in list(addresses) + list(services) + list(schedules):
        if not NAME.match(name):
            problems.append(f"object name not allowed by PAN-OS: {name}")
    for obj in list(addresses.values()) + list(services.values()) + list(schedules.values()):
        obj.element_str()
    for r in rules:
        name = r["name"][0]
        if not NAME.match(name):
            problems.append(f"rule name not allowed by PAN-OS: {name}")
        for key, known, builtin in [
            ("source", addresses, {"any"}),
            ("destination", addresses, {"any"}),
            ("service", services, {"any", "application-default"}),
            ("schedule", schedules, set()),
        ]:
            for ref in r.get(key, []):
                if ref not in known and ref not in builtin:
                    problems.append(f"rule {name}: {key} {ref} is not defined")
        if not r.get("destination"):
            problems.append(f"rule {name}: no destination")
        if r.get("action", [None])[0] not in ("allow", "deny"):
            problems.append(f"rule {name}: action {r.get('action')}")
        rule = policies.SecurityRule(
            name,
            fromzone=r.get("from", []),
            tozone=r.get("to", []),
            source=r.get("source", []),
            destination=r.get("destination", []),
            application=r.get("application", []),
            service=r.get("service", []),
            action=r.get("action", [None])[0],
            schedule=r.get("schedule", [None])[0],
            description=r.get("description", [""])[0],
        )
        rule.element_str()
    return {
        "problems": problems,
        "objects": len(addresses) + len(services) + len(schedules),
        "rules": len(rules),
    }


def run(jobs):
    out = []
    for job in jobs:
        if job["kind"] == "fwshift":
            out.append({"code": fwshift(job["argv"])})
        else:
            out.append(panos(job["file"]))
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    results = run(jobs)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)
