from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Response, get
from litestar.datastructures import State

from mobile_api.errors import NOT_MIGRATED, envelope


@get("/health", exclude_from_auth=True, tags=["health"], operation_id="health")
async def health(state: State) -> Response[dict[str, Any]]:
    """200 while the server can serve requests (database reachable and migrated), else 503."""
    app = state.parksafe
    if not await app.database.answers():
        return envelope(
            503, "database_unavailable", "数据库不可用 / database unreachable", {"database": "unreachable"}
        )
    if not app.schema.known_current and not await anyio.to_thread.run_sync(app.schema.is_current):
        return envelope(503, "database_not_migrated", NOT_MIGRATED, {"database": "not_migrated"})
    return Response({"status": "ok", "database": "ok"})
