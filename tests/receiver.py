"""A real local HTTP receiver for apprise's json:// notifications, which can be told to fail."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Receiver:
    port: int
    received: list[dict[str, Any]] = field(default_factory=list)
    failures_left: int = 0
    always_fail: bool = False
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "notify") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with receiver.lock:
                receiver.attempts += 1
                fail = receiver.always_fail or receiver.failures_left > 0
                if receiver.failures_left > 0:
                    receiver.failures_left -= 1
                if not fail:
                    receiver.received.append(json.loads(body))
            self.send_response(500 if fail else 200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
