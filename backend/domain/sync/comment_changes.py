"""Applying pushed comments on findings."""

from __future__ import annotations

from backend.db.models import Comment
from backend.domain.sync.context import AuditEntry, SyncContext
from backend.domain.sync.documents import comment_document
from backend.domain.sync.merge import check_base_version, merge_fields
from backend.domain.sync.mutations import Conflict, Mutation, Rejection, not_found_rejection
from backend.domain.sync.validation import GENERIC_SERVER_FIELDS, CommentData, parse_data, parse_edit


def _own_comment(ctx: SyncContext, mutation: Mutation) -> Comment | None:
    comment = ctx.get(Comment, mutation.id)
    if comment is None:
        return None
    ctx.live_finding(comment.finding_id)
    if comment.author_id != ctx.principal.user_id:
        raise Rejection("forbidden", "只能修改自己的评论 / only the author may change a comment")
    return comment


def upsert_comment(ctx: SyncContext, mutation: Mutation) -> Comment:
    comment = _own_comment(ctx, mutation)
    if comment is None:
        fields = parse_data(mutation.data, CommentData, GENERIC_SERVER_FIELDS, None)
        missing = [name for name in ("finding_id", "text") if name not in fields]
        if missing:
            raise Rejection(
                "missing_fields", f"缺少必填字段 / missing fields: {', '.join(missing)}", {"fields": missing}
            )
        finding = ctx.live_finding(fields["finding_id"])
        comment = Comment(
            id=mutation.id, finding_id=finding.id, author_id=ctx.principal.user_id, text=fields["text"]
        )
        ctx.add_new(comment)
        ctx.audit.append(
            AuditEntry(
                "comment.added",
                "finding",
                finding.id,
                None,
                {"comment_id": str(comment.id), "text": comment.text},
            )
        )
        return comment
    if comment.deleted_at is not None:
        raise Conflict(["deleted"])
    before = comment_document(comment)
    fields = parse_edit(mutation, CommentData, GENERIC_SERVER_FIELDS, before, comment)
    if fields.pop("finding_id", comment.finding_id) != comment.finding_id:
        raise Rejection("locked_field", "评论不能移到其他隐患 / finding_id cannot change")
    own = ctx.fields_written_in_batch(comment)
    to_write = merge_fields(
        {"text": comment.text},
        comment.field_versions,
        mutation.base_version,
        fields,
        own,
        record_version=comment.version,
    )
    if own is not None:
        own.update(to_write)
    if to_write:
        comment.text = to_write["text"]
        ctx.session.add(comment)
        ctx.audit.append(
            AuditEntry(
                "comment.edited", "comment", comment.id, {"text": before["text"]}, {"text": comment.text}
            )
        )
    return comment


def delete_comment(ctx: SyncContext, mutation: Mutation) -> Comment:
    comment = _own_comment(ctx, mutation)
    if comment is None:
        raise not_found_rejection("comment", mutation.id)
    if comment.deleted_at is None:
        check_base_version(mutation.base_version, comment.version)
        if mutation.base_version is not None and comment.version > mutation.base_version:
            raise Conflict(["edited_since_base"])
        comment.deleted_at = ctx.now
        ctx.session.add(comment)
        ctx.audit.append(AuditEntry("comment.deleted", "comment", comment.id, None, None))
    return comment
