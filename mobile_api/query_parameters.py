"""Refusing query parameters an endpoint does not take, and naming the choices a refused value had.

Litestar ignores them, so a guessed filter (``/notifications?enterprise_id=…``, ``/findings?from=…``)
or one meant for another endpoint (``/findings?format=csv``) would answer with everything,
unfiltered, and look like an answer. Each handler takes the query parameters its signature
and its dependencies declare, as Litestar resolves them at start-up. A parameter given twice
(``?status=reported&status=dispatched``) is refused too unless it takes a list: Litestar would
use the last value without looking at the others.
"""

from __future__ import annotations

import typing
from enum import StrEnum
from typing import Any, NamedTuple

from litestar import Litestar, Request
from litestar.enums import ParamType
from litestar.routes import HTTPRoute

from backend.domain.errors import RepeatedParameter, UnknownParameter

_STATE_KEY = "accepted_query_parameters"  # worked out once per app, on its first request
_CHOICES_KEY = "query_parameter_choices"


class Accepted(NamedTuple):
    names: frozenset[str]
    lists: frozenset[str]  # the names that may be given more than once


def _accepted_by_handler(app: Litestar) -> dict[int, Accepted]:
    """Each HTTP handler's query parameters, keyed by the handler's id."""
    accepted: dict[int, Accepted] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler, kwargs_model in route.route_handler_map.values():
                query = [p for p in kwargs_model.expected_query_params if p.param_type is ParamType.QUERY]
                accepted[id(handler)] = Accepted(
                    frozenset(p.field_alias for p in query),
                    frozenset(p.field_alias for p in query if p.is_sequence),
                )
    return accepted


def refuse_unknown_query_parameters(request: Request[Any, Any, Any]) -> None:
    state = request.app.state
    by_handler: dict[int, Accepted] | None = state.get(_STATE_KEY)
    if by_handler is None:
        by_handler = state[_STATE_KEY] = _accepted_by_handler(request.app)
    accepted = by_handler.get(id(request.route_handler))
    if accepted is None:
        return
    query = request.query_params
    unknown = sorted(set(query) - accepted.names)
    if unknown:
        shown = [name or "（空名）" for name in unknown]
        raise UnknownParameter(
            f"不支持的查询参数：{'、'.join(shown)} / unknown query parameter: {', '.join(map(repr, unknown))}",
            {"unknown": unknown, "accepted": sorted(accepted.names)},
        )
    repeated = sorted(name for name in query if name not in accepted.lists and len(query.getall(name)) > 1)
    if repeated:
        raise RepeatedParameter(
            f"查询参数只能给一次：{'、'.join(repeated)} / query parameter given more than once: {', '.join(repeated)}",
            {"repeated": repeated},
        )


def add_choices(request: Request[Any, Any, Any], problems: list[dict[str, Any]]) -> None:
    """To each refused value of a choice (``?status=bogus``, ``{"decision": "ok"}``), add the values
    it allows, so the caller need not look them up."""
    state = request.app.state
    by_handler: dict[int, dict[tuple[str, str], list[str]]] = state.get(_CHOICES_KEY) or {}
    state[_CHOICES_KEY] = by_handler
    handler = request.scope.get("route_handler")
    if handler is None:
        return
    if id(handler) not in by_handler:
        by_handler[id(handler)] = _choices_of(handler)
    choices = by_handler[id(handler)]
    for problem in problems:
        source = getattr(problem.get("source"), "value", problem.get("source"))
        if allowed := choices.get((str(source), str(problem.get("key")))):
            problem["allowed"] = allowed


def _choices_of(handler: Any) -> dict[tuple[str, str], list[str]]:
    """The handler's and its dependencies' query parameters typed as a choice (a StrEnum), and the
    top-level fields of its request body typed as one (a StrEnum or a Literal), by (source, name)."""
    hints = {name: field.annotation for name, field in handler.parsed_fn_signature.parameters.items()}
    for provide in handler.resolve_dependencies().values():
        hints |= _hints(provide.dependency)
    choices: dict[tuple[str, str], list[str]] = {}
    for name, hint in hints.items():
        if name == "data" and isinstance(hint, type):
            for field, field_hint in _hints(hint).items():
                if allowed := _allowed(field_hint):
                    choices[("body", field)] = allowed
        elif allowed := _allowed(hint):
            choices[("query", name)] = allowed
    return choices


def _hints(annotated: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(annotated)
    except Exception:  # annotations that cannot be resolved take no choice
        return {}


def _allowed(hint: Any) -> list[str]:
    """``Literal["a", "b"]``, a StrEnum, or either of them ``| None`` → the values allowed."""
    if typing.get_origin(hint) is typing.Literal:
        return [str(value) for value in typing.get_args(hint)]
    for option in typing.get_args(hint) or (hint,):
        if typing.get_origin(option) is typing.Literal:
            return [str(value) for value in typing.get_args(option)]
        if isinstance(option, type) and issubclass(option, StrEnum):
            return [member.value for member in option]
    return []
