"""A record id in the path that is not a UUID: the router finds no route (404), but the caller
meant one and mistyped the id. Naming that beats a bare 404."""

from __future__ import annotations

import re
import uuid

from litestar import Litestar

_PARAMETER = re.compile(r"\{(\w+):\w+\}")


def _pattern(path: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(path)
    # split gives literal, name, literal, name, …: names become groups of one path segment.
    regex = "".join(re.escape(part) if n % 2 == 0 else f"(?P<{part}>[^/]+)" for n, part in enumerate(parts))
    return re.compile(regex)


def malformed_path_id(app: Litestar, path: str) -> tuple[str, str] | None:
    """The UUID path parameter of a route ``path`` would match but for that id, and the value sent."""
    for route in app.routes:
        ids = [name for name, definition in route.path_parameters.items() if definition.type is uuid.UUID]
        if not ids:
            continue
        match = _pattern(route.path).fullmatch(path)
        if match is None:
            continue
        for name in ids:
            try:
                uuid.UUID(match[name])
            except ValueError:
                return name, match[name]
    return None
