"""Text people type never holds control characters; PostgreSQL refuses NUL, spreadsheets refuse the rest.

Tab, line feed and carriage return are text (a description may span lines); every other C0
control character and DEL is refused where text comes in, naming where it was found.
"""

from __future__ import annotations

import re
from typing import Any

CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MESSAGE = "文本含有控制字符（如 NUL） / text contains control characters (such as NUL)"


def control_character_paths(value: Any, path: str = "$") -> list[str]:
    """JSON paths of the strings (keys included) in ``value`` that hold a control character."""
    if isinstance(value, str):
        return [path] if CONTROL_CHARACTER.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            child = f"{path}.{key}"
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
