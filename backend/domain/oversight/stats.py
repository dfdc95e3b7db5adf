"""隐患排查治理 statistics for the park's oversight: open hazards, overdue, 督办, time to close."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from backend.db.models import Enterprise, Finding
from backend.db.types import utcnow
from backend.domain.findings.suggestions import effective_checklist_code
from backend.domain.findings.vocabulary import FindingStatus
from rules.park_time import BEIJING, park_date


def _quarter(moment: datetime) -> str:
    local = moment.astimezone(BEIJING)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def _year(moment: datetime) -> str:
    return str(moment.astimezone(BEIJING).year)


@dataclass
class ParkStats:
    open_by_level: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    escalated: int = 0
    median_hours_to_close: float | None = None
    by_enterprise: list[dict[str, Any]] = field(default_factory=list)
    repeat_offenders: list[dict[str, Any]] = field(default_factory=list)
    quarters: list[dict[str, Any]] = field(default_factory=list)
    years: list[dict[str, Any]] = field(default_factory=list)


def _periods(findings: Sequence[Finding], key: Any) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"found": 0, "major_found": 0, "closed": 0})
    for finding in findings:
        found = rows[key(finding.observed_at)]
        found["found"] += 1
        found["major_found"] += finding.level.value == "major"
        if finding.accepted_at is not None:
            rows[key(finding.accepted_at)]["closed"] += 1
    for period, row in rows.items():
        row["period"] = period
        row["closure_rate"] = round(row["closed"] / row["found"], 3) if row["found"] else None
    return [rows[period] for period in sorted(rows)]


def compute(findings: Sequence[Finding], enterprises: dict[Any, Enterprise]) -> ParkStats:
    now = utcnow()
    open_findings = [f for f in findings if f.status is not FindingStatus.CLOSED]
    stats = ParkStats(
        open_by_level=dict(Counter(f.level.value for f in open_findings)),
        by_status=dict(Counter(f.status.value for f in findings)),
        overdue=sum(f.overdue_at(now) for f in open_findings),
        escalated=sum(f.escalation_level > 0 for f in open_findings),
    )
    hours = [
        (f.accepted_at - f.observed_at).total_seconds() / 3600 for f in findings if f.accepted_at is not None
    ]
    stats.median_hours_to_close = round(statistics.median(hours), 1) if hours else None
    per_enterprise: dict[Any, Counter[str]] = defaultdict(Counter)
    for finding in findings:
        counts = per_enterprise[finding.enterprise_id]
        counts["total"] += 1
        if finding.status is not FindingStatus.CLOSED:
            counts["open"] += 1
            counts["overdue"] += finding.overdue_at(now)
            counts["major_open"] += finding.level.value == "major"
    stats.by_enterprise = sorted(
        (
            {
                "enterprise_id": str(eid),
                "name": enterprises[eid].name if eid in enterprises else "",
                **dict(c),
            }
            for eid, c in per_enterprise.items()
        ),
        key=lambda row: (-row.get("open", 0), row["name"]),
    )
    # Items found on more than one day at an enterprise (``count``: the days it was found; two spots
    # on one walk-through are one discovery). Wider than 重复发现 for the 督办 and the draft's 从重,
    # which need the earlier finding put right first (findings.repeats): this list also shows a
    # hazard left open and found again, which is what a supervisor looking for offenders wants.
    days: defaultdict[tuple[Any, str], set[date]] = defaultdict(set)
    for f in findings:
        code = effective_checklist_code(f)  # the item escalation counts: chosen, else matched
        if code:
            days[(f.enterprise_id, code)].add(park_date(f.observed_at))
    repeats = Counter({key: len(seen) for key, seen in days.items()})
    stats.repeat_offenders = [
        {
            "enterprise_id": str(eid),
            "name": enterprises[eid].name if eid in enterprises else "",
            "checklist_code": code,
            "count": count,
        }
        for (eid, code), count in repeats.most_common()
        if count > 1
    ]
    stats.quarters = _periods(findings, _quarter)
    stats.years = _periods(findings, _year)
    return stats
