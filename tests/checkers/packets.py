"""Sends packets through nftables in a network namespace of its own (tests/implement.rs).

Run inside `unshare -Urn`: a user and network namespace with nothing but
loopback, so no real ruleset or host is touched. It makes a veth pair (the
routes of every address lead out of it, to nowhere), gives veth0 every
source address the packets use, then for each request: flushes the ruleset,
loads the request's nftables file, and sends each packet from a raw socket
(a TCP SYN, a UDP datagram, or an ICMP/ICMPv6 echo request). The kernel
answers a packet a rule drops at once with EPERM; any other is sent.

argv: a JSON file [{"file": NFT, "packets": [[src, dst, proto, port]]}],
and the JSON file to write [[verdict, ...], ...] to ("accept" or "drop").
"""

import errno
import json
import socket
import struct
import subprocess
import sys


def run(*args):
    subprocess.run(args, check=True)


def send(src, dst, proto, port):
    v6 = ":" in dst
    family = socket.AF_INET6 if v6 else socket.AF_INET
    if proto == "icmp":
        number = socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP
        payload = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, 1, 1)
    elif proto == "tcp":
        number = socket.IPPROTO_TCP
        payload = struct.pack("!HHIIBBHHH", 40000, port, 0, 0, 5 << 4, 2, 65535, 0, 0)
    else:
        number = socket.IPPROTO_UDP
        payload = struct.pack("!HHHH", 40000, port, 8, 0)
    with socket.socket(family, socket.SOCK_RAW, number) as s:
        s.bind((src, 0))
        try:
            s.sendto(payload, (dst, 0))
            return "accept"
        except PermissionError as e:
            assert e.errno == errno.EPERM, e
            return "drop"


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        requests = json.load(f)
    run("ip", "link", "set", "lo", "up")
    run("ip", "link", "add", "veth0", "type", "veth", "peer", "name", "veth1")
    run("ip", "link", "set", "veth0", "up")
    run("ip", "link", "set", "veth1", "up")
    sources = sorted({p[0] for r in requests for p in r["packets"]})
    for src in sources:
        if ":" in src:
            run("ip", "addr", "add", f"{src}/128", "dev", "veth0", "nodad")
        else:
            run("ip", "addr", "add", f"{src}/32", "dev", "veth0")
    run("ip", "route", "add", "default", "dev", "veth0")
    run("ip", "-6", "route", "add", "default", "dev", "veth0")
    results = []
    for r in requests:
        run("nft", "flush", "ruleset")
        run("nft", "-f", r["file"])
        results.append([send(*p) for p in r["packets"]])
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
