"""Chinese-aware text normalisation for matching inspector wording to the libraries."""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

SYNONYMS = Path(__file__).parent / "data" / "synonyms.yaml"
_NOISE = re.compile(r"[^\w]+", re.UNICODE)
# The lead-in of a written inspection record ("现场检查发现：", "经查，", "巡查中发现") says nothing about
# the hazard, but its words are those of the checklist's own inspection items ("检查发现的问题没处理"),
# which it would otherwise match. Not stripped when the words go on as a noun phrase ("检查发现的…").
_PREAMBLE = re.compile(
    r"^\s*(?:经(?:现场)?(?:检查|核查|排查|查)"
    r"|(?:检查组|检查人员|督查组)?(?:在?现场|本次|此次)?(?:检查|巡查|排查|核查|巡检)?(?:中|时|过程中)?"
    r"(?:发现|查见|看到))"
    r"(?!的)[\s,，:：、]*"
)


@cache
def _replacements(path: Path = SYNONYMS) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern over every variant and canonical term, longest first, applied in a single pass:
    a canonical term maps to itself, so 配电箱 stays whole although 电箱 is one of its variants."""
    table: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    mapping: dict[str, str] = {}
    for canonical, variants in table.items():
        for variant in variants:
            mapping[unicodedata.normalize("NFKC", variant).lower()] = canonical
    for canonical in table:
        mapping[unicodedata.normalize("NFKC", canonical).lower()] = canonical
    alternatives = sorted(mapping, key=lambda term: (-len(term), term))
    return re.compile("|".join(re.escape(term) for term in alternatives)), mapping


def strip_preamble(text: str) -> str:
    """The description without its record lead-in: "现场检查发现：罐区无喷淋" → "罐区无喷淋"."""
    return _PREAMBLE.sub("", text, count=1)


def normalize(text: str) -> str:
    """Full/half width folded, case folded, punctuation and spaces removed, synonyms unified."""
    folded = unicodedata.normalize("NFKC", text).lower()
    pattern, mapping = _replacements()
    folded = pattern.sub(lambda found: mapping[found.group(0)], folded)
    return _NOISE.sub("", folded).replace("_", "")


@cache
def _jieba() -> object:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokens(text: str) -> str:
    """Words of the normalised text, space separated (for order-insensitive scorers)."""
    import jieba

    _jieba()
    return " ".join(word for word in jieba.lcut(text) if word.strip())
