"""Reading the law library stored at seed."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import RegulationArticle
from backend.domain.errors import NotFound
from backend.domain.pagination import Page, PageRequest


class RegulationService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def search(self, q: str | None, law: str | None, page: PageRequest) -> Page[RegulationArticle]:
        conditions: list[sa.ColumnElement[bool]] = []
        if q and q.strip():
            # The words as typed: % and _ are characters to find, not wildcards.
            text = q.strip()
            conditions.append(
                sa.or_(
                    col(RegulationArticle.text).contains(text, autoescape=True),
                    col(RegulationArticle.citation).contains(text, autoescape=True),
                )
            )
        if law:
            conditions.append(col(RegulationArticle.law) == law)
        where = sa.and_(sa.true(), *conditions)
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
