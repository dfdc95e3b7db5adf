"""State shared by the mutations of one pushed batch."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from backend.db.bulk import BulkRows
from backend.domain.accounts.principal import Principal
from backend.domain.photos.access import out_of_reach
from backend.domain.photos.links import stored_hashes
from backend.domain.sync.mutations import Rejection
from backend.domain.sync.validation import check_photos

T = TypeVar("T")


@dataclass
class AuditEntry:
    action: str
    entity: str
    entity_id: uuid.UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass
class SyncContext:
    session: Session
    principal: Principal
    now: datetime
    audit: list[AuditEntry] = field(default_factory=list)
    stored_photos: set[str] = field(default_factory=set)
    created: dict[tuple[type, uuid.UUID], Any] = field(default_factory=dict)
    touched: dict[uuid.UUID, set[str]] = field(default_factory=dict)

    def fields_written_in_batch(self, record: Any) -> set[str] | None:
        """Fields this batch already wrote on ``record`` (None: the batch created it, so all).

        A device's later mutation in the same batch never conflicts with its own earlier one.
        """
        if self.created.get((type(record), record.id)) is record:
            return None
        return self.touched.setdefault(record.id, set())

    absent: set[tuple[type, uuid.UUID]] = field(default_factory=set)
    enterprises: dict[uuid.UUID, Any] = field(default_factory=dict)
    # New findings no other mutation of the batch names: built as plain rows and inserted
    # set-wise (``bulk``) instead of through the unit of work. Empty when replaying with savepoints.
    set_wise: set[uuid.UUID] = field(default_factory=set)
    bulk: BulkRows = field(default_factory=BulkRows)
    new_to_match: list[uuid.UUID] = field(default_factory=list)  # set-wise creates: one matching job
    # (kind, finding, audience roles, occasion): queued after the batch is written
    notifications: list[tuple[str, Any, list[Any], str]] = field(default_factory=list)

    def preload(self, mutations: list[Any]) -> None:
        """Load every record the batch names with one query per entity (instead of one per mutation)."""
        from backend.db.models import Comment, Finding, Rectification

        models: dict[str, Any] = {
            "finding": Finding,
            "rectification": Rectification,
            "comment": Comment,
        }
        wanted: dict[str, set[uuid.UUID]] = {}
        for mutation in mutations:
            wanted.setdefault(mutation.entity.value, set()).add(mutation.id)
        for entity, ids in wanted.items():
            model = models[entity]
            records = self.session.exec(
                select(model).where(col(model.id).in_(ids))
            ).all()  # into the identity map
            found = {record.id for record in records}
            self.absent.update((model, record_id) for record_id in ids - found)

    def allow_set_wise_creates(self, mutations: list[Any]) -> None:
        """Let new findings named by exactly one mutation of the batch be written set-wise."""
        from backend.domain.sync.mutations import Entity

        mentions: dict[uuid.UUID, int] = {}
        for mutation in mutations:
            if mutation.entity is Entity.FINDING:
                mentions[mutation.id] = mentions.get(mutation.id, 0) + 1
            else:
                named = mutation.data.get("finding_id") if isinstance(mutation.data, dict) else None
                try:
                    finding_id = uuid.UUID(str(named)) if named is not None else None
                except ValueError:
                    continue
                if finding_id is not None:
                    mentions[finding_id] = mentions.get(finding_id, 0) + 2
        self.set_wise = {finding_id for finding_id, count in mentions.items() if count == 1}

    def get(self, model: type[T], record_id: uuid.UUID) -> T | None:
        """A record by id, including those created earlier in this batch and not yet flushed."""
        pending = self.created.get((model, record_id))
        if pending is not None:
            return pending  # type: ignore[no-any-return]
        if (model, record_id) in self.absent:
            return None
        return self.session.get(model, record_id)

    def live_finding(self, finding_id: Any) -> Any:
        """The finding a comment or rectification attaches to: existing, not deleted, in scope.

        Anything else is rejected as not found, so out-of-scope findings stay invisible.
        """
        from backend.db.models import Finding
        from backend.domain.sync.mutations import not_found_rejection

        finding = self.get(Finding, finding_id)
        if (
            finding is None
            or finding.deleted_at is not None
            or not self.principal.can_see(finding.park_id, finding.enterprise_id)
        ):
            raise not_found_rejection("finding", finding_id)
        return finding

    def add_new(self, record: Any) -> None:
        self.session.add(record)
        self.created[(type(record), record.id)] = record

    def check_photos(self, photos: list[str]) -> None:
        """Refuse a malformed or repeated hash, and naming a stored photo the caller could not see:
        the record would let them fetch it (backend.domain.photos.access)."""
        check_photos(photos)
        foreign = out_of_reach(self.session, self.principal, photos)
        if foreign:
            raise Rejection(
                "photo_not_found",
                "照片不存在或无权使用，请重新拍摄上传 / photo not found or not yours to use",
                {"photos": foreign},
            )

    def load_stored_photos(self, hashes: set[str]) -> None:
        self.stored_photos.update(stored_hashes(self.session, hashes))

    def missing_photos(self, hashes: list[str]) -> list[str]:
        return [sha for sha in hashes if sha not in self.stored_photos]
