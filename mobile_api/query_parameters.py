"""Refusing query parameters an endpoint does not take.

Litestar ignores them, so a guessed filter (``/notifications?enterprise_id=…``, ``/findings?from=…``)
or one meant for another endpoint (``/findings?format=csv``) would answer with everything,
unfiltered, and look like an answer. Each handler takes the query parameters its signature
and its dependencies declare, as Litestar resolves them at start-up.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, Request
from litestar.enums import ParamType
from litestar.routes import HTTPRoute

from backend.domain.errors import UnknownParameter

_STATE_KEY = "accepted_query_parameters"  # worked out once per app, on its first request


def _accepted_by_handler(app: Litestar) -> dict[int, frozenset[str]]:
    """Each HTTP handler's query parameter names, keyed by the handler's id."""
    names: dict[int, frozenset[str]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler, kwargs_model in route.route_handler_map.values():
                names[id(handler)] = frozenset(
                    parameter.field_alias
                    for parameter in kwargs_model.expected_query_params
                    if parameter.param_type is ParamType.QUERY
                )
    return names


def refuse_unknown_query_parameters(request: Request[Any, Any, Any]) -> None:
    state = request.app.state
    by_handler: dict[int, frozenset[str]] | None = state.get(_STATE_KEY)
    if by_handler is None:
        by_handler = state[_STATE_KEY] = _accepted_by_handler(request.app)
    accepted = by_handler.get(id(request.route_handler))
    if accepted is None:
        return
    unknown = sorted(set(request.query_params) - accepted)
    if unknown:
        raise UnknownParameter(
            f"不支持的查询参数：{'、'.join(unknown)} / unknown query parameter: {', '.join(unknown)}",
            {"unknown": unknown, "accepted": sorted(accepted)},
        )
