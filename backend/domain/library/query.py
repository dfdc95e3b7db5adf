"""What a search of the law library looks for: the words typed, each of which must appear, with
article numbers in the form the texts use (第28条 → 第二十八条)."""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
# 28, 第28条, 28条, 第28: an article number in Arabic digits (not a GB clause like 4.5).
_ARTICLE = re.compile(r"^第?(\d{1,3})条?$")


def chinese_number(n: int) -> str:
    """1–999 as Chinese law texts number their articles: 十二, 二十八, 一百零二, 一百一十."""
    if not 0 < n < 1000:
        raise ValueError(n)
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    text = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        text += ("" if n < 20 else _DIGITS[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    if ones:
        text += _DIGITS[ones]
    return text


def search_terms(q: str) -> list[str]:
    """The words of a query, split at spaces; an article number in digits as the texts write it."""
    terms = []
    for word in q.split():
        number = _ARTICLE.match(word)
        terms.append(
            f"第{chinese_number(int(number.group(1)))}条" if number and int(number.group(1)) else word
        )
    return terms
