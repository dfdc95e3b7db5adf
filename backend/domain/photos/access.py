"""Which stored photos a user may attach to a record.

Attaching a photo to a finding or a rectification lets everyone who sees that record fetch it,
the attacher included; so a stored photo may only be attached by someone who could already see
it: its uploader (or another who sent its bytes too), a colleague in the same scope (another safety officer of the enterprise), or
someone who sees a finding using it. A photo not uploaded yet may be named (phones push records
before photos); whoever uploads it has its bytes already.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, col, select

from backend.db.models import Finding, FindingPhoto, Photo, PhotoHolder, User
from backend.domain.accounts.principal import Principal, scope_condition


def is_holder(session: Session, principal: Principal, sha256: str) -> bool:
    """Whether ``principal`` sent the bytes of a photo someone else stored first."""
    return session.get(PhotoHolder, (sha256, principal.user_id)) is not None


def out_of_reach(session: Session, principal: Principal, hashes: Iterable[str]) -> list[str]:
    """The stored photos among ``hashes`` that ``principal`` may not attach, in order."""
    wanted = sorted(set(hashes))
    if not wanted:
        return []
    uploaded_by = dict(
        session.exec(select(Photo.sha256, Photo.uploaded_by).where(col(Photo.sha256).in_(wanted))).all()
    )
    others = {sha for sha, uploader in uploaded_by.items() if uploader != principal.user_id}
    if others:
        others -= set(
            session.exec(
                select(PhotoHolder.photo_sha256).where(
                    col(PhotoHolder.photo_sha256).in_(sorted(others)),
                    PhotoHolder.user_id == principal.user_id,
                )
            ).all()
        )
    if not others:
        return []
    colleagues = {uploaded_by[sha] for sha in others} - {None}
    in_scope = set(
        session.exec(
            select(User.id).where(
                col(User.id).in_(colleagues),
                scope_condition(principal, col(User.park_id), col(User.enterprise_id)),
            )
        ).all()
    )
    others = {sha for sha in others if uploaded_by[sha] not in in_scope}
    if others:
        others -= set(
            session.exec(
                select(FindingPhoto.photo_sha256)
                .join(Finding, col(Finding.id) == col(FindingPhoto.finding_id))
                .where(
                    col(FindingPhoto.photo_sha256).in_(sorted(others)),
                    col(Finding.deleted_at).is_(None),
                    scope_condition(principal, col(Finding.park_id), col(Finding.enterprise_id)),
                )
            ).all()
        )
    return [sha for sha in dict.fromkeys(hashes) if sha in others]
