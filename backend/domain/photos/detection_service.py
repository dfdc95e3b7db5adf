"""Detection on a finding's photos once they are all stored; results go on the finding."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.engine import transaction
from backend.db.models import Finding
from backend.db.versioning import allocate_versions, update_synced
from backend.domain.audit.service import AuditLog
from backend.domain.findings.legal_basis import hazard_codes_in, request_matching_of
from backend.domain.photos.service import original_key
from backend.storage import ObjectStore

log = logging.getLogger(__name__)


def _failed(sha256: str, model: str, version: str, error: Exception) -> dict[str, Any]:
    log.warning("photo %s could not be analysed by %s: %s", sha256, model, error)
    return {
        "photo": sha256,
        "model": {"name": model, "version": version},
        "width": 0,
        "height": 0,
        "detections": [],
        "error": f"照片无法识别 / the photo could not be analysed: {error}",
    }


_findings = Finding.__table__  # type: ignore[attr-defined]


def _live_finding(session: Session, finding_id: uuid.UUID, *columns: str) -> sa.Row[Any] | None:
    """Some columns of a live finding, through Core: this job runs on every photo and needs
    neither the whole record nor the ORM's bookkeeping for it."""
    statement = sa.select(*(_findings.c[name] for name in columns)).where(
        _findings.c.id == finding_id, _findings.c.deleted_at.is_(None)
    )
    return session.connection().execute(statement).first()


def detect_on_finding(
    session_factory: sessionmaker[Session], store: ObjectStore, data_dir: Path, finding_id: uuid.UUID
) -> bool:
    """Run every registered model on each photo not yet analysed by it; False if AI is not installed.

    Inference runs outside any transaction; the results are merged into the finding's results
    read again under the change lock, so a push committing meanwhile is never overwritten.
    """
    from ai.detection import ai_available, get_detectors
    from ai.images import upright_photo

    if not ai_available():
        log.warning("ultralytics is not installed: photo detection skipped (install the 'ai' extra)")
        return False
    with session_factory() as session:
        stored = _live_finding(session, finding_id, "photos", "ai")
    if stored is None:
        return True
    photos, known = list(stored.photos), list(stored.ai)
    fresh: list[dict[str, Any]] = []
    for detector in get_detectors(data_dir):
        done = {(r.get("photo"), r["model"]["name"], r["model"]["version"]) for r in known}
        todo = [sha for sha in photos if (sha, detector.entry.name, detector.entry.version) not in done]
        images, readable = [], []
        for sha in todo:
            try:
                images.append(upright_photo(store.read(original_key(sha)), detector.entry.image_size))
                readable.append(sha)
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                # Marked failed with the reason, so it is neither retried forever nor silently skipped.
                fresh.append(_failed(sha, detector.entry.name, detector.entry.version, error))
        fresh += [
            {"photo": sha, **result.as_dict()}
            for sha, result in zip(readable, detector.detect(images), strict=True)
        ]
    if not fresh:
        return True
    with transaction(session_factory) as session:
        # The change lock, and the version this change will carry: one statement. Unused if there
        # is nothing to add, a gap in the versions that pullers never notice.
        version = allocate_versions(session, 1)
        current = _live_finding(session, finding_id, "ai", "photos", "description", "field_versions")
        if current is None:
            return True
        present = {(r.get("photo"), r["model"]["name"], r["model"]["version"]) for r in current.ai}
        added = [
            r
            for r in fresh
            if (r["photo"], r["model"]["name"], r["model"]["version"]) not in present
            and r["photo"] in current.photos  # not removed from the finding while it was analysed
        ]
        if not added:
            return True
        results = [*current.ai, *added]
        update_synced(
            session,
            Finding,
            finding_id,
            {"ai": results},
            field_versions=current.field_versions,
            version=version,
        )
        codes = hazard_codes_in(results)
        AuditLog(session).record(
            None,
            "finding.ai_detected",
            "finding",
            finding_id,
            None,
            {
                "photos": len({r["photo"] for r in added}),
                "hazard_codes": codes,
                "detections": sum(len(r["detections"]) for r in added),
            },
        )
        if codes:
            request_matching_of(session, finding_id, current.description, codes)
    return True
