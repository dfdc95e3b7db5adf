"""Applying escalation decisions: flags, levels, 督办 history in the audit trail, notifications."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlmodel import Session, col, select

from backend.db.models import AuditEvent, Finding
from backend.db.versioning import lock_changes
from backend.domain.audit.service import AuditLog
from backend.domain.escalation.engine import Decision, decide, overdue_occasion
from backend.domain.findings.legal_basis import GRADED, request_matching
from backend.domain.findings.vocabulary import HazardLevel
from backend.domain.notifications.outbox import notify
from backend.settings import Settings
from rules.escalation_schema import EscalationRules
from rules.loader import load_rules

ACTION = "finding.escalated"
# 督办 that change the penalty draft's circumstances: 逾期未改正, 从重 for a repeat, a level raised.
REDRAFTING = frozenset({"overdue", "repeated", "coupled"})


@cache
def load_escalation_rules(path: Path) -> EscalationRules:
    return load_rules(path, EscalationRules)


@dataclass
class EscalationReport:
    decisions: int = 0
    applied: int = 0
    notifications: int = 0

    def summary(self) -> str:
        return (
            f"规则判定 {self.decisions} 项，新执行 {self.applied} 项，新通知 {self.notifications} 条 / "
            f"{self.decisions} decisions, {self.applied} newly applied, {self.notifications} notifications queued"
        )


class EscalationService:
    def __init__(self, session: Session, settings: Settings, rules: EscalationRules) -> None:
        self._session = session
        self._settings = settings
        self._rules = rules

    def run(self, now: datetime) -> EscalationReport:
        lock_changes(self._session)
        findings = list(self._session.exec(select(Finding).where(col(Finding.deleted_at).is_(None))).all())
        decisions = decide(self._rules, findings, now)
        by_id = {f.id: f for f in findings}
        done, graded_major = self._history(by_id)
        report = EscalationReport(decisions=len(decisions))
        audit = AuditLog(self._session)
        for decision in decisions:
            key = (str(decision.finding_id), decision.kind, decision.occasion)
            # A finding made major by a coupling was escalated as such: the major rule adds nothing.
            coupled_before = any(d[0] == key[0] and d[1] == "coupled" for d in done)
            if key in done or (decision.kind == "major" and coupled_before):
                continue
            done.add(key)
            finding = by_id[decision.finding_id]
            before = {
                "level": finding.level.value,
                "overdue": finding.overdue,
                "escalation_level": finding.escalation_level,
            }
            self._apply(finding, decision)
            self._session.add(finding)
            self._session.flush()
            audit.record(
                None,
                ACTION if decision.escalate else "finding.reminded",
                "finding",
                finding.id,
                before,
                {
                    "kind": decision.kind,
                    "occasion": decision.occasion,
                    "note": decision.note,
                    "level": finding.level.value,
                    "overdue": finding.overdue,
                    "escalation_level": finding.escalation_level,
                },
            )
            report.applied += 1
            if decision.kind in REDRAFTING:
                request_matching(self._session, finding, occasion=f"{decision.kind}-{decision.occasion}")
            if decision.kind == "major" and key[0] in graded_major:
                continue  # grading it major already told the park's leaders (LifecycleService.grade)
            kind = (
                "reminder"
                if decision.kind == "reminder"
                else ("major" if decision.kind == "major" else "escalated")
            )
            report.notifications += notify(
                self._session,
                self._settings,
                kind,
                finding,
                list(decision.audiences),
                occasion=f"{decision.kind}-{decision.occasion}",
                note=decision.note,
            )
        return report

    @staticmethod
    def _apply(finding: Finding, decision: Decision) -> None:
        if decision.mark_overdue:
            finding.overdue = True
        if decision.raise_to_major:
            finding.level = HazardLevel.MAJOR
        if decision.escalate:
            finding.escalation_level += 1

    def _history(self, by_id: dict[uuid.UUID, Finding]) -> tuple[set[tuple[str, str, str]], set[str]]:
        """What the rules already did (finding, kind, occasion), and the findings a person graded
        major, read from the audit trail in one pass."""
        deadlines = {str(f.id): f.deadline for f in by_id.values()}
        events = self._session.exec(
            select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.after, AuditEvent.at).where(
                col(AuditEvent.action).in_([ACTION, "finding.reminded", GRADED])
            )
        ).all()
        done, graded_major = set(), set()
        for entity_id, action, after, at in events:
            if not after:
                continue
            if action == GRADED:
                if after.get("level") == HazardLevel.MAJOR.value:
                    graded_major.add(entity_id)
            else:
                occasion = _occasion(after["kind"], after["occasion"], at, deadlines.get(entity_id))
                done.add((entity_id, after["kind"], occasion))
        return done, graded_major


_OLD_COUPLED_TAG = re.compile(r"-[0-9a-f]{12}$")
_OLD_OVERDUE = re.compile(r"^overdue-(\d+)$")


def _occasion(kind: str, occasion: str, at: datetime, deadline: datetime | None) -> str:
    """Occasions as this version names them: before 2026-12-04 a repeat was keyed by the finding
    before it and a coupling by a hash of its group, so both fired again whenever those changed;
    before 2026-12-05 an overdue period was not keyed by its deadline. Such a 督办 recorded after
    the current deadline had passed was for that deadline (a later deadline is set later still)."""
    if kind == "repeated":
        return "repeated"
    if kind == "coupled":
        return _OLD_COUPLED_TAG.sub("", occasion)
    old_overdue = _OLD_OVERDUE.match(occasion) if kind == "overdue" else None
    if old_overdue and deadline is not None and at > deadline:
        return overdue_occasion(int(old_overdue.group(1)), deadline)
    return occasion
