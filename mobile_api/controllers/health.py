from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State

from mobile_api.errors import envelope


@get("/health", exclude_from_auth=True, tags=["health"], operation_id="health")
async def health(state: State) -> Response[dict[str, Any]]:
    """200 while the server can serve requests (database reachable), else 503."""
    if not await state.parksafe.database.answers():
        return envelope(
            503, "database_unavailable", "数据库不可用 / database unreachable", {"database": "unreachable"}
        )
    return Response({"status": "ok", "database": "ok"})
