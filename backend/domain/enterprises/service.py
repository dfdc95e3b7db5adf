"""Enterprises as a caller may see them."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import Enterprise
from backend.domain.accounts.principal import Principal, scope_condition
from backend.domain.errors import NotFound
from backend.domain.pagination import Page, PageRequest


class EnterpriseService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _visible(self, principal: Principal) -> sa.ColumnElement[bool]:
        return sa.and_(
            scope_condition(principal, col(Enterprise.park_id), col(Enterprise.id)),
            col(Enterprise.deleted_at).is_(None),
        )

    def list_page(self, principal: Principal, page: PageRequest) -> Page[Enterprise]:
        visible = self._visible(principal)
        total = self._session.exec(select(sa.func.count()).select_from(Enterprise).where(visible)).one()
        items = self._session.exec(
            select(Enterprise)
            .where(visible)
            .order_by(col(Enterprise.code))
            .limit(page.limit)
            .offset(page.offset)
        ).all()
        return Page(items=items, total=total, limit=page.limit, offset=page.offset)

    def get(self, principal: Principal, enterprise_id: uuid.UUID) -> Enterprise:
        enterprise = self._session.exec(
            select(Enterprise).where(Enterprise.id == enterprise_id, self._visible(principal))
        ).first()
        if enterprise is None:
            raise NotFound("enterprise", enterprise_id)
        return enterprise
