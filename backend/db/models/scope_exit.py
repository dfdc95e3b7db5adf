"""A finding leaving an enterprise's view (moved to another enterprise), as a change to pull."""

from __future__ import annotations

import uuid

from sqlmodel import Field

from backend.db.models.base import SyncedModel


class ScopeExit(SyncedModel, table=True):
    """Staff devices of ``enterprise_id`` hold a copy of finding ``finding_id``, which now belongs
    to another enterprise: their next pull gets it as deleted. The row is versioned with the move;
    if the finding comes back, its change then is newer and wins on the device again, and if it
    leaves again the row takes a newer version still."""

    __tablename__ = "scope_exit"

    finding_id: uuid.UUID = Field(foreign_key="finding.id", primary_key=True)
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", primary_key=True, index=True)
