"""Applying pushed finding mutations (隐患上报与编辑)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from backend.db.construct import new
from backend.db.models import Comment, Enterprise, Finding, GovernancePlan, Inspection, ScopeExit, User
from backend.domain.findings.legal_basis import request_matching
from backend.domain.findings.vocabulary import FindingStatus
from backend.domain.photos.links import (
    links_of_new_finding,
    mark_complete_if_ready,
    note_complete_if_ready,
    set_links,
)
from backend.domain.sync.context import AuditEntry, SyncContext
from backend.domain.sync.documents import finding_document
from backend.domain.sync.merge import check_base_version, merge_fields
from backend.domain.sync.mutations import Conflict, Mutation, Rejection, not_found_rejection
from backend.domain.sync.validation import (
    FINDING_SERVER_FIELDS,
    FindingData,
    check_device_time,
    parse_data,
    parse_edit,
)

REQUIRED_ON_CREATE = ("enterprise_id", "description", "observed_at")
# What the enterprise was dispatched, by the names users read: a 即查即改 finding became a ticket
# with a deadline, or the other way round, only through the lifecycle.
EDITABLE_ONLY_WHILE_REPORTED = {"enterprise_id": "所属企业", "handling": "处理方式"}


def _visible_finding(ctx: SyncContext, finding_id: uuid.UUID) -> Finding | None:
    finding = ctx.get(Finding, finding_id)
    if finding is None or not ctx.principal.can_see(finding.park_id, finding.enterprise_id):
        return None
    return finding


def _check_enterprise(ctx: SyncContext, enterprise_id: uuid.UUID) -> Enterprise:
    enterprise: Enterprise | None = ctx.enterprises.get(enterprise_id)
    if enterprise is None:
        enterprise = ctx.enterprises[enterprise_id] = ctx.get(Enterprise, enterprise_id)
    if (
        enterprise is None
        or enterprise.deleted_at is not None
        or not ctx.principal.can_see(enterprise.park_id, enterprise.id)
    ):
        raise not_found_rejection("enterprise", enterprise_id)
    return enterprise


def _check_inspection(ctx: SyncContext, inspection_id: uuid.UUID | None, enterprise_id: uuid.UUID) -> None:
    if inspection_id is None:
        return
    inspection = ctx.session.exec(select(Inspection).where(Inspection.id == inspection_id)).first()
    if inspection is None or inspection.enterprise_id != enterprise_id or inspection.deleted_at is not None:
        raise not_found_rejection("inspection", inspection_id)


def _validate(ctx: SyncContext, fields: dict[str, Any]) -> None:
    if "photos" in fields:
        ctx.check_photos(fields["photos"])
    if "observed_at" in fields:
        check_device_time("observed_at", fields["observed_at"], ctx.now)
    if fields.get("cost_yuan") is not None:
        fields["cost_yuan"] = Decimal(str(round(fields["cost_yuan"], 2)))
    if "location" in fields:
        location = fields["location"]
        if (location.lat is None) != (location.lng is None):
            # A location is replaced as a whole: half a coordinate would be stored as a point nowhere.
            raise Rejection(
                "invalid_data",
                "定位须同时包含纬度和经度 / location needs both lat and lng",
                {"path": "location.lng" if location.lng is None else "location.lat"},
            )
        fields["location"] = {"text": location.text, "lat": location.lat, "lng": location.lng}


def upsert_finding(ctx: SyncContext, mutation: Mutation) -> Finding:
    existing = ctx.get(Finding, mutation.id)
    if existing is not None and not ctx.principal.can_see(existing.park_id, existing.enterprise_id):
        raise not_found_rejection("finding", mutation.id)
    if not ctx.principal.role.is_park_role:
        if existing is not None:
            raise Rejection(
                "forbidden",
                "企业用户不能修改园区检查隐患，整改情况请提交整改记录 / enterprise staff cannot edit findings; "
                "submit a rectification",
            )
        raise Rejection("forbidden", "企业用户不能上报园区检查隐患 / enterprise staff cannot report findings")
    if existing is None:
        return _create(ctx, mutation)
    return _edit(ctx, mutation, existing)


def _create(ctx: SyncContext, mutation: Mutation) -> Finding:
    fields = parse_data(mutation.data, FindingData, FINDING_SERVER_FIELDS, None)
    missing = [name for name in REQUIRED_ON_CREATE if name not in fields]
    if missing:
        raise Rejection(
            "missing_fields", f"缺少必填字段 / missing fields: {', '.join(missing)}", {"fields": missing}
        )
    _validate(ctx, fields)
    enterprise = _check_enterprise(ctx, fields["enterprise_id"])
    _check_inspection(ctx, fields.get("inspection_id"), enterprise.id)
    finding = new(
        Finding, id=mutation.id, park_id=enterprise.park_id, reported_by=ctx.principal.user_id, **fields
    )
    links = links_of_new_finding(finding.id, finding.photos)
    bulk = ctx.bulk if mutation.id in ctx.set_wise else None
    if bulk is not None:
        bulk.add(finding)
        for link in links:
            bulk.add(link)
        ctx.new_to_match.append(finding.id)
    else:
        ctx.add_new(finding)
        ctx.session.add_all(links)
        request_matching(ctx.session, finding, fresh=True)
    if finding.photos:
        ctx.load_stored_photos(set(finding.photos))
        note_complete_if_ready(ctx.session, finding, ctx.stored_photos, fresh=True, bulk=bulk)
    ctx.audit.append(AuditEntry("finding.reported", "finding", finding.id, None, finding_document(finding)))
    return finding


def _edit(ctx: SyncContext, mutation: Mutation, finding: Finding) -> Finding:
    before = finding_document(finding)
    if finding.deleted_at is not None:
        raise Conflict(["deleted"])
    fields = parse_edit(mutation, FindingData, FINDING_SERVER_FIELDS, before, finding)
    _validate(ctx, fields)
    current = {name: getattr(finding, name) for name in fields}
    own = ctx.fields_written_in_batch(finding)
    to_write = merge_fields(
        current, finding.field_versions, mutation.base_version, fields, own, record_version=finding.version
    )
    if own is not None:
        own.update(to_write)
    if not to_write:
        return finding
    _check_changeable(finding, to_write)
    if "enterprise_id" in to_write:
        _check_enterprise(ctx, to_write["enterprise_id"])
        _check_movable(ctx, finding)
    if "inspection_id" in to_write:
        _check_inspection(
            ctx, to_write["inspection_id"], to_write.get("enterprise_id", finding.enterprise_id)
        )
    left = finding.enterprise_id
    for name, value in to_write.items():
        setattr(finding, name, value)
    ctx.session.add(finding)
    if finding.enterprise_id != left:
        _note_scope_exit(ctx, finding.id, left)
    if "photos" in to_write:
        _after_photo_change(ctx, finding)
    if to_write.keys() & {"description", "checklist_code", "handling"}:  # what the draft depends on
        request_matching(ctx.session, finding)
    ctx.audit.append(
        AuditEntry(
            "finding.edited",
            "finding",
            finding.id,
            {k: before.get(k) for k in to_write},
            {k: finding_document(finding).get(k) for k in to_write},
        )
    )
    return finding


def _check_changeable(finding: Finding, to_write: dict[str, Any]) -> None:
    """What a finding's stage allows to change: nothing once closed; after dispatch, neither its
    enterprise nor the evidence photos the enterprise was told of."""
    if finding.status is FindingStatus.CLOSED:
        # The ledger's closed record is what the park accepted; a later change is a new finding.
        raise Rejection(
            "finding_closed",
            "隐患已验收闭环，不能再修改 / the finding is closed and can no longer be changed",
            {"fields": sorted(to_write)},
        )
    locked = sorted(EDITABLE_ONLY_WHILE_REPORTED.keys() & to_write.keys())
    if locked and finding.status is not FindingStatus.REPORTED:
        names = "、".join(EDITABLE_ONLY_WHILE_REPORTED[name] for name in locked)
        raise Rejection(
            "locked_field",
            f"隐患已下发，不能修改{names} / cannot change after dispatch: {', '.join(locked)}",
            {"fields": locked},
        )
    if "photos" in to_write and finding.status is not FindingStatus.REPORTED:
        # The evidence the enterprise was told of and the AI verification compares the fix with.
        dropped = [sha for sha in finding.photos if sha not in to_write["photos"]]
        if dropped:
            raise Rejection(
                "locked_field",
                "隐患已下发，证据照片只能补充、不能删除 / evidence photos cannot be removed after dispatch",
                {"fields": ["photos"], "removed": len(dropped)},
            )


def _check_movable(ctx: SyncContext, finding: Finding) -> None:
    """A finding the enterprise has answered (its 治理方案, its staff's comments) stays with it:
    moving it would hand that enterprise's words to another and let a plan stand for the wrong one."""
    answered = ctx.session.get(GovernancePlan, finding.id) is not None or (
        ctx.session.exec(
            select(Comment.id)
            .join(User, col(User.id) == col(Comment.author_id))
            .where(
                Comment.finding_id == finding.id,
                col(Comment.deleted_at).is_(None),
                User.enterprise_id == finding.enterprise_id,
            )
            .limit(1)
        ).first()
        is not None
    )
    if answered:
        raise Rejection(
            "locked_field",
            "企业已就此隐患提交治理方案或留言，不能改到其他企业；确属其他企业的，请删除后重新上报"
            " / the enterprise has answered this finding (plan or comments): delete it and report it again",
            {"fields": ["enterprise_id"]},
        )


def _note_scope_exit(ctx: SyncContext, finding_id: uuid.UUID, enterprise_id: uuid.UUID) -> None:
    """The staff of the enterprise the finding left pull it as deleted (see ScopeExit)."""
    exit_ = ctx.session.get(ScopeExit, (finding_id, enterprise_id))
    if exit_ is None:
        ctx.session.add(ScopeExit(finding_id=finding_id, enterprise_id=enterprise_id))
    else:
        exit_.updated_at = ctx.now  # left again: a new version, newer than the return's
        ctx.session.add(exit_)


def _after_photo_change(ctx: SyncContext, finding: Finding) -> None:
    set_links(ctx.session, finding.id, finding.photos, "evidence")
    # A removed photo's detections go with it, and so do the suggestions they led to.
    kept = [result for result in finding.ai if result.get("photo") in finding.photos]
    if len(kept) != len(finding.ai):
        finding.ai = kept
        request_matching(ctx.session, finding)
    if finding.photos:
        ctx.load_stored_photos(set(finding.photos))
        mark_complete_if_ready(ctx.session, finding, ctx.stored_photos)


def delete_finding(ctx: SyncContext, mutation: Mutation) -> Finding | None:
    finding = _visible_finding(ctx, mutation.id)
    if finding is None:
        raise not_found_rejection("finding", mutation.id)
    if not ctx.principal.role.is_park_role:
        # Their own enterprise's finding: they see it, so "no such finding" would be untrue.
        raise Rejection("forbidden", "企业用户不能删除园区检查隐患 / enterprise staff cannot delete findings")
    if finding.deleted_at is not None:
        return finding
    check_base_version(mutation.base_version, finding.version)
    if mutation.base_version is not None:
        # Someone else's edit of a field a device writes would be lost; server bookkeeping
        # (matches, AI results) since the base is no reason to refuse the delete.
        edited = sorted(
            name
            for name, version in finding.field_versions.items()
            if version > mutation.base_version and name in FindingData.__struct_fields__
        )
        if edited:
            raise Conflict(edited)
    if finding.status is not FindingStatus.REPORTED:
        raise Rejection(
            "not_deletable",
            "隐患已进入整改流程，不能删除 / only reported findings can be deleted",
            {"status": finding.status.value},
        )
    finding.deleted_at = ctx.now
    ctx.session.add(finding)
    ctx.audit.append(
        AuditEntry("finding.deleted", "finding", finding.id, None, {"deleted_at": ctx.now.isoformat()})
    )
    return finding
