from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, col

from backend.db.models.base import SyncedModel
from backend.db.types import JSONType, UTCDateTime, enum_type
from backend.domain.findings.vocabulary import (
    FindingStatus,
    Handling,
    HazardLevel,
    HazardSource,
    HazardType,
    ManagementClass,
)


class Finding(SyncedModel, table=True):
    """A hazard (隐患) with the fields of a hazard ledger (隐患台账).

    The id is chosen by the device that reported it offline.
    """

    __tablename__ = "finding"
    __table_args__ = (
        sa.Index("ix_finding_park_status", "park_id", "status"),
        # The default listing: a park's live findings, newest observation first.
        sa.Index("ix_finding_park_live_observed", "park_id", "deleted_at", "observed_at"),
    )

    id: uuid.UUID = Field(primary_key=True)
    park_id: uuid.UUID = Field(foreign_key="park.id")
    enterprise_id: uuid.UUID = Field(foreign_key="enterprise.id", index=True)
    inspection_id: uuid.UUID | None = Field(default=None, foreign_key="inspection.id", index=True)
    reported_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")

    description: str = Field(sa_type=sa.Text)
    location: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    photos: list[str] = Field(default_factory=list, sa_type=JSONType)
    observed_at: datetime = Field(sa_type=UTCDateTime)

    status: FindingStatus = Field(default=FindingStatus.REPORTED, sa_type=enum_type(FindingStatus))
    level: HazardLevel = Field(default=HazardLevel.GENERAL, sa_type=enum_type(HazardLevel))
    source: HazardSource = Field(default=HazardSource.ROUTINE, sa_type=enum_type(HazardSource))
    hazard_type: HazardType = Field(default=HazardType.OTHER, sa_type=enum_type(HazardType))
    management_class: ManagementClass | None = Field(default=None, sa_type=enum_type(ManagementClass))
    handling: Handling = Field(default=Handling.DEADLINE, sa_type=enum_type(Handling))
    checklist_code: str | None = Field(default=None, max_length=32, index=True)

    responsible_person: str = Field(default="", max_length=100)
    measures: str = Field(default="", sa_type=sa.Text, description="整改措施")
    cost_yuan: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    deadline: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue: bool = Field(default=False)
    escalation_level: int = Field(default=0, description="督办 level; 0 = not escalated")

    accepted_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acceptance_comment: str = Field(default="", sa_type=sa.Text, description="验收意见")

    photos_complete_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when the last named photo arrived and jobs were asked for",
    )
    ai: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    matches: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    penalty_draft: dict[str, Any] | None = Field(default=None, sa_type=JSONType)

    def overdue_at(self, now: datetime) -> bool:
        """超期 as readers see it: marked by the escalation run (and kept once it was late, until a
        rejection sets a new deadline; 督办次数 keeps the history), or still
        awaiting its fix past the deadline; the run comes every few minutes, the reader is now."""
        return self.overdue or (
            self.status is FindingStatus.DISPATCHED and self.deadline is not None and now > self.deadline
        )

    @classmethod
    def overdue_condition(cls, now: datetime) -> sa.ColumnElement[bool]:
        """``overdue_at`` as SQL, for filtering lists by it."""
        return sa.or_(
            col(cls.overdue),
            sa.and_(
                col(cls.status) == FindingStatus.DISPATCHED,
                col(cls.deadline).is_not(None),
                col(cls.deadline) < now,
            ),
        )
