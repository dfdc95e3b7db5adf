"""Text people type never holds control characters; PostgreSQL refuses NUL, spreadsheets refuse the rest.

Tab, line feed and carriage return are text (a description may span lines); every other C0
control character and DEL is refused where text comes in, naming where it was found.
"""

from __future__ import annotations

import re
from typing import Any

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = "文本含有控制字符（如 NUL） / text contains control characters (such as NUL)"


def visible(text: str) -> str:
    """``text`` with each control character written as ``\\xNN``: safe to repeat back and to store."""
    return CONTROL_CHARACTER.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def visible_everywhere(value: Any) -> Any:
    """``value`` (JSON-like) with every string, keys included, made ``visible``."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible_everywhere(key): visible_everywhere(item) for key, item in value.items()}
    if isinstance(value, list):
        return [visible_everywhere(item) for item in value]
    return value


def control_character_paths(value: Any, path: str) -> list[str]:
    """Paths (``body.location.text``) of the strings in ``value``, keys included, holding a
    control character; keys are written ``visible`` in them."""
    if isinstance(value, str):
        return [path] if CONTROL_CHARACTER.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            child = f"{path}.{visible(key) if isinstance(key, str) else key}"
            if isinstance(key, str) and CONTROL_CHARACTER.search(key):
                found.append(child)
            found += control_character_paths(item, child)
        return found
    if isinstance(value, list):
        return [
            found
            for index, item in enumerate(value)
            for found in control_character_paths(item, f"{path}[{index}]")
        ]
    return []
