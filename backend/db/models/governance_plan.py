from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from backend.db.models.base import TimestampedModel
from backend.db.types import UTCDateTime


class GovernancePlan(TimestampedModel, table=True):
    """治理方案 of a major hazard: what the enterprise will do, accepted by the park before dispatch."""

    __tablename__ = "governance_plan"

    finding_id: uuid.UUID = Field(foreign_key="finding.id", primary_key=True)
    target_tasks: str = Field(sa_type=sa.Text, description="目标任务")
    methods: str = Field(sa_type=sa.Text, description="方法措施")
    funding_materials: str = Field(sa_type=sa.Text, description="经费物资")
    organization_personnel: str = Field(sa_type=sa.Text, description="机构人员")
    time_limit: str = Field(sa_type=sa.Text, description="时限要求")
    safety_and_emergency: str = Field(sa_type=sa.Text, description="安全措施和应急预案")
    status: str = Field(default="submitted", max_length=16, description="submitted | accepted | returned")
    submitted_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reviewed_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_comment: str = Field(default="", sa_type=sa.Text)
