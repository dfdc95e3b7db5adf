"""Applying pushed rectifications (整改): proof that a hazard was fixed."""

from __future__ import annotations

import hashlib
import uuid

from sqlmodel import col, select

from backend.db.models import Finding, Rectification, User
from backend.domain.accounts.roles import Role
from backend.domain.findings.legal_basis import request_matching
from backend.domain.findings.vocabulary import FindingStatus, Handling, HazardLevel
from backend.domain.lifecycle.state_machine import IllegalTransition, LifecycleEvent, next_status
from backend.domain.photos.links import request_verification, set_links
from backend.domain.sync.context import AuditEntry, SyncContext
from backend.domain.sync.documents import rectification_document
from backend.domain.sync.merge import merge_fields
from backend.domain.sync.mutations import Conflict, Mutation, Rejection, not_found_rejection
from backend.domain.sync.validation import (
    GENERIC_SERVER_FIELDS,
    RectificationData,
    parse_data,
    parse_edit,
)


def _event_for(ctx: SyncContext, finding: Finding) -> LifecycleEvent:
    """Enterprise staff rectify dispatched findings; an inspector may fix one on the spot (即查即改)."""
    if ctx.principal.role is Role.ENTERPRISE_STAFF:
        return LifecycleEvent.RECTIFY
    if finding.handling is Handling.ON_THE_SPOT:
        return LifecycleEvent.RECTIFY_ON_THE_SPOT
    raise Rejection("forbidden", "只有企业安全员可以提交整改 / only enterprise staff submit rectifications")


def _check_may_edit(ctx: SyncContext, rectification: Rectification) -> None:
    """Its submitter may edit a rectification, and so may the other staff of the submitter's
    enterprise (the enterprise answers for its proof). A fix on the spot by a park user is that
    user's alone: anyone else editing it could put their own proof under the submitter's name, and
    a supervisor could then accept a fix they wrote."""
    principal = ctx.principal
    if rectification.submitted_by == principal.user_id:
        return
    submitter = ctx.session.get(User, rectification.submitted_by)
    if (
        submitter is not None
        and submitter.role is Role.ENTERPRISE_STAFF
        and principal.role is Role.ENTERPRISE_STAFF
        and submitter.enterprise_id == principal.enterprise_id
    ):
        return
    raise Rejection(
        "forbidden",
        "只有提交人或提交人所在企业的安全员可以修改这条整改 "
        "/ only the submitter or their enterprise's staff may edit this rectification",
    )


def _check_after_photos(ctx: SyncContext, photos: list[str]) -> None:
    ctx.check_photos(photos)
    if not photos:
        raise Rejection(
            "photos_required", "整改需附整改后照片 / a rectification needs at least one after-photo"
        )


def upsert_rectification(ctx: SyncContext, mutation: Mutation) -> Rectification:
    existing = ctx.get(Rectification, mutation.id)
    if existing is not None:
        return _edit(ctx, mutation, existing)
    fields = parse_data(mutation.data, RectificationData, GENERIC_SERVER_FIELDS, None)
    if "finding_id" not in fields:
        raise Rejection(
            "missing_fields", "缺少 finding_id / missing fields: finding_id", {"fields": ["finding_id"]}
        )
    photos: list[str] = fields.get("photos", [])
    finding = ctx.live_finding(fields["finding_id"])
    _check_after_photos(ctx, photos)
    event = _event_for(ctx, finding)
    try:
        new_status = next_status(finding.status, event)
    except IllegalTransition as exc:
        raise Rejection(exc.code, exc.message, {"status": finding.status.value}) from exc
    if event is LifecycleEvent.RECTIFY_ON_THE_SPOT and finding.level is HazardLevel.MAJOR:
        # A 重大隐患 is fixed under an accepted 治理方案 (its measures, funds, people and time limit).
        raise Rejection(
            "governance_plan_required",
            "重大隐患不能即查即改：须由企业提交治理方案，经园区审核通过后下发整改 "
            "/ a major finding is not fixed on the spot: it needs an accepted governance plan",
            {"status": finding.status.value, "level": finding.level.value},
        )
    rectification = Rectification(
        id=mutation.id,
        finding_id=finding.id,
        note=fields.get("note", ""),
        photos=photos,
        submitted_by=ctx.principal.user_id,
    )
    ctx.add_new(rectification)
    _link_rectification_photos(ctx, finding.id, rectification)
    ctx.load_stored_photos(set(photos))
    old_status = finding.status
    finding.status = new_status
    ctx.session.add(finding)
    ctx.notifications.append(("pending_verification", finding, [Role.SUPERVISOR], str(rectification.id)))
    request_verification(ctx.session, rectification.id, "submitted")
    if event is LifecycleEvent.RECTIFY_ON_THE_SPOT:  # the draft may now say 已当场整改 (从轻)
        request_matching(ctx.session, finding, occasion=f"rectified-{rectification.id}")
    ctx.audit.append(
        AuditEntry(
            "rectification.submitted",
            "finding",
            finding.id,
            {"status": old_status.value},
            {
                "status": new_status.value,
                "rectification": {"id": str(rectification.id), **rectification_document(rectification)},
            },
        )
    )
    return rectification


