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
# A person going into a reactor (人进釜, 进釜检修, 釜内清理作业) is 进入受限空间 (GB 30871-2022 3.5 names
# 反应器、塔、釜、槽、罐), though no checklist text says 釜 (those of 进罐, 进塔 and 罐内作业 do). Only with a
# person before it or entry work after it: material 入釜/进釜前置换, 釜内除氧, 下到釜里没称量 are process.
_REACTOR = r"(?:反应)?釜(?:内|里)?"
_ENTRY_WORK = r"(?:作业|检修|维修|清理|清淤|清渣|清釜|焊|刷|干活)"
_REACTOR_ENTRY = re.compile(
    rf"(?<=人)(?:进|入|下)(?:入|到|过)?{_REACTOR}"
    rf"|(?<!料)(?:进|入|下)(?:入|到|过)?{_REACTOR}(?={_ENTRY_WORK})"
    rf"|(?:在|到)?(?:反应)?釜(?:内|里)(?={_ENTRY_WORK})"
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
    folded = _REACTOR_ENTRY.sub("进入受限空间", unicodedata.normalize("NFKC", text).lower())
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
