#!/usr/bin/env python3
"""Writes N realistic request specs into a folder, deterministically (the same N
gives the same files): one to twelve destinations each, mixing FQDNs, Unicode
names, wildcards with probes, IPv4 and IPv6 addresses and CIDR ranges, TCP and
UDP rules, sources, comments, expiry dates and test sections.

    bench/generate.py N OUTDIR
"""
import os
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
rng = random.Random(20261126)
plants = ["Avilla", "Albion", "Southfield", "Mills River", "Guelph", "Wuxi"]
apps = ["Automated Report System", "Tool Management System", "Tool Tracker",
        "Manufacturing Execution System", "Plant Audit Logging", "Quality Portal"]
vendors = ["registry", "ingest", "telemetry", "updates", "license", "api", "files"]
zones = ["example.com", "vendor-cloud.example", "observability.example", "pkg.example.net"]


def destination(i):
    kind = rng.randrange(7)
    zone = rng.choice(zones)
    if kind == 0:
        return f'"{rng.choice(vendors)}{i % 97}.{zone}"'
    if kind == 1:
        v = rng.choice(vendors)
        return f'{{ host = "*.{v}.{zone}", probe = "eu1.{v}.{zone}" }}'
    if kind == 2:
        return f'"203.0.113.{rng.randrange(1, 255)}"'
    if kind == 3:
        return f'"2001:db8:{rng.randrange(1, 0xffff):x}::{rng.randrange(1, 0xffff):x}"'
    if kind == 4:
        a, b = rng.randrange(0, 250), rng.randrange(0, 255)
        return f'{{ host = "10.{a}.{b}.0/28", probe = "10.{a}.{b}.5" }}'
    if kind == 5:
        return f'"münchen-{rng.choice(vendors)}.{zone}"'
    return f'"{rng.choice(vendors)}-{i}.{rng.choice(plants).lower().replace(" ", "-")}.{zone}"'


for i in range(n):
    plant = rng.choice(plants)
    rules = []
    for r in range(rng.randrange(1, 4)):
        proto = "tcp" if rng.random() < 0.8 else "udp"
        ports = rng.sample([443, 8443, 4317, 5671, 9092, 123, 514, 22], rng.randrange(1, 3))
        if rng.random() < 0.2 and proto == "tcp":
            ports.append('"8000-8050"')
        written = [destination(i * 10 + k) for k in range(rng.randrange(1, 5))]
        dests = ",\n  ".join(written)
        # Sources of each family the rule's addresses have (a rule pairing
        # IPv4 sources with IPv6 destinations only is an error); names take any.
        v6 = any("2001:db8" in d for d in written)
        v4 = any("203.0.113." in d or 'host = "10.' in d for d in written)
        sources = []
        v4_source = f'"10.{rng.randrange(1, 250)}.{rng.randrange(0, 255)}.0/24"'
        if v4 or not v6:
            sources.append(v4_source)
        if v6:
            sources.append('"2001:db8:ffff::/64"')
        rules.append(
            f'[[rules]]\ncomment = "{plant} flow {r + 1}"\nprotocol = "{proto}"\n'
            f'ports = [{", ".join(str(p) for p in ports)}]\n'
            f'sources = [{", ".join(sources)}]\n'
            f'destinations = [\n  {dests},\n]\n'
        )
    expires = f'expires = 2027-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}\n' if rng.random() < 0.3 else ""
    ritm = f'ritm = "RITM{rng.randrange(10**6, 10**7):07d}"\nreq = "REQ{rng.randrange(10**6, 10**7):07d}"\n' if rng.random() < 0.6 else ""
    text = (
        f'title = "{plant} Structures network config request {i}"\n{ritm}'
        f'project = "{plant} Structures Kubernetes Cluster"\n'
        f'request = "Please update the {plant} Structures \\"Kubernetes\\" policy to allow access to the vendor endpoints."\n'
        f'reason = "The cluster needs the vendor services for its {rng.choice(apps)} workloads."\n'
        f'affected_apps = ["{rng.choice(apps)}", "{rng.choice(apps)}"]\n'
        f'justification = "The {plant} cluster runs the plant\'s information systems."\n'
        f'requested_by = "John Biel"\n{expires}'
        f'allow = ["cleartext-port", "wildcard-public-suffix"]\n\n'
        + "\n".join(rules)
        + '\n[test]\nsteps = ["Add firewall rule", "Restart the agent"]\nhost = "ops@10.188.50.201"\n'
        'commands = ["systemctl restart agent", "journalctl -u agent -n 20"]\n'
    )
    with open(os.path.join(out, f"req{i:05d}.toml"), "w", encoding="utf-8") as f:
        f.write(text)
