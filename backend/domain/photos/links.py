"""Which findings use which photos, and what happens when a finding's last photo arrives."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.bulk import BulkRows
from backend.db.construct import new
from backend.db.models import Finding, FindingPhoto, Photo
from backend.db.types import utcnow
from backend.jobs.outbox import request_job

PHOTOS_COMPLETE_JOB = "finding.photos_complete"
VERIFY_JOB = "rectification.verify"


def stored_hashes(session: Session, hashes: Iterable[str]) -> set[str]:
    """Which of these photos are stored (one query; none for no hashes)."""
    wanted = sorted(set(hashes))
    if not wanted:
        return set()
    return set(session.exec(select(Photo.sha256).where(col(Photo.sha256).in_(wanted))).all())


def photo_set(photos: Iterable[str]) -> str:
    """A short name for a set of photos, in any order (for once-per-set job keys)."""
    return hashlib.sha256(",".join(sorted(photos)).encode()).hexdigest()[:16]


def request_verification(session: Session, rectification_id: uuid.UUID, occasion: str) -> None:
    request_job(
        session,
        VERIFY_JOB,
        key=f"verify:{rectification_id}:{occasion}",
        rectification_id=str(rectification_id),
    )


def links_of_new_finding(finding_id: uuid.UUID, photos: list[str]) -> list[FindingPhoto]:
    """The evidence links of a finding being created (it has none yet: no queries)."""
    return [
        new(FindingPhoto, finding_id=finding_id, photo_sha256=sha, purpose="evidence")
        for sha in dict.fromkeys(photos)
    ]


def set_links(session: Session, finding_id: uuid.UUID, photos: list[str], purpose: str) -> None:
    """Make the link rows of ``purpose`` for this finding name exactly ``photos``."""
    existing = set(
        session.exec(
            select(FindingPhoto.photo_sha256).where(
                FindingPhoto.finding_id == finding_id, FindingPhoto.purpose == purpose
            )
        ).all()
    )
    wanted = set(photos)
    removed = existing - wanted
    if removed:
        session.exec(
            sa.delete(FindingPhoto).where(
                col(FindingPhoto.finding_id) == finding_id,
                col(FindingPhoto.purpose) == purpose,
                col(FindingPhoto.photo_sha256).in_(sorted(removed)),
            )
        )
    all_linked = set(
        session.exec(select(FindingPhoto.photo_sha256).where(FindingPhoto.finding_id == finding_id)).all()
    )
    for sha in sorted(wanted - all_linked):
        session.add(FindingPhoto(finding_id=finding_id, photo_sha256=sha, purpose=purpose))


def note_complete_if_ready(
    session: Session, finding: Finding, stored: set[str], *, fresh: bool = False, bulk: BulkRows | None = None
) -> bool:
    """When every named photo is stored, set ``photos_complete_at`` and ask (once per photo
    set) for downstream jobs. Adds nothing to the session itself (see ``mark_complete_if_ready``)."""
    if not finding.photos or any(sha not in stored for sha in finding.photos):
        return False
    requested = request_job(
        session,
        PHOTOS_COMPLETE_JOB,
        key=f"photos-complete:{finding.id}:{photo_set(finding.photos)}",
        fresh=fresh,
        bulk=bulk,
        finding_id=str(finding.id),
    )
    if requested:
        finding.photos_complete_at = utcnow()
    return requested


def mark_complete_if_ready(session: Session, finding: Finding, stored: set[str]) -> bool:
    """``note_complete_if_ready`` for a finding the session tracks."""
    requested = note_complete_if_ready(session, finding, stored)
    if requested:
        session.add(finding)
    return requested


def findings_using(session: Session, sha256: str) -> list[Finding]:
    return list(
        session.exec(
            select(Finding)
            .join(FindingPhoto, col(FindingPhoto.finding_id) == col(Finding.id))
            .where(FindingPhoto.photo_sha256 == sha256, col(Finding.deleted_at).is_(None))
        ).all()
    )
