from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Response, get
from litestar.datastructures import State

from mobile_api.errors import envelope


@get("/health", exclude_from_auth=True, tags=["health"], operation_id="health")
async def health(state: State) -> Response[dict[str, Any]]:
    """200 while the server can serve requests (database reachable), else 503."""
    database = state.parksafe.database
    reachable = database.answered_recently() or await anyio.to_thread.run_sync(database.check)
    if not reachable:
        return envelope(
            503, "database_unavailable", "数据库不可用 / database unreachable", {"database": "unreachable"}
        )
    return Response({"status": "ok", "database": "ok"})
