"""A small keep-alive HTTP/1.1 load generator on raw asyncio streams.

It is much lighter than an HTTP client library, so on a 2-core machine the server,
not the generator, sets the pace. Only plain responses with Content-Length are read.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return status


async def _connection(host: str, port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < deadline:
            writer.write(request)
            status = await _read_response(reader)
            counts[0 if status < 400 else 1] += 1
    finally:
        writer.close()


async def _run(
    host: str, port: int, path: str, headers: dict[str, str], seconds: float, connections: int
) -> LoadResult:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    counts = [0, 0]
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_connection(host, port, request, deadline, counts) for _ in range(connections)))
    return LoadResult(counts[0], counts[1], time.monotonic() - started)


def measure(
    host: str,
    port: int,
    path: str,
    headers: dict[str, str] | None = None,
    seconds: float = 5.0,
    connections: int = 8,
) -> LoadResult:
    asyncio.run(_run(host, port, path, headers or {}, min(1.0, seconds), connections))  # warm-up
    return asyncio.run(_run(host, port, path, headers or {}, seconds, connections))
