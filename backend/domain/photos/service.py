"""Stored photos: intake, who may fetch them, and linking to the findings that name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from backend.db.models import Finding, FindingPhoto, Photo, PhotoHolder, Rectification
from backend.db.types import utcnow
from backend.db.versioning import lock_changes
from backend.domain.accounts.principal import Principal, scope_condition
from backend.domain.errors import NotFound
from backend.domain.photos.access import is_holder, out_of_reach
from backend.domain.photos.intake import InspectedImage, ReceivedUpload
from backend.domain.photos.links import (
    findings_using,
    mark_complete_if_ready,
    request_verification,
    stored_hashes,
)
from backend.domain.photos.results import results_by_photo
from backend.jobs.outbox import request_job
from backend.storage import ObjectStore

THUMBNAIL_JOB = "photo.thumbnail"


def original_key(sha256: str) -> str:
    return f"originals/{sha256[:2]}/{sha256}"


def thumbnail_key(sha256: str) -> str:
    return f"thumbs/{sha256[:2]}/{sha256}.jpg"


@dataclass(frozen=True, slots=True)
class StoredPhoto:
    photo: Photo
    created: bool


class PhotoService:
    def __init__(self, session: Session, store: ObjectStore) -> None:
        self._session = session
        self._store = store

    def get(self, sha256: str) -> Photo | None:
        return self._session.get(Photo, sha256)

    def store(self, upload: ReceivedUpload, image: InspectedImage, principal: Principal) -> StoredPhoto:
        # The bytes go to the store before the transaction starts: every writer of synced records
        # waits on the lock below, so a slow or hung store must not be waited on while holding it.
        # Keys are content hashes, so bytes left by a transaction that then fails harm nothing: the
        # next upload of the photo finds them and records the row.
        self._store.put_file(original_key(upload.sha256), upload.path, image.content_type)
        # First statement of the transaction: a finding naming this photo, pushed at the
        # same moment, either committed before (we see its links) or waits for us.
        lock_changes(self._session)
        existing = self._session.get(Photo, upload.sha256)
        if existing is not None:
            # 200 'already stored', as the contract says, even to a caller HEAD told 404: they sent
            # the bytes, so they hold the photo (and learn only that someone else took it too).
            self._record_holder(existing, principal)
            return StoredPhoto(existing, created=False)
        photo = Photo(
            sha256=upload.sha256,
            content_type=image.content_type,
            bytes=upload.size,
            width=image.width,
            height=image.height,
            taken_at=image.metadata.taken_at,
            gps_lat=image.metadata.gps_lat,
            gps_lng=image.metadata.gps_lng,
            uploaded_by=principal.user_id,
        )
        self._session.add(photo)
        # fresh: the photo row and its thumbnail request always commit together, so none exists yet
        request_job(
            self._session, THUMBNAIL_JOB, key=f"thumbnail:{upload.sha256}", fresh=True, sha256=upload.sha256
        )
        self._link_waiting_findings(upload.sha256)
        self._session.flush()
        return StoredPhoto(photo, created=True)

    def _record_holder(self, photo: Photo, principal: Principal) -> None:
        """Who sends the bytes of a stored photo holds them: they may use it as its uploader does."""
        if photo.uploaded_by in (None, principal.user_id) or is_holder(
            self._session, principal, photo.sha256
        ):
            return
        self._session.add(PhotoHolder(photo_sha256=photo.sha256, user_id=principal.user_id, since=utcnow()))
        self._session.flush()

    def _link_waiting_findings(self, sha256: str) -> None:
        purposes = set(
            self._session.exec(select(FindingPhoto.purpose).where(FindingPhoto.photo_sha256 == sha256)).all()
        )
        if not purposes:  # the usual case: the photo arrives before the finding naming it
            return
        if "rectification" in purposes:
            for rectification in self._session.exec(
                select(Rectification)
                .join(FindingPhoto, col(FindingPhoto.finding_id) == col(Rectification.finding_id))
                .where(FindingPhoto.photo_sha256 == sha256, FindingPhoto.purpose == "rectification")
            ).all():
                # Not verified yet: tested here, as an unset JSON column holds JSON null, not SQL NULL.
                if rectification.verification is None and sha256 in rectification.photos:
                    request_verification(self._session, rectification.id, sha256)
        for finding in findings_using(self._session, sha256):
            # Also where an earlier photo set was completed: a photo added since may be the one
            # arriving. Completion is requested once per photo set.
            stored = stored_hashes(self._session, finding.photos) | {sha256}
            mark_complete_if_ready(self._session, finding, stored)

    def missing(self, principal: Principal, hashes: list[str]) -> list[str]:
        """Which of these photos the caller's phone must upload, in the order asked: those not
        stored, and those stored by someone whose photos the caller may not use (as HEAD says)."""
        stored = stored_hashes(self._session, hashes)
        unusable = set(out_of_reach(self._session, principal, stored))
        return [sha for sha in dict.fromkeys(hashes) if sha not in stored or sha in unusable]

    def visible_photo(self, principal: Principal, sha256: str) -> Photo:
        """The photo, if the caller uploaded it or may see a finding that uses it; else 404."""
        photo = self._session.get(Photo, sha256)
        if photo is None:
            raise NotFound("photo", sha256)
        if photo.uploaded_by == principal.user_id or is_holder(self._session, principal, sha256):
            return photo
        if self._session.exec(self._findings_using(principal, sha256).limit(1)).first() is None:
            raise NotFound("photo", sha256)
        return photo

    def detections(self, principal: Principal, sha256: str) -> list[dict[str, Any]]:
        """The detector's results on this photo, from the findings the caller may see that use it
        and from their rectifications' verifications (an after-photo's boxes)."""
        findings = list(self._session.exec(self._findings_using(principal, sha256)).all())
        stored = results_by_photo(self._session, findings).get(sha256, []) if findings else []
        results: dict[tuple[str, str], dict[str, Any]] = {}
        for result in stored:
            results[(result["model"]["name"], result["model"]["version"])] = result
        return list(results.values())

    @staticmethod
    def _findings_using(principal: Principal, sha256: str) -> SelectOfScalar[Finding]:
        return (
            select(Finding)
            .join(FindingPhoto, col(FindingPhoto.finding_id) == col(Finding.id))
            .where(
                FindingPhoto.photo_sha256 == sha256,
                col(Finding.deleted_at).is_(None),  # a deleted finding shows its photos to no one
                scope_condition(principal, col(Finding.park_id), col(Finding.enterprise_id)),
            )
        )
