"""A TCP port free on the loopback interface, for servers a test starts (uvicorn, moto, redis-server)."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
