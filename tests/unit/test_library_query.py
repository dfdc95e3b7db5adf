"""Article numbers typed in digits are searched as the law texts write them."""

from __future__ import annotations

import pytest

from backend.domain.library.query import chinese_number, search_terms


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (28, "二十八"),
        (100, "一百"),
        (102, "一百零二"),
        (110, "一百一十"),
        (120, "一百二十"),
    ],
)
def test_article_numbers_read_as_in_the_texts(n: int, text: str) -> None:
    assert chinese_number(n) == text


def test_a_query_is_split_into_words_with_article_numbers_converted() -> None:
    assert search_terms(" 消防法  第28条 ") == ["消防法", "第二十八条"]
    assert search_terms("安全生产法 102条") == ["安全生产法", "第一百零二条"]
    assert search_terms("GB 30871 4.5") == ["GB", "30871", "4.5"]  # a standard's number and clause stay


@pytest.mark.parametrize(
    ("q", "terms"),
    [
        ("消防法第28条", ["消防法", "第二十八条"]),
        ("安全生产法102条", ["安全生产法", "第一百零二条"]),
        ("《中华人民共和国消防法》第二十八条第一款", ["中华人民共和国消防法", "第二十八条"]),
        ("消防法第六十条第（五）项", ["消防法", "第六十条"]),
        ("消防法28条罚款", ["消防法", "第二十八条", "罚款"]),
        ("第一〇二条", ["第一百零二条"]),
        ("消防法第28條", ["消防法", "第二十八条"]),
        ("两人作业", ["两人作业"]),  # 两 is read as 二 only in an article number
        ("危化品条例", ["危化品条例"]),  # 条例 is not an article
    ],
)
def test_an_article_typed_inside_a_word_is_split_off(q: str, terms: list[str]) -> None:
    assert search_terms(q) == terms
