"""Every background job, registered in one place."""

from __future__ import annotations

import logging
import uuid

from sqlmodel import col, select

from ai.detection import ai_available
from backend.db.engine import transaction
from backend.db.models import AuditEvent, Photo
from backend.domain.audit.service import AuditLog
from backend.domain.escalation.service import load_escalation_rules
from backend.domain.findings.legal_basis import MATCH_JOB, MATCH_NEW_JOB, give_legal_basis
from backend.domain.notifications.delivery import MAX_ATTEMPTS, deliver
from backend.domain.notifications.outbox import SEND_JOB
from backend.domain.photos.detection_service import detect_on_finding
from backend.domain.photos.links import PHOTOS_COMPLETE_JOB, VERIFY_JOB
from backend.domain.photos.service import THUMBNAIL_JOB, original_key, thumbnail_key
from backend.domain.photos.thumbnails import ensure_thumbnail, thumbnail_source
from backend.domain.photos.verification_service import (
    index_photo_hash,
    request_pending_verifications,
    verify_rectification,
)
from backend.jobs.base import JobContext, registry

log = logging.getLogger(__name__)


@registry.job(THUMBNAIL_JOB, retries=5, retry_delay_seconds=2.0)
def make_thumbnail(context: JobContext, *, sha256: str) -> None:
    """The thumbnail and the perceptual-hash index entry, from one reduced-scale decode."""
    store, size_px = context.object_store, context.settings.thumbnail_px
    preview = thumbnail_source(store.read(original_key(sha256)), size_px)
    ensure_thumbnail(store, original_key(sha256), thumbnail_key(sha256), size_px, preview)
    with transaction(context.session_factory) as session:
        photo = session.get(Photo, sha256)
        if photo is not None:
            if not photo.thumbnail_ready:
                photo.thumbnail_ready = True
                session.add(photo)
            if ai_available():  # the reused-photo check is part of AI verification
                index_photo_hash(session, photo, preview)


# 5 s doubling: the eighth and last attempt comes about 10 minutes after the first, past a
# network outage of a few minutes or a bot's per-minute limit (WeCom: 20 messages a minute).
@registry.job(SEND_JOB, retries=MAX_ATTEMPTS - 1, retry_delay_seconds=5.0, max_retry_delay_seconds=600.0)
def send_notification(context: JobContext, *, notification_id: str) -> None:
    deliver(context.session_factory, context.settings, uuid.UUID(notification_id))


def _repeat_window_days(context: JobContext) -> int:
    return load_escalation_rules(context.settings.escalation_rules_path).repeated.window_days


@registry.job(MATCH_JOB, retries=3, retry_delay_seconds=2.0)
def match_finding(context: JobContext, *, finding_id: str) -> None:
    from regulations.service import get_matcher

    with transaction(context.session_factory) as session:
        give_legal_basis(session, get_matcher(), uuid.UUID(finding_id), _repeat_window_days(context))


@registry.job(MATCH_NEW_JOB, retries=3, retry_delay_seconds=2.0)
def match_new_findings(context: JobContext, *, finding_ids: list[str]) -> None:
    """Findings created together; one short transaction each, so pushes are not held up.
    A retry re-matches the ones already done, which changes nothing."""
    from regulations.service import get_matcher

    matcher, window_days = get_matcher(), _repeat_window_days(context)
    for finding_id in finding_ids:
        with transaction(context.session_factory) as session:
            give_legal_basis(session, matcher, uuid.UUID(finding_id), window_days)


@registry.job(VERIFY_JOB, retries=3, retry_delay_seconds=5.0)
def verify_rectification_job(context: JobContext, *, rectification_id: str) -> None:
    if not ai_available():  # installed without the ai extra: the supervisor reviews without a verdict
        log.info("rectification %s not verified: the ai extra is not installed", rectification_id)
        return
    verify_rectification(
        context.session_factory,
        context.object_store,
        context.settings.resolved_data_dir,
        uuid.UUID(rectification_id),
    )


@registry.job(PHOTOS_COMPLETE_JOB, retries=3, retry_delay_seconds=5.0)
def photos_complete(context: JobContext, *, finding_id: str) -> None:
    """All photos of a finding have arrived: note it on the timeline, then run photo detection."""
    with transaction(context.session_factory) as session:
        already = session.exec(
            select(AuditEvent.id).where(
                AuditEvent.entity == "finding",
                AuditEvent.entity_id == finding_id,
                col(AuditEvent.action) == "finding.photos_complete",
            )
        ).first()
        if already is None:
            AuditLog(session).record(
                None, "finding.photos_complete", "finding", uuid.UUID(finding_id), None, None
            )
    detect_on_finding(
        context.session_factory,
        context.object_store,
        context.settings.resolved_data_dir,
        uuid.UUID(finding_id),
    )
    with transaction(context.session_factory) as session:
        # A rectification that arrived first waited for these photos to be compared with.
        request_pending_verifications(session, uuid.UUID(finding_id))
