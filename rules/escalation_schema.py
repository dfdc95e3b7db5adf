"""The schema of rules/escalation.yaml (督办与提醒规则); see docs/rules.md."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

PositiveHours = Annotated[float, msgspec.Meta(gt=0, le=24 * 365)]
PositiveDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]


class Reminder(msgspec.Struct, forbid_unknown_fields=True):
    hours_before_deadline: PositiveHours


class Overdue(msgspec.Struct, forbid_unknown_fields=True):
    escalate: bool = True
    repeat_every_days: PositiveDays = 3


class Major(msgspec.Struct, forbid_unknown_fields=True):
    escalate_immediately: bool = True


class Repeated(msgspec.Struct, forbid_unknown_fields=True):
    window_days: PositiveDays = 90


class Category(msgspec.Struct, forbid_unknown_fields=True):
    keywords: list[Annotated[str, msgspec.Meta(min_length=1)]] = []
    checklist_codes: list[str] = []


class Coupling(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    categories: Annotated[list[str], msgspec.Meta(min_length=2)]
    scope: Literal["enterprise", "location"] = "enterprise"
    raise_level_to: Literal["major"] = "major"


class EscalationRules(msgspec.Struct, forbid_unknown_fields=True):
    version: Literal[1]
    reminders: list[Reminder] = []
    overdue: Overdue = msgspec.field(default_factory=Overdue)
    major: Major = msgspec.field(default_factory=Major)
    repeated: Repeated = msgspec.field(default_factory=Repeated)
    categories: dict[str, Category] = {}
    couplings: list[Coupling] = []

    def __post_init__(self) -> None:
        for coupling in self.couplings:
            unknown = [c for c in coupling.categories if c not in self.categories]
            if unknown:
                raise ValueError(f"coupling {coupling.name!r} names unknown categories: {', '.join(unknown)}")
