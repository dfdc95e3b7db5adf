"""Penalty drafting: tier by circumstances, amount by the editable discretion rules."""

from __future__ import annotations

from datetime import date

from regulations.library import load_library
from regulations.penalty import Circumstances, draft_penalty
from rules.checklist_schema import ChecklistItem, LawReference
from rules.discretion_schema import DiscretionRules, Positions

HELMET = ChecklistItem(
    code="XC-08-01",
    category="XC-08",
    title="作业人员未按规定佩戴安全帽",
    method="现场查看",
    phrasings=["没戴安全帽"],
    duty=[LawReference(law="安全生产法", article="第四十五条")],
    penalty=[LawReference(law="安全生产法", article="第九十九条", item="五")],
)
EXTINGUISHER = ChecklistItem(
    code="XC-06-01",
    category="XC-06",
    title="灭火器失效",
    method="查看压力表",
    phrasings=["灭火器过期"],
    duty=[LawReference(law="消防法", article="第十六条")],
    penalty=[LawReference(law="消防法", article="第六十条")],
)
RULES = DiscretionRules(
    version=1,
    positions=Positions(first_offence_rectified=0.1, first_offence=0.3, repeated=0.7, overdue_or_refused=1.0),
    round_to_yuan=500,
)


def test_first_finding_uses_the_plain_tier_low_in_the_range() -> None:
    draft = draft_penalty(HELMET, load_library(), Circumstances(date(2026, 11, 20)), RULES)
    assert draft is not None
    assert draft["violated"] == ["《中华人民共和国安全生产法》第四十五条"]
    assert draft["penalty_basis"] == "《中华人民共和国安全生产法》第九十九条第（五）项"
    assert draft["fine_range_yuan"] == [0, 50000]
    assert draft["suggested_fine_yuan"] == 15000
    assert draft["measures"][0] == "责令限期改正"
    assert "首次发现" in draft["rationale"]


def test_overdue_switches_to_the_aggravated_tier_at_its_top() -> None:
    draft = draft_penalty(
        HELMET, load_library(), Circumstances(date(2026, 11, 20), overdue_or_refused=True), RULES
    )
    assert draft is not None
    assert draft["fine_range_yuan"] == [50000, 200000]
    assert draft["suggested_fine_yuan"] == 200000
    assert "逾期未改正" in draft["tier"]


def test_prompt_rectification_and_repeats_move_the_amount_down_and_up() -> None:
    library = load_library()
    prompt = draft_penalty(HELMET, library, Circumstances(date(2026, 11, 20), rectified_promptly=True), RULES)
    repeated = draft_penalty(HELMET, library, Circumstances(date(2026, 11, 20), repeated=True), RULES)
    assert prompt is not None and repeated is not None
    assert prompt["suggested_fine_yuan"] == 5000 < repeated["suggested_fine_yuan"] == 35000


def test_fire_findings_are_routed_to_the_fire_authority() -> None:
    draft = draft_penalty(EXTINGUISHER, load_library(), Circumstances(date(2026, 11, 20)), RULES)
    assert draft is not None
    assert draft["authority"] == "消防救援机构"
    assert "消防救援机构" in draft["rationale"]


def test_no_penalty_article_means_no_draft() -> None:
    item = ChecklistItem(code="JC-01-01", category="JC-01", title="x", method="y", phrasings=["z"])
    assert draft_penalty(item, load_library(), Circumstances(date(2026, 11, 20)), RULES) is None
