"""Refuse control characters in JSON bodies and query strings before any handler stores them."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ValidationException

from backend.domain.control_characters import MESSAGE, control_character_paths

# Route option for handlers that check text themselves, where one bad item must not refuse the
# rest (sync push rejects the one mutation and applies the others).
CHECKS_TEXT_ITSELF = "checks_control_characters"


async def refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    found = [
        f"query.{key}" for key, value in request.query_params.multi_items() if control_character_paths(value)
    ]
    if (
        not request.route_handler.opt.get(CHECKS_TEXT_ITSELF)
        and request.content_type[0] == "application/json"
    ):
        try:
            body = await request.json()
        except Exception:
            body = None
        found += control_character_paths(body)
    if found:
        raise ValidationException(
            f"{MESSAGE}: {', '.join(found)}", extra=[{"key": path, "message": MESSAGE} for path in found]
        )
