"""What a search of the law library looks for: the words typed, each of which must appear, with
article numbers in the form the texts use (第28条 → 第二十八条).

Inspectors type a law and its article as one word (消防法第28条, 安全生产法第一百零二条) or paste a
citation (《中华人民共和国消防法》第二十八条第一款): the article is split off as a word of its own, the
title's brackets dropped, and a 款/项 after it left out (the texts do not write them).
"""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_CHINESE_NUMERAL = "零〇一二三四五六七八九十百两"
# 28, 第28条, 28条, 第28: a word that is an article number in Arabic digits (not a GB clause like 4.5).
_ARTICLE_WORD = re.compile(r"^第?(\d{1,3})[条條]?$")
# An article inside a longer word: 第28条, 28条, 第二十八条 (traditional 條 too).
_ARTICLE_INSIDE = re.compile(rf"第?(\d+)[条條]|第([{_CHINESE_NUMERAL}]+)[条條]")
_CLAUSE_REFERENCE = re.compile(r"^(?:第[^条條]*?[款项項])+")
_TITLE_BRACKETS = str.maketrans("", "", "《》〈〉")
_ARTICLE_TERM = re.compile(rf"^第(?:[{_CHINESE_NUMERAL}]+|\d+)[条條]$")


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


def is_article_number(term: str) -> bool:
    """第二十八条: a search for one article, which no description-like match can stand in for."""
    return bool(_ARTICLE_TERM.match(term))


def search_terms(q: str) -> list[str]:
    """The words of a query, split at spaces and before and after an article number, which is
    written as the texts write it."""
    terms: list[str] = []
    for word in q.split():
        terms.extend(_split_word(word))
    return terms


def _split_word(word: str) -> list[str]:
    number = _ARTICLE_WORD.match(word)
    if number:
        return [f"第{chinese_number(int(number.group(1)))}条" if int(number.group(1)) else word]
    found = _ARTICLE_INSIDE.search(word)
    if found is None:
        return [word]
    digits = found.group(1)
    article = f"第{_from_digits(digits) if digits else _as_in_texts(found.group(2))}条"
    before = word[: found.start()].translate(_TITLE_BRACKETS)
    after = _CLAUSE_REFERENCE.sub("", word[found.end() :])
    return [part for part in (before, article, *(_split_word(after) if after else [])) if part]


def _from_digits(digits: str) -> str:
    """28 → 二十八; a number no article has (0, 1000) stays as typed, to be found nowhere."""
    return chinese_number(int(digits)) if 0 < int(digits) < 1000 else digits


def _as_in_texts(numeral: str) -> str:
    """一〇二 (digit by digit) → 一百零二, 两 → 二: an article number as the texts write it."""
    numeral = numeral.replace("两", "二").replace("〇", "零")
    if len(numeral) > 1 and all(char in _DIGITS for char in numeral):
        value = int("".join(str(_DIGITS.index(char)) for char in numeral))
        return chinese_number(value) if 0 < value < 1000 else numeral
    return numeral
