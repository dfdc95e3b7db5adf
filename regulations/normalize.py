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


@cache
def _replacements(path: Path = SYNONYMS) -> tuple[tuple[str, str], ...]:
    table: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = [
        (unicodedata.normalize("NFKC", variant).lower(), canonical)
        for canonical, variants in table.items()
        for variant in variants
    ]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))  # longest first: 明火作业 before 明火


def normalize(text: str) -> str:
    """Full/half width folded, case folded, punctuation and spaces removed, synonyms unified."""
    folded = unicodedata.normalize("NFKC", text).lower()
    for variant, canonical in _replacements():
        if variant in folded:
            folded = folded.replace(variant, canonical)
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
