from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import anyio.to_thread
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlmodel import Session

from backend.domain.library.service import RegulationService
from mobile_api.schemas.common import LimitParam, OffsetParam, page_request
from mobile_api.schemas.library import (
    ArticleOut,
    ArticleSearchOut,
    ChecklistMatchOut,
    MajorHazardOut,
    MatchRequest,
    MatchResponse,
    RegulationMatchOut,
)
from regulations.service import get_matcher


@post("/match", operation_id="match", tags=["library"], status_code=200)
async def match(data: JSONBody[MatchRequest]) -> MatchResponse:
    """Match an inspector's free text to checklist items, cited articles and major-hazard criteria."""
    if not data.text.strip():
        from backend.domain.errors import InvalidInput

        raise InvalidInput("描述不能为空 / text is empty", {"field": "text"})

    def run() -> MatchResponse:
        result = get_matcher().match(
            data.text,
            data.limit,
            date.today(),
            data.hazard_codes,
            major_hazard_source=data.major_hazard_source,
        )
        return MatchResponse(
            [ChecklistMatchOut(m.code, m.title, m.score) for m in result.checklist],
            [
                RegulationMatchOut(r.citation, r.law, r.article, r.score, r.excerpt)
                for r in result.regulations
            ],
            MajorHazardOut(result.major_hazard.criterion, result.major_hazard.citation)
            if result.major_hazard
            else None,
        )

    return await anyio.to_thread.run_sync(run)


def related_articles(text: str) -> list[str]:
    return [match.citation for match in get_matcher().match(text, 20, date.today()).regulations]


class RegulationController(Controller):
    path = "/regulations"
    tags = ["library"]

    @get("/", operation_id="search_regulations", sync_to_thread=True)
    def search(
        self,
        db_session: NamedDependency[Session],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        law: FromQuery[str | None] = None,
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> ArticleSearchOut:
        """Search the law library's articles (verbatim texts with their sources): every word of `q`
        (`消防法 第28条`, `消防法第28条`, `危化品条例 第二十条`, a pasted citation); where no article
        holds them all, the articles that bear on `q` read as a hazard description (`堵塞消防通道`),
        best first. `law` is a short name (`消防法`) or a title (`中华人民共和国消防法`)."""
        found = RegulationService(db_session).search(q, law, page_request(limit, offset), related_articles)
        page = found.page
        return ArticleSearchOut(
            [ArticleOut.of(a) for a in page.items], page.total, page.limit, page.offset, found.related
        )

    @get("/{article_id:uuid}", operation_id="get_regulation_article", sync_to_thread=True)
    def read(self, article_id: FromPath[uuid.UUID], db_session: NamedDependency[Session]) -> ArticleOut:
        return ArticleOut.of(RegulationService(db_session).get(article_id))
