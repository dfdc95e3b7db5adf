from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from backend.domain.sync.mutations import MutationResult
from backend.domain.sync.pull import PullPage


class MutationIn(msgspec.Struct, forbid_unknown_fields=False):
    mutation_id: uuid.UUID
    entity: Annotated[str, msgspec.Meta(max_length=32)]
    op: Annotated[str, msgspec.Meta(max_length=16)]
    id: uuid.UUID
    base_version: Annotated[int, msgspec.Meta(ge=0)] | None = None
    client_time: datetime | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class MutationEnvelope(msgspec.Struct, forbid_unknown_fields=False):
    """A mutation as the batch reads it: only ``mutation_id`` must be right for the mutation to get
    a result of its own. The rest is checked against ``MutationIn`` one mutation at a time, so one
    malformed mutation is rejected alone and never blocks the others (api-contract: Sync)."""

    mutation_id: uuid.UUID
    entity: Any = None
    op: Any = None
    id: Any = None
    base_version: Any = None
    client_time: Any = None
    data: Any = msgspec.field(default_factory=dict)


class PushRequest(msgspec.Struct):
    device_id: Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]
    batch_id: uuid.UUID
    # Each read as a MutationEnvelope by the route: an item that is not one (no object, no UUID
    # mutation_id) is rejected alone.
    mutations: list[Any]


class MutationResultOut(msgspec.Struct):
    # As the device sent it (upper case, no dashes…), so that it finds its outbox item by it;
    # null for an item that had none.
    mutation_id: str | None
    status: str
    id: uuid.UUID | None
    version: int | None
    error: dict[str, Any] | None
    server: dict[str, Any] | None

    @classmethod
    def of(cls, result: MutationResult, sent_as: str) -> MutationResultOut:
        return cls(
            sent_as,
            result.status.value,
            result.id,
            result.version,
            result.error,
            result.server,
        )


class PushResponse(msgspec.Struct):
    batch_id: uuid.UUID
    results: list[MutationResultOut]
    cursor: str


class ChangeOut(msgspec.Struct):
    entity: str
    id: uuid.UUID
    version: int
    deleted: bool
    data: dict[str, Any]


class PullResponse(msgspec.Struct):
    changes: list[ChangeOut]
    cursor: str
    has_more: bool

    @classmethod
    def of(cls, page: PullPage) -> PullResponse:
        return cls(
            [ChangeOut(c.entity, c.id, c.version, c.deleted, c.data) for c in page.changes],
            page.cursor,
            page.has_more,
        )


Sha256Hex = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


class MissingPhotosIn(msgspec.Struct, forbid_unknown_fields=True):
    """The photos a phone is about to upload (lowercase SHA-256 hex), at most 500 at a time."""

    sha256: Annotated[list[Sha256Hex], msgspec.Meta(min_length=1, max_length=500)]


class MissingPhotosOut(msgspec.Struct):
    missing: list[str]  # of those asked, the ones to upload, in the order asked


class PhotoOut(msgspec.Struct):
    sha256: str
    width: int
    height: int
    content_type: str
    bytes: int
    taken_at: datetime | None
    gps: dict[str, float] | None
