"""What matching suggested for a finding, read back from ``finding.matches`` (pure)."""

from __future__ import annotations

from backend.db.models import Finding

CONFIDENT_ITEM = 25.0  # below this the top checklist item is only a suggestion: no penalty, no repeat rule


def effective_checklist_code(finding: Finding) -> str | None:
    """The item an inspector chose, else the one matching suggested with confidence.

    The matching job never writes ``checklist_code``: it is a device-written field, and
    writing it from the server would turn the inspector's next edit into a conflict.
    """
    if finding.checklist_code:
        return finding.checklist_code
    suggestions = (finding.matches or {}).get("checklist") or []
    if suggestions and float(suggestions[0].get("score", 0)) >= CONFIDENT_ITEM:
        return str(suggestions[0]["code"])
    return None
