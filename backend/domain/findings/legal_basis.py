"""Giving a finding its legal basis: matches to the libraries and a drafted penalty.

Runs as a job after a finding arrives or its description changes (and when AI detection
adds hazard codes). The result is stored on the finding; a park user confirms the
suggested level and the penalty.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.bulk import BulkRows
from backend.db.engine import transaction
from backend.db.models import AuditEvent, Enterprise, Finding
from backend.db.versioning import lock_changes
from backend.domain.audit.service import AuditLog
from backend.domain.findings.rectified import rectified_promptly
from backend.domain.findings.repeats import recurred
from backend.domain.findings.suggestions import effective_checklist_code, is_the_findings_item
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.jobs.outbox import request_job
from regulations.matching import Matcher, MatchResult
from regulations.penalty import Circumstances, draft_penalty
from rules.checklist_loader import default_checklist
from rules.park_time import park_date

MATCH_JOB = "finding.match"
MATCH_NEW_JOB = "finding.match_new"
GRADED = "finding.graded"
OPEN_STATUSES = (FindingStatus.REPORTED, FindingStatus.DISPATCHED, FindingStatus.PENDING_VERIFICATION)


def hazard_codes_in(results: list[dict[str, Any]]) -> list[str]:
    """The hazard codes in detection results (a finding's ``ai``)."""
    return sorted(
        {
            detection["hazard_code"]
            for result in results
            for detection in result.get("detections", [])
            if detection.get("hazard_code")
        }
    )


def detected_hazard_codes(finding: Finding) -> list[str]:
    """The hazard codes the detectors found on any of the finding's photos."""
    return hazard_codes_in(finding.ai)


def filed_hazard_codes(finding: Finding) -> set[str] | None:
    """The detector hazard codes of the checklist item the finding is filed under (None where it is
    filed under none yet, or under an item the checklist no longer has)."""
    code = effective_checklist_code(finding)
    item = default_checklist().items.get(code) if code else None
    return None if item is None else set(item.hazard_codes)


def request_matching(session: Session, finding: Finding, *, fresh: bool = False, occasion: str = "") -> None:
    """Ask for (re)matching once per distinct description, AI hazard codes, chosen item and
    handling (``fresh``: the finding was created in this transaction), and once per ``occasion``
    that changes the draft's circumstances (a 督办 for being overdue or repeated, a grading)."""
    inputs = f"{finding.checklist_code}|{finding.handling.value}|{occasion}"
    request_matching_of(
        session, finding.id, finding.description, detected_hazard_codes(finding), fresh=fresh, inputs=inputs
    )


def request_matching_of(
    session: Session,
    finding_id: uuid.UUID,
    description: str,
    codes: list[str],
    *,
    fresh: bool = False,
    inputs: str = "",
) -> None:
    """``request_matching`` from the fields it depends on, for callers that hold no Finding."""
    fingerprint = hashlib.sha256(f"{description}|{','.join(codes)}|{inputs}".encode()).hexdigest()[:16]
    request_job(
        session,
        MATCH_JOB,
        key=f"match:{finding_id}:{fingerprint}",
        fresh=fresh,
        finding_id=str(finding_id),
    )


def request_matching_of_new(session: Session, finding_ids: list[uuid.UUID], bulk: BulkRows) -> None:
    """One job matching findings created together (a pushed batch): one outbox row instead of
    one per finding. The findings are new, so no earlier request can exist for them."""
    if not finding_ids:
        return
    ids = [str(finding_id) for finding_id in finding_ids]
    digest = hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest()[:24]
    request_job(session, MATCH_NEW_JOB, key=f"match-new:{digest}", bulk=bulk, finding_ids=ids)


def _matches_document(result: MatchResult) -> dict[str, Any]:
    return {
        "checklist": [{"code": m.code, "title": m.title, "score": m.score} for m in result.checklist],
        "regulations": [
            {
                "citation": r.citation,
                "law": r.law,
                "article": r.article,
                "score": r.score,
                "excerpt": r.excerpt,
            }
            for r in result.regulations
        ],
        "major_hazard": {
            "criterion": result.major_hazard.criterion,
            "citation": result.major_hazard.citation,
            "code": result.major_hazard.code,
        }
        if result.major_hazard
        else None,
        "suggested_level": "major" if result.major_hazard else None,
    }


def _repeated(session: Session, finding: Finding, code: str, window: timedelta) -> bool:
    """Found again after being put right (``repeats.recurred``), by the item the escalation rules
    count (``effective_checklist_code``: chosen, else confidently matched)."""
    earlier = session.exec(
        select(Finding).where(
            Finding.enterprise_id == finding.enterprise_id,
            Finding.id != finding.id,
            col(Finding.observed_at) >= finding.observed_at - window,
            col(Finding.accepted_at).is_not(None),
            col(Finding.deleted_at).is_(None),
        )
    ).all()
    return any(
        effective_checklist_code(other) == code and recurred(other, finding, window) for other in earlier
    )


def _graded_general(session: Session, finding: Finding) -> bool:
    """A park user graded it 一般 (the last grading): the draft does not call it 重大."""
    if finding.level is HazardLevel.MAJOR:
        return False
    last = session.exec(
        select(AuditEvent.after)
        .where(AuditEvent.entity_id == str(finding.id), AuditEvent.action == GRADED)
        .order_by(col(AuditEvent.id).desc())
    ).first()
    return last is not None and last.get("level") == HazardLevel.GENERAL.value


def give_legal_basis(
    session: Session, matcher: Matcher, finding_id: uuid.UUID, repeat_window_days: int
) -> Finding | None:
    """``repeat_window_days``: the escalation rules' ``repeated.window_days``, so that the penalty
    draft's 从重 and the 重复发现 escalation count the same repeats."""
    # Read the finding only after taking the change lock: a push committing meanwhile would
    # otherwise be overwritten by this job's stale copy (its field versions above all).
    lock_changes(session)
    finding = session.get(Finding, finding_id)
    if finding is None or finding.deleted_at is not None:
        return None
    observed = park_date(finding.observed_at)
    enterprise = session.get(Enterprise, finding.enterprise_id)
    result = matcher.match(
        finding.description,
        5,
        observed,
        detected_hazard_codes(finding),
        chosen=finding.checklist_code,
        major_hazard_source=enterprise.major_hazard_source if enterprise is not None else None,
    )
    matches = _matches_document(result)
    draft = None
    top = result.checklist[0] if result.checklist else None
    # The inspector's item is the finding's whatever its score (it leads the matches); a
    # suggestion only when the finding states a defect (a bare "罐区" or "未发现问题" drafts no
    # penalty) and the item counts as the finding's (suggestions.is_the_findings_item).
    graded_by = result.major_hazard.code if result.major_hazard is not None else None
    major = finding.level is HazardLevel.MAJOR
    confident = (
        top is not None
        and is_the_findings_item(top.score, top.code, graded_by, major)
        and result.defect_stated
    )
    if top is not None and (top.code == finding.checklist_code or confident):
        item = matcher.checklist.items[top.code]
        facts = Circumstances(
            observed=observed,
            repeated=_repeated(session, finding, top.code, timedelta(days=repeat_window_days)),
            repeat_window_days=repeat_window_days,
            overdue_or_refused=finding.overdue,
            rectified_promptly=rectified_promptly(session, finding),
            description=finding.description,
            graded_general=_graded_general(session, finding),
        )
        draft = draft_penalty(item, matcher.library, facts)
    if finding.matches == matches and finding.penalty_draft == draft:
        return finding
    before = {"matches": finding.matches, "penalty_draft": finding.penalty_draft}
    finding.matches, finding.penalty_draft = matches, draft
    session.add(finding)
    session.flush()
    AuditLog(session).record(
        None,
        "finding.matched",
        "finding",
        finding.id,
        before,
        {
            "checklist": [m["code"] for m in matches["checklist"][:3]],
            "major_hazard": matches["major_hazard"],
            "penalty_basis": draft and draft["penalty_basis"],
        },
    )
    return finding


def rematch_open_findings(
    session_factory: sessionmaker[Session], matcher: Matcher, repeat_window_days: int
) -> tuple[int, int]:
    """Match every open finding again, one transaction each (pushes wait only for one): after an
    upgrade of the checklist, the law library or the rules, stored matches and drafts are what the
    old ones said until something re-runs them. Returns (findings matched, findings changed)."""
    with session_factory() as session:
        ids = session.exec(
            select(Finding.id).where(
                col(Finding.status).in_(OPEN_STATUSES), col(Finding.deleted_at).is_(None)
            )
        ).all()
    changed = 0
    for finding_id in ids:
        with transaction(session_factory) as session:
            before = session.get(Finding, finding_id)
            was = (before.matches, before.penalty_draft) if before is not None else None
            after = give_legal_basis(session, matcher, finding_id, repeat_window_days=repeat_window_days)
            changed += after is not None and (after.matches, after.penalty_draft) != was
    return len(ids), changed
