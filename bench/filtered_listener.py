#!/usr/bin/env python3
"""A filtered port on loopback: a listener with a backlog of 1 whose accept queue
is filled and never accepted, so Linux drops new SYNs and connects time out.
Prints the port, then holds until stdin closes or it is killed."""
import socket
import sys

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]
held = []
while True:
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(0.2)
    try:
        client.connect(("127.0.0.1", port))
        held.append(client)
    except OSError:
        break
print(port, flush=True)
sys.stdin.read()
