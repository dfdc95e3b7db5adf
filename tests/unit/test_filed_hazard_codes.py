"""Which detector hazards a rectification must remove: those of the item the finding is filed under."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from backend.db.models import Finding
from backend.domain.findings.legal_basis import filed_hazard_codes


def finding(checklist_code: str | None = None, suggested: list[dict[str, Any]] | None = None) -> Finding:
    return Finding(
        id=uuid.uuid4(),
        park_id=uuid.uuid4(),
        enterprise_id=uuid.uuid4(),
        description="作业人员未戴安全帽",
        observed_at=datetime.now(UTC),
        checklist_code=checklist_code,
        matches={"checklist": suggested or []},
    )


def test_the_item_the_inspector_chose_decides() -> None:
    assert filed_hazard_codes(finding("XC-08-01")) == {"no_helmet"}
    assert filed_hazard_codes(finding("XC-08-02")) == {"no_wear"}


def test_a_confident_suggestion_stands_in_for_a_choice_and_a_weak_one_does_not() -> None:
    assert filed_hazard_codes(finding(suggested=[{"code": "XC-08-01", "score": 90.0}])) == {"no_helmet"}
    assert filed_hazard_codes(finding(suggested=[{"code": "XC-08-01", "score": 5.0}])) is None


def test_an_item_no_detector_sees_asks_for_no_hazard_to_be_gone() -> None:
    item_without_codes = "JC-11-02"  # 应急演练: nothing a PPE photo shows
    assert filed_hazard_codes(finding(item_without_codes)) == set()


def test_no_item_or_one_the_checklist_lacks_leaves_every_detected_hazard_checked() -> None:
    assert filed_hazard_codes(finding()) is None
    assert filed_hazard_codes(finding("XX-99-99")) is None
