"""Deciding what the escalation rules ask for at a given moment (pure: no database).

Each decision carries an ``occasion``: the same finding, rule and occasion is acted on
once, so running the rules twice (or on several replicas) never notifies twice.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backend.db.models import Finding
from backend.domain.accounts.roles import Role
from backend.domain.findings.repeats import recurred
from backend.domain.findings.suggestions import effective_checklist_code
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from regulations.stated_defect import without_denials
from rules.escalation_schema import EscalationRules

OPEN = (FindingStatus.REPORTED, FindingStatus.DISPATCHED, FindingStatus.PENDING_VERIFICATION)
PLAN_NEEDED = "：请企业提交治理方案，经园区审核通过后下发整改"


@dataclass(frozen=True)
class Decision:
    finding_id: uuid.UUID
    kind: str  # reminder | overdue | major | repeated | coupled
    occasion: str
    audiences: tuple[Role, ...]
    note: str
    escalate: bool = True
    mark_overdue: bool = False
    raise_to_major: bool = False


@dataclass
class Categorizer:
    rules: EscalationRules
    _cache: dict[uuid.UUID, set[str]] = field(default_factory=dict)

    def categories(self, finding: Finding) -> set[str]:
        if finding.id not in self._cache:
            found = set()
            described = without_denials(finding.description)  # 法兰无泄漏 is no leak
            for name, category in self.rules.categories.items():
                if (finding.checklist_code and finding.checklist_code in category.checklist_codes) or any(
                    word in described for word in category.keywords
                ):
                    found.add(name)
            self._cache[finding.id] = found
        return self._cache[finding.id]


def _reminders(rules: EscalationRules, finding: Finding, now: datetime) -> Iterable[Decision]:
    if finding.status is not FindingStatus.DISPATCHED or finding.deadline is None or finding.deadline <= now:
        return
    for reminder in rules.reminders:
        if finding.deadline - now <= timedelta(hours=reminder.hours_before_deadline):
            yield Decision(
                finding.id,
                "reminder",
                f"reminder-{reminder.hours_before_deadline:g}h-{finding.deadline.isoformat()}",
                (Role.ENTERPRISE_STAFF,),
                f"距整改期限不足 {reminder.hours_before_deadline:g} 小时",
                escalate=False,
            )


def _overdue(rules: EscalationRules, finding: Finding, now: datetime) -> Iterable[Decision]:
    if (
        not rules.overdue.escalate
        or finding.status is not FindingStatus.DISPATCHED
        or finding.deadline is None
    ):
        return
    if now <= finding.deadline:
        return
    period = math.floor((now - finding.deadline) / timedelta(days=rules.overdue.repeat_every_days)) + 1
    yield Decision(
        finding.id,
        "overdue",
        overdue_occasion(period, finding.deadline),
        (Role.ENTERPRISE_STAFF, Role.PARK_ADMIN),
        f"{overdue_for(now - finding.deadline)}，仍未整改",
        mark_overdue=True,
    )


def overdue_for(late: timedelta) -> str:
    """How late, as the notice says it, never more than it is: whole hours on the first day (a
    督办 minutes after a 17:00 deadline said 逾期 1 天), then whole days."""
    if late < timedelta(hours=1):
        return "已逾期"
    if late < timedelta(days=1):
        return f"已逾期 {math.floor(late / timedelta(hours=1))} 小时"
    return f"已逾期 {math.floor(late / timedelta(days=1))} 天"


def overdue_occasion(period: int, deadline: datetime) -> str:
    """Keyed by the deadline too: a rejected fix sent back with a new deadline that passes again is
    a new 督办, not the first one repeated."""
    return f"overdue-{period}-{deadline.isoformat()}"


def _major(rules: EscalationRules, finding: Finding) -> Iterable[Decision]:
    if rules.major.escalate_immediately and finding.level is HazardLevel.MAJOR:
        yield Decision(finding.id, "major", "major", (Role.PARK_ADMIN,), "重大事故隐患，立即督办")


def _repeated(rules: EscalationRules, findings: list[Finding]) -> Iterable[Decision]:
    window = timedelta(days=rules.repeated.window_days)
    by_item: dict[tuple[uuid.UUID, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        code = effective_checklist_code(finding)
        if code:
            by_item[(finding.enterprise_id, code)].append(finding)
    for group in by_item.values():
        for later in group:
            # Once per finding: a finding synced late, or a deletion, changes which earlier finding
            # it repeats, not whether it is a repeat.
            if later.status in OPEN and any(recurred(earlier, later, window) for earlier in group):
                yield Decision(
                    later.id,
                    "repeated",
                    "repeated",
                    (Role.ENTERPRISE_STAFF, Role.PARK_ADMIN),
                    f"{rules.repeated.window_days}天内同一检查项（{effective_checklist_code(later)}）整改后再次发现",
                )


def _coupled(rules: EscalationRules, findings: list[Finding]) -> Iterable[Decision]:
    categorizer = Categorizer(rules)
    open_findings = [f for f in findings if f.status in OPEN]
    for coupling in rules.couplings:
        groups: dict[object, list[Finding]] = defaultdict(list)
        for finding in open_findings:
            key = (
                finding.enterprise_id
                if coupling.scope == "enterprise"
                else (finding.enterprise_id, (finding.location or {}).get("text", "").strip())
            )
            if coupling.scope == "location" and not key[1]:  # type: ignore[index]
                continue
            groups[key].append(finding)
        for group in groups.values():
            members = [f for f in group if categorizer.categories(f) & set(coupling.categories)]
            covered = set().union(*(categorizer.categories(f) for f in members)) if members else set()
            if not set(coupling.categories) <= covered:
                continue
            # Once per finding and coupling: a partner that joins or closes later changes the
            # group, not the fact that this finding was escalated for it.
            for finding in members:
                raised = finding.level is not HazardLevel.MAJOR
                # Not yet dispatched, a major hazard waits for its plan: the enterprise is told so.
                plan = PLAN_NEEDED if raised and finding.status is FindingStatus.REPORTED else ""
                yield Decision(
                    finding.id,
                    "coupled",
                    f"coupled-{coupling.name}",
                    (Role.ENTERPRISE_STAFF, Role.PARK_ADMIN),
                    f"耦合隐患：{coupling.name}，升为重大隐患{plan}",
                    raise_to_major=raised,
                )


def decide(rules: EscalationRules, findings: list[Finding], now: datetime) -> list[Decision]:
    """Everything the rules ask for now, for these (non-deleted) findings."""
    decisions: list[Decision] = []
    for finding in findings:
        if finding.status not in OPEN:
            continue
        decisions += _reminders(rules, finding, now)
        decisions += _overdue(rules, finding, now)
        decisions += _major(rules, finding)
    decisions += _repeated(rules, findings)
    decisions += _coupled(rules, findings)
    return decisions
