"""msgspec's validation messages in Chinese, for the people who read our error replies.

The English stays beside the Chinese (error messages are bilingual); a message no rule knows
comes back unchanged.
"""

from __future__ import annotations

import re

TYPE_NAMES = {
    "int": "整数",
    "float": "数字",
    "str": "文本",
    "array": "列表",
    "object": "对象",
    "bool": "布尔值",
    "null": "空值",
    "datetime": "RFC 3339 时间",
}


def _type(name: str) -> str:
    """``int | null`` → 整数或空值."""
    return "或".join(TYPE_NAMES.get(part.strip(), part.strip()) for part in name.split("|"))


# What a pattern in our schemas asks for, said to a person rather than as a regular expression.
PATTERN_MEANINGS = {
    "^[0-9a-f]{64}$": "应为 64 位小写十六进制 SHA-256 值",
    r"^[^\x00-\x1f\x7f]+$": "不能含控制字符",
}


def _pattern(pattern: str) -> str:
    return PATTERN_MEANINGS.get(pattern, f"格式不符合要求（{pattern}）")


RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Object missing required field `([^`]+)`"), "缺少必填字段 {0}"),
    (re.compile(r"Object contains unknown field `([^`]+)`"), "包含未知字段 {0}"),
    (re.compile(r"Invalid enum value (.+)"), "取值无效：{0}"),
    (re.compile(r"Invalid UUID"), "不是有效的 UUID"),
    (re.compile(r"Invalid RFC3339 encoded date$"), "不是有效的日期（应为 YYYY-MM-DD）"),
    (re.compile(r"Invalid RFC3339 encoded (?:datetime|time)"), "不是有效的 RFC 3339 时间"),
    (re.compile(r"Expected `(\w+)` of length <= (\d+)"), "{0}长度不能超过 {1}"),
    (re.compile(r"Expected `(\w+)` of length >= (\d+)"), "{0}长度至少为 {1}"),
    (re.compile(r"Expected `(\w+)` <= (\S+)"), "{0}不能大于 {1}"),
    (re.compile(r"Expected `(\w+)` >= (\S+)"), "{0}不能小于 {1}"),
    (re.compile(r"Expected `([\w |]+)`, got `(\w+)`"), "应为{0}，实际为{1}"),
]
REGEX = re.compile(r"Expected `str` matching regex '(.+)'")
AT = re.compile(r"\s*- at `\$\.?([^`]*)`$")


def in_chinese(message: str) -> str:
    """ "Expected `array` of length <= 20 - at `$.photos`" → "列表长度不能超过 20（位置：photos）"."""
    where = AT.search(message)
    bare = AT.sub("", message)
    place = where.group(1) if where else ""
    if regex := REGEX.search(bare):
        return _located(_pattern(regex.group(1)), place)
    for pattern, template in RULES:
        found = pattern.search(bare)
        if found:
            values = [
                _type(value) if value.split("|")[0].strip() in TYPE_NAMES else value
                for value in found.groups()
            ]
            return _located(template.format(*values), place)
    return message


def _located(text: str, place: str) -> str:
    return f"{text}（位置：{place}）" if place else text
