"""What matching suggested for a finding, read back from ``finding.matches`` (pure)."""

from __future__ import annotations

from backend.db.models import Finding
from backend.domain.findings.vocabulary import HazardLevel

# Below this the top checklist item is only a suggestion (no penalty, no repeat rule), unless a
# major grade rests on it or the finding is major and it scores as a grade would (MAJOR_FLOOR, the
# 20 at which regulations.matching grades): a major finding needs its 指令书.
CONFIDENT_ITEM = 25.0
MAJOR_FLOOR = 20.0


def is_the_findings_item(score: float, code: str, graded_by: str | None, major: bool) -> bool:
    """Whether matching's top item counts as the finding's (its penalty draft, its repeats, the
    stats): confidently matched, or the item its major grade rests on, or, on a finding already
    major (graded by the park or raised by the coupling rules), matched at grading strength."""
    return score >= CONFIDENT_ITEM or code == graded_by or (major and score >= MAJOR_FLOOR)


def effective_checklist_code(finding: Finding) -> str | None:
    """The item an inspector chose, else the one matching suggested with confidence.

    The matching job never writes ``checklist_code``: it is a device-written field, and
    writing it from the server would turn the inspector's next edit into a conflict.
    """
    if finding.checklist_code:
        return finding.checklist_code
    matches = finding.matches or {}
    suggestions = matches.get("checklist") or []
    if not suggestions:
        return None
    top = suggestions[0]
    graded_by = (matches.get("major_hazard") or {}).get("code")  # the item a major grade rests on
    major = finding.level is HazardLevel.MAJOR
    if is_the_findings_item(float(top.get("score", 0)), str(top["code"]), graded_by, major):
        return str(top["code"])
    return None
