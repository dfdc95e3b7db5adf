"""The law library (法律法规库): verbatim texts from regulations/data/regulations.json.

Every document keeps its public sources (``source``) and how it was cross-checked
(``verification``); see regulations/data/SOURCES.md. Loaded once per process.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.checklist_schema import LawReference

DATA = Path(__file__).parent / "data" / "regulations.json"
STANDARD_SHORT_NAMES = {"GB 30871-2022": "GB 30871—2022"}
CRITERIA = "化工重大隐患判定标准"
FIRE_LAW = "消防法"
_EDITION = re.compile(r"（\d{4}年(?:修正|修订)）$")

# When a document stops or starts applying, by the date a hazard was observed
# (README of the reference texts): the 2015 处罚办法 is superseded from 2026-02-01;
# the 危险化学品安全法 applies from 2026-05-01, the 2013 条例 before it.
APPLIES_FROM: dict[str, date] = {"危险化学品安全法": date(2026, 5, 1)}
APPLIES_UNTIL: dict[str, date] = {
    "行政处罚办法（原总局令第15号）": date(2026, 1, 31),
    "危化品条例": date(2026, 4, 30),
}


@dataclass(frozen=True)
class PenaltyTier:
    target: str  # unit | person
    min_yuan: int | None
    max_yuan: int | None
    basis_phrase: str


@dataclass(frozen=True)
class Article:
    law: str  # the document's short name
    number: str  # 第一百零二条 / 5.2.1 / 二
    text: str
    kind: str  # duty | penalty | criterion | requirement
    tiers: tuple[PenaltyTier, ...] = ()
    penalty_other: str = ""


@dataclass(frozen=True)
class Document:
    short_name: str
    title: str
    doc_number: str
    status: str
    source: Any
    articles: dict[str, Article] = field(default_factory=dict)

    @property
    def full_title(self) -> str:
        """The name a citation uses: the title without its edition note (（2021年修正）)."""
        return _EDITION.sub("", self.title)

    def applies_on(self, observed: date) -> bool:
        starts, ends = APPLIES_FROM.get(self.short_name), APPLIES_UNTIL.get(self.short_name)
        return (starts is None or observed >= starts) and (ends is None or observed <= ends)


@dataclass(frozen=True)
class Library:
    documents: dict[str, Document]

    def article(self, law: str, number: str) -> Article | None:
        document = self.documents.get(law)
        return document.articles.get(number) if document else None

    def cite(self, law: str, number: str, item: str | None = None, paragraph: str | None = None) -> str:
        """《法规全称》第X条第Y款第（Z）项; standards with their number and clause; criteria by 项."""
        document = self.documents[law]
        if law == CRITERIA:
            return f"《{document.full_title}》第{number}项"
        if law in STANDARD_SHORT_NAMES:
            return f"《{document.full_title}》（{STANDARD_SHORT_NAMES[law]}）第{number}条"
        return (
            f"《{document.full_title}》{number}"
            + (f"第{paragraph}款" if paragraph else "")
            + (f"第（{item}）项" if item else "")
        )

    def cite_reference(self, reference: LawReference) -> str:
        return self.cite(reference.law, reference.article, reference.item, reference.paragraph)

    def all_articles(self) -> list[Article]:
        return [article for document in self.documents.values() for article in document.articles.values()]


def _tiers(penalty: dict[str, Any] | None) -> tuple[PenaltyTier, ...]:
    if not penalty:
        return ()
    return tuple(
        PenaltyTier(t.get("target", "unit"), t.get("min_yuan"), t.get("max_yuan"), t.get("basis_phrase", ""))
        for t in penalty.get("tiers", [])
    )


def parse_library(raw: list[dict[str, Any]]) -> Library:
    documents = {}
    for entry in raw:
        articles = {
            a["number"]: Article(
                entry["short_name"],
                a["number"],
                a["text"],
                a.get("kind", "duty"),
                _tiers(a.get("penalty")),
                (a.get("penalty") or {}).get("other", ""),
            )
            for a in entry.get("articles", [])
        }
        documents[entry["short_name"]] = Document(
            entry["short_name"],
            entry["title"],
            entry.get("doc_number", ""),
            entry.get("status", ""),
            entry.get("source"),
            articles,
        )
    return Library(documents)


@cache
def load_library(path: Path = DATA) -> Library:
    return parse_library(json.loads(path.read_text(encoding="utf-8")))
