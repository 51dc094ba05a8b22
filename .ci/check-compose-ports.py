#!/usr/bin/env python3
"""Fails unless every port the compose file publishes is bound to a loopback address.

Reads `docker-compose config` on stdin: the file as Compose resolves it (anchors merged, variables
filled in), so what is checked is what `docker compose up` would publish. Python because
docker-compose v1 is a Python program that brings PyYAML with it; the check needs nothing else.

    docker-compose -f docker-compose.yml config | python3 .ci/check-compose-ports.py

A port without a host address ("8080:8080", or a bare "8080", which publishes a random host port)
is published on every interface of the host: anyone on the network could reach it. So is every
port of a service with `network_mode: host`.
"""
import ipaddress
import sys

import yaml


def is_loopback(address):
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def host_address(port):
    """The host address a port entry binds, or None for every interface; and how to name it."""
    if isinstance(port, dict):  # long syntax (and what config writes for ports without an address)
        if "published" not in port:
            return port.get("host_ip"), f"{port.get('target')} (on a random host port)"
        return port.get("host_ip"), f"{port['published']}:{port.get('target')}"
    text = str(port)
    # [address:]published:target[/protocol]; an IPv6 address has colons of its own, so split from the right.
    parts = text.split("/")[0].rsplit(":", 2)
    return (parts[0] if len(parts) == 3 else None), text


def main():
    config = yaml.safe_load(sys.stdin) or {}
    if not config.get("services"):
        # An empty input is a failed `docker-compose config`, not a file that publishes nothing.
        print("no services read: pipe the output of `docker-compose config` into this check", file=sys.stderr)
        return 1
    problems, published = [], []
    for name, service in sorted((config.get("services") or {}).items()):
        if service.get("network_mode") == "host":
            problems.append(f"service {name}: network_mode: host exposes every port it listens on; publish ports on 127.0.0.1 instead")
        for port in service.get("ports") or []:
            address, shown = host_address(port)
            if address is not None and is_loopback(address):
                published.append(f"{name} {shown}")
            elif address is None:
                problems.append(f"service {name}: port {shown} is published on every interface; give it an address: 127.0.0.1:<host port>:<container port>")
            else:
                problems.append(f"service {name}: port {shown} is published on {address}, which is not loopback; use 127.0.0.1")
    if problems:
        for line in problems:
            print(f"docker-compose.yml: {line}", file=sys.stderr)
        return 1
    print("published on loopback only: " + (", ".join(published) or "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
