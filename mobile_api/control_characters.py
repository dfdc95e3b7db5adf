"""Refuse control characters in JSON bodies and query strings before any handler stores them."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, SerializationException, ValidationException

from backend.domain.control_characters import MESSAGE, control_character_paths

# Route option for handlers that check text themselves, where one bad item must not refuse the
# rest (sync push rejects the one mutation and applies the others).
CHECKS_TEXT_ITSELF = "checks_control_characters"


async def refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    """Runs before each API handler. A handler that takes ``data`` reads its body as JSON whatever
    the Content-Type says, so the body is checked by the handler's signature, not the header;
    Litestar caches the parsed body for the handler. Photo uploads stream their bodies and take
    no ``data``: they are never read here."""
    found = [
        f"query.{key}"
        for key, value in request.query_params.multi_items()
        if control_character_paths(value, "")
    ]
    handler = request.route_handler
    if "data" in handler.parsed_fn_signature.parameters:
        body = await _json_body(request)
        if not handler.opt.get(CHECKS_TEXT_ITSELF):
            found += control_character_paths(body, "body")
    if found:
        raise ValidationException(
            f"{MESSAGE}: {', '.join(found)}", extra=[{"key": path, "message": MESSAGE} for path in found]
        )


async def _json_body(request: Request[Any, Any, Any]) -> Any:
    try:
        return await request.json()
    except UnicodeDecodeError as exc:
        raise ClientException("请求体不是有效的 UTF-8 文本 / request body is not valid UTF-8") from exc
    except SerializationException as exc:  # what Litestar itself answers for a body that is not JSON
        raise ClientException(f"请求体不是有效的 JSON / body is not valid JSON: {exc}") from exc
