from __future__ import annotations

from typing import Any

import anyio.to_thread
import msgspec
from litestar import Response, get, head
from litestar.datastructures import State

from mobile_api.errors import NOT_MIGRATED, envelope


async def _unhealthy(state: State) -> Response[Any] | None:
    """The 503 envelope while the server cannot serve requests, else None."""
    app = state.parksafe
    if not await app.database.answers():
        return envelope(
            503, "database_unavailable", "数据库不可用 / database unreachable", {"database": "unreachable"}
        )
    if not app.schema.known_current and not await anyio.to_thread.run_sync(app.schema.is_current):
        return envelope(503, "database_not_migrated", NOT_MIGRATED, {"database": "not_migrated"})
    return None


_OK = {"status": "ok", "database": "ok"}


@get("/health", exclude_from_auth=True, tags=["health"], operation_id="health")
async def health(state: State) -> Response[dict[str, Any]]:
    """200 while the server can serve requests (database reachable and migrated), else 503."""
    return await _unhealthy(state) or Response(_OK)


@head("/health", exclude_from_auth=True, tags=["health"], operation_id="health_head")
async def health_head(state: State) -> Response[None]:
    """What `GET /health` would answer, without its body: for probes that send `HEAD`."""
    answer = await _unhealthy(state) or Response(_OK)
    length = len(msgspec.json.encode(answer.content))
    return Response(None, status_code=answer.status_code, headers={"content-length": str(length)})
