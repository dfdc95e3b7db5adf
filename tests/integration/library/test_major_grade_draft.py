"""A finding matching grades major is drafted a penalty on the item the grade rests on.

Matching grades a finding major from a score of 20 (MAJOR_THRESHOLD) while a suggested item needed
25 (CONFIDENT_ITEM) for a draft: 甲类库里高锰酸钾和甲醇混着放 (24.8) was put to the park as 可能构成重大隐患
with no legal basis drafted, and counted for no 重复发现."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from backend.domain.findings.legal_basis import give_legal_basis
from backend.domain.findings.suggestions import CONFIDENT_ITEM, effective_checklist_code
from backend.domain.findings.vocabulary import HazardLevel
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld

OBSERVED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_a_finding_graded_major_below_the_confident_score_gets_a_draft_on_its_item(
    db: Session, world: ParkWorld
) -> None:
    finding = factories.finding(
        db, world.own, description="甲类库里高锰酸钾和甲醇混着放", observed_at=OBSERVED
    )
    matched = give_legal_basis(db, get_matcher(), finding.id, repeat_window_days=90)
    db.commit()
    assert matched is not None and matched.matches is not None
    top = matched.matches["checklist"][0]
    assert top["score"] < CONFIDENT_ITEM  # the case this is about
    assert matched.matches["major_hazard"]["code"] == top["code"] == "XC-03-02"
    assert matched.matches["major_hazard"]["criterion"].startswith("二十、")
    assert matched.penalty_draft is not None
    assert effective_checklist_code(matched) == "XC-03-02"  # and a second such finding is a repeat


def test_an_ungraded_item_below_the_confident_score_stays_a_suggestion(db: Session, world: ParkWorld) -> None:
    finding = factories.finding(db, world.own, description="罐区巡检发现地面有油污", observed_at=OBSERVED)
    matched = give_legal_basis(db, get_matcher(), finding.id, repeat_window_days=90)
    db.commit()
    assert matched is not None and matched.matches is not None
    assert matched.matches["checklist"][0]["score"] < CONFIDENT_ITEM
    assert matched.matches["major_hazard"] is None
    assert matched.penalty_draft is None
    assert effective_checklist_code(matched) is None


def test_a_finding_made_major_counts_its_item_at_grading_strength_and_not_below(
    db: Session, world: ParkWorld
) -> None:
    """Graded by the park or raised by the coupling rules, a major finding needs its 指令书: its top
    item is drafted and counted for repeats from the 20 at which matching grades, not on a guess."""
    at_grading_strength = factories.finding(
        db, world.own, description="罐区巡检发现地面有油污", observed_at=OBSERVED, level=HazardLevel.MAJOR
    )
    a_guess = factories.finding(
        db, world.own, description="氢气进釜前未置换", observed_at=OBSERVED, level=HazardLevel.MAJOR
    )
    drafted = give_legal_basis(db, get_matcher(), at_grading_strength.id, repeat_window_days=90)
    guessed = give_legal_basis(db, get_matcher(), a_guess.id, repeat_window_days=90)
    db.commit()
    assert drafted is not None and drafted.matches is not None
    assert 20 <= drafted.matches["checklist"][0]["score"] < CONFIDENT_ITEM
    assert drafted.penalty_draft is not None
    assert effective_checklist_code(drafted) == drafted.matches["checklist"][0]["code"]
    assert guessed is not None and guessed.matches is not None
    assert guessed.matches["checklist"][0]["score"] < 20
    assert guessed.penalty_draft is None and effective_checklist_code(guessed) is None