def _edit(ctx: SyncContext, mutation: Mutation, rectification: Rectification) -> Rectification:
    finding = ctx.live_finding(rectification.finding_id)
    if rectification.deleted_at is not None:
        raise Conflict(["deleted"])
    _event_for(ctx, finding)
    _check_may_edit(ctx, rectification)
    if finding.status is not FindingStatus.PENDING_VERIFICATION:
        raise Rejection(
            "locked",
            "整改已审核，不能修改 / rectification already reviewed",
            {"status": finding.status.value},
        )
    before = rectification_document(rectification)
    fields = parse_edit(mutation, RectificationData, GENERIC_SERVER_FIELDS, before, rectification)
    if fields.pop("finding_id", rectification.finding_id) != rectification.finding_id:
        raise Rejection("locked_field", "整改不能改挂到其他隐患 / finding_id cannot change")
    if "photos" in fields:
        _check_after_photos(ctx, fields["photos"])
    current = {name: getattr(rectification, name) for name in fields}
    own = ctx.fields_written_in_batch(rectification)
    to_write = merge_fields(
        current,
        rectification.field_versions,
        mutation.base_version,
        fields,
        own,
        record_version=rectification.version,
    )
    if own is not None:
        own.update(to_write)
    for name, value in to_write.items():
        setattr(rectification, name, value)
    if to_write:
        ctx.session.add(rectification)
        if "photos" in to_write:
            _link_rectification_photos(ctx, finding.id, rectification)
            # The AI verdict was about the photos replaced: the supervisor must see one about these.
            rectification.verification = None
            ctx.load_stored_photos(set(rectification.photos))
            request_verification(ctx.session, rectification.id, _photos_key(rectification.photos))
        # On the finding's timeline, beside rectification.submitted: the supervisor approves what the
        # timeline says was submitted, so a proof changed while waiting for review must show there.
        ctx.audit.append(
            AuditEntry(
                "rectification.edited",
                "finding",
                finding.id,
                {"rectification_id": str(rectification.id), **{k: before.get(k) for k in to_write}},
                {
                    "rectification_id": str(rectification.id),
                    **{k: rectification_document(rectification)[k] for k in to_write},
                },
            )
        )
    return rectification


def _link_rectification_photos(ctx: SyncContext, finding_id: uuid.UUID, current: Rectification) -> None:
    """The after-photos of every rectification of the finding stay linked to it, a rejected one's
    too: whoever may see the finding sees them (the supervisor compares a new proof with the one
    refused; the timeline shows both)."""
    rectifications = ctx.session.exec(
        select(Rectification).where(
            Rectification.finding_id == finding_id, col(Rectification.deleted_at).is_(None)
        )
    ).all()
    photos = sorted({sha for rectification in [*rectifications, current] for sha in rectification.photos})
    set_links(ctx.session, finding_id, photos, "rectification")


def _photos_key(photos: list[str]) -> str:
    return "photos:" + hashlib.sha256(",".join(photos).encode()).hexdigest()[:16]


def delete_rectification(ctx: SyncContext, mutation: Mutation) -> Rectification | None:
    rectification = ctx.get(Rectification, mutation.id)
    if rectification is None:
        raise not_found_rejection("rectification", mutation.id)
    ctx.live_finding(rectification.finding_id)
    raise Rejection(
        "not_deletable",
        "整改记录不能删除，请提交新的整改 / rectifications cannot be deleted; submit a new one",
    )
