"""The baselines: a bare Litestar app answering a tiny JSON document, and storing a body durably."""

import os
import tempfile
from typing import Any

from litestar import Litestar, Request, get, put

FOLDER = tempfile.mkdtemp(prefix="bench-bare-put-")


@get("/", sync_to_thread=False)
def hello() -> dict[str, str]:
    return {"hello": "world"}


@put("/bodies/{name:str}", request_max_body_size=None, status_code=204)
async def store_body(name: str, request: Request[Any, Any, Any]) -> None:
    """The least a photo PUT can do in this framework: stream the body to a file and fsync it."""
    with open(os.path.join(FOLDER, os.path.basename(name)), "wb") as handle:
        async for chunk in request.stream():
            handle.write(chunk)
        handle.flush()
        os.fsync(handle.fileno())


app = Litestar(route_handlers=[hello, store_body])
