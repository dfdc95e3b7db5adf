from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec


class DispatchRequest(msgspec.Struct, forbid_unknown_fields=True):
    deadline: datetime


class GradeRequest(msgspec.Struct, forbid_unknown_fields=True):
    level: Literal["general", "major"]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""


PlanText = Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]


class GovernancePlanRequest(msgspec.Struct, forbid_unknown_fields=True):
    """治理方案: 目标任务, 方法措施, 经费物资, 机构人员, 时限要求, 安全措施和应急预案."""

    target_tasks: PlanText
    methods: PlanText
    funding_materials: PlanText
    organization_personnel: PlanText
    time_limit: PlanText
    safety_and_emergency: PlanText


class PlanReviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["accept", "return"]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ReviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "reject"]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    deadline: datetime | None = None  # a rejection's new 整改期限; without it the old one stands
