"""What matching suggested for a finding, read back from ``finding.matches`` (pure)."""

from __future__ import annotations

from backend.db.models import Finding

# Below this the top checklist item is only a suggestion (no penalty, no repeat rule), unless a
# major grade rests on it: matching grades at 20 (regulations.matching.MAJOR_THRESHOLD).
CONFIDENT_ITEM = 25.0


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
    graded_by = (matches.get("major_hazard") or {}).get("code")  # the item a major grade rests on
    if float(suggestions[0].get("score", 0)) >= CONFIDENT_ITEM or suggestions[0]["code"] == graded_by:
        return str(suggestions[0]["code"])
    return None
