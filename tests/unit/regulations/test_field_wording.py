"""Field wording a domain reviewer found matched to the wrong item: a 特种作业票 is a special-work
permit, a person 进釜 is in a confined space, a 护栏 is a platform's railing, and a helmet past its
service life is worn-out PPE, not a helmet left off."""

from __future__ import annotations

from datetime import date

import pytest

from regulations.normalize import normalize
from regulations.service import get_matcher

OBSERVED = date(2026, 11, 1)
CONFINED_SPACE_ITEMS = {"XC-07-09", "XC-07-10", "XC-07-11", "XC-07-12", "XC-07-13"}


def test_a_special_type_operation_permit_is_read_as_a_special_work_permit() -> None:
    """特种作业 workers hold a 操作证; only 特殊作业 (动火、受限空间…) is done under a 作业票."""
    result = get_matcher().match("特种作业票都是补的", 5, OBSERVED)
    assert result.checklist[0].code in {"JC-08-03", "JC-08-01"}
    assert "JC-03-02" not in [match.code for match in result.checklist[:2]]
    assert result.major_hazard is None or not result.major_hazard.criterion.startswith("二、")


def test_an_operator_without_a_certificate_is_still_the_special_type_operations_item() -> None:
    result = get_matcher().match("电工没有特种作业操作证", 5, OBSERVED)
    assert result.checklist[0].code == "JC-03-02"
    assert result.major_hazard is not None and result.major_hazard.criterion.startswith("二、")


@pytest.mark.parametrize(
    ("text", "item"),
    [("进反应釜检修没通风", None), ("入釜作业没有人监护", "XC-07-11"), ("进釜没带救生绳", "XC-07-13")],
)
def test_a_person_entering_a_reactor_is_confined_space_work(text: str, item: str | None) -> None:
    top = get_matcher().match(text, 5, OBSERVED).checklist[0].code
    assert top in CONFINED_SPACE_ITEMS
    assert item is None or top == item


@pytest.mark.parametrize(
    "text",
    [
        "氯气进釜流量没联锁",
        "物料进釜前取样",
        "釜内温度超标",
        "精馏塔釜温高",
        "甲醇入釜未经计量直接加入",
        "反应釜内除氧不彻底就升温",
        "氢气进釜前未置换",
        "催化剂下到釜里没有称量",
    ],
)
def test_material_fed_to_a_reactor_and_its_readings_are_not_entries(text: str) -> None:
    assert "受限空间" not in normalize(text)


@pytest.mark.parametrize(
    ("text", "item"),
    [("平台护栏缺失", "XC-10-07"), ("护栏缺了一段", "XC-10-07"), ("污水池边护栏缺了", "XC-10-06")],
)
def test_a_guard_rail_is_a_railing_and_a_pit_keeps_its_own_item(text: str, item: str) -> None:
    assert get_matcher().match(text, 5, OBSERVED).checklist[0].code == item


@pytest.mark.parametrize("text", ["安全帽过期", "安全帽过期了还在用"])
def test_a_helmet_past_its_service_life_is_worn_out_protective_equipment(text: str) -> None:
    """安全生产法第四十五条 (the unit provides equipment meeting the standard), not 未佩戴."""
    assert get_matcher().match(text, 5, OBSERVED).checklist[0].code == "JC-12-03"


def test_a_helmet_left_off_is_still_not_wearing_one() -> None:
    assert get_matcher().match("安全帽没戴", 5, OBSERVED).checklist[0].code == "XC-08-01"
