"""Loading rule files: YAML checked against a typed schema; errors name the file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

T = TypeVar("T")


class RulesFileError(ValueError):
    """A rules file that cannot be used; the message says where and why."""


def _line_of(node: yaml.Node | None, path: list[str | int]) -> int | None:
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next((value for key, value in node.value if key.value == step), None)
            node = match if match is not None else node
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
        line = node.start_mark.line + 1
    return line


def _path_of(message: str) -> list[str | int]:
    found = re.search(r"at `\$([^`]*)`", message)
    if not found:
        return []
    return [
        int(part[1:-1]) if part.startswith("[") else part
        for part in re.findall(r"\.(\w+)|(\[\d+\])", found.group(1))
        for part in part
        if part
    ]


def _line_mentioning(text: str, message: str) -> int | None:
    """For cross-field errors without a path: the first line naming the offending value."""
    offending = message.rsplit(": ", 1)[-1].split(", ", maxsplit=1)[0].strip()
    for number, line in enumerate(text.splitlines(), start=1):
        if offending and re.search(rf"\b{re.escape(offending)}\b", line):
            return number
    return None


def load_rules(path: Path, schema: type[T]) -> T:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesFileError(f"{path}: 无法读取规则文件 / cannot read rules file: {exc}") from exc
    try:
        root = yaml.compose(text)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        where = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise RulesFileError(f"{path}:{where}: YAML 格式错误 / invalid YAML: {exc.problem}") from exc
    try:
        return msgspec.convert(data, schema, strict=True)
    except msgspec.ValidationError as exc:
        path_in_file = _path_of(str(exc))
        line = _line_of(root, path_in_file) if path_in_file else _line_mentioning(text, str(exc))
        raise RulesFileError(f"{path}:{line}: 规则不合法 / invalid rule: {exc}") from exc
