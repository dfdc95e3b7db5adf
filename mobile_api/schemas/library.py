from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec

from backend.db.models import RegulationArticle
from mobile_api.schemas.common import ListResponse


class MatchRequest(msgspec.Struct, forbid_unknown_fields=False):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    limit: Annotated[int, msgspec.Meta(ge=1, le=20)] = 5
    hazard_codes: list[Annotated[str, msgspec.Meta(max_length=32)]] = []
    # Whether the finding's enterprise holds a 重大危险源 (the PWA knows it from the enterprise
    # chosen); unknown by default. Items only such holders can have are not offered to others.
    major_hazard_source: bool | None = None


class ChecklistMatchOut(msgspec.Struct):
    code: str
    title: str
    score: float


class RegulationMatchOut(msgspec.Struct):
    citation: str
    law: str
    article: str
    score: float
    excerpt: str


class MajorHazardOut(msgspec.Struct):
    criterion: str
    citation: str


class MatchResponse(msgspec.Struct):
    checklist: list[ChecklistMatchOut]
    regulations: list[RegulationMatchOut]
    major_hazard: MajorHazardOut | None


class ArticleOut(msgspec.Struct):
    id: uuid.UUID
    law: str
    law_title: str
    number: str
    citation: str
    kind: str
    text: str
    penalty: dict[str, Any] | None
    doc_number: str
    document_status: str
    source: Any

    @classmethod
    def of(cls, article: RegulationArticle) -> ArticleOut:
        return cls(
            article.id,
            article.law,
            article.law_title,
            article.number,
            article.citation,
            article.kind,
            article.text,
            article.penalty,
            article.doc_number,
            article.document_status,
            article.source,
        )


class ArticleSearchOut(ListResponse[ArticleOut]):
    """A list (contract) of articles; ``related``: no article holds every word of the query, so
    these are the articles that bear on it read as a hazard description, best first."""

    related: bool = False
