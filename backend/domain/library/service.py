"""Reading the law library stored at seed."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import RegulationArticle
from backend.domain.errors import NotFound
from backend.domain.library.query import is_article_number, search_terms
from backend.domain.pagination import Page, PageRequest

# Given a description, the citations of the articles that bear on it, best first.
RelatedArticles = Callable[[str], list[str]]
_ARTICLE_PART = re.compile(r"^(.*?第[^第]*?条).*$")


@dataclass(frozen=True, slots=True)
class ArticleSearch:
    page: Page[RegulationArticle]
    related: bool  # no article holds every word: these bear on the query read as a description


class RegulationService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def search(
        self, q: str | None, law: str | None, page: PageRequest, related: RelatedArticles | None = None
    ) -> ArticleSearch:
        """Articles holding every word of ``q`` (in the text, the citation or the law's names),
        in the library's order. Where none does and ``related`` is given, the articles it finds
        for ``q`` read as an inspector's description (堵塞消防通道 → 消防法第二十八条), best first."""
        conditions: list[sa.ColumnElement[bool]] = []
        terms = search_terms(q or "")
        for term in terms:
            # The words as typed: % and _ are characters to find, not wildcards.
            conditions.append(
                sa.or_(
                    *(
                        column.contains(term, autoescape=True)
                        for column in (
                            col(RegulationArticle.text),
                            col(RegulationArticle.citation),
                            col(RegulationArticle.law),
                            col(RegulationArticle.law_title),
                        )
                    )
                )
            )
        if law:
            conditions.append(_of_law(law))
        page_found = self._page(sa.and_(sa.true(), *conditions), page)
        # An article asked by its number that the library lacks has no stand-in.
        if page_found.total or not terms or related is None or any(map(is_article_number, terms)):
            return ArticleSearch(page_found, related=False)
        return ArticleSearch(self._related(related(" ".join(terms)), law, page), related=True)

    def _related(self, citations: list[str], law: str | None, page: PageRequest) -> Page[RegulationArticle]:
        """The articles of these citations, in their order; a clause (第六十条第（五）项) as its article."""
        articles = {citation: _ARTICLE_PART.sub(r"\1", citation) for citation in citations}
        rows = {
            article.citation: article
            for article in self._session.exec(
                select(RegulationArticle).where(
                    col(RegulationArticle.citation).in_({*articles, *articles.values()})
                )
            ).all()
            if law is None or _undated(law) in (article.law, article.law_title)
        }
        chosen = (rows.get(citation) or rows.get(article) for citation, article in articles.items())
        found = list({row.id: row for row in chosen if row is not None}.values())
        return Page(found[page.offset : page.offset + page.limit], len(found), page.limit, page.offset)

    def _page(self, where: sa.ColumnElement[bool], page: PageRequest) -> Page[RegulationArticle]:
        total = self._session.exec(select(sa.func.count()).select_from(RegulationArticle).where(where)).one()
        items = self._session.exec(
            select(RegulationArticle)
            .where(where)
            .order_by(col(RegulationArticle.law), col(RegulationArticle.position))
            .limit(page.limit)
            .offset(page.offset)
        ).all()
        return Page(items, total, page.limit, page.offset)

    def get(self, article_id: uuid.UUID) -> RegulationArticle:
        article = self._session.get(RegulationArticle, article_id)
        if article is None:
            raise NotFound("regulation_article", article_id)
        return article


def _undated(law: str) -> str:
    """中华人民共和国消防法（2021年修正） → 中华人民共和国消防法: the library holds one revision of each."""
    return law.split("（", maxsplit=1)[0].strip()


def _of_law(law: str) -> sa.ColumnElement[bool]:
    """A law named by its short name (消防法) or its title, with or without the revision."""
    name = _undated(law)
    return sa.or_(col(RegulationArticle.law) == name, col(RegulationArticle.law_title) == name)
