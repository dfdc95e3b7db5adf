"""A gas detector not installed is 第十二项 (XC-05-03); one installed and broken or out of calibration is
a general hazard (XC-05-05). Both descriptions name the same device, so the words that say which
condition decide between the two items, and with them the major grade."""

from __future__ import annotations

from datetime import date

import pytest

from regulations.service import get_matcher
from regulations.stated_condition import stated_condition
from rules.checklist_loader import default_checklist

OBSERVED = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("液氯库没设有毒气体报警仪", "missing"),
        ("甲醇泵区没有可燃气体探头", "missing"),
        ("苯罐区泵组周边一个可燃报探头都没有", "missing"),
        ("罐区可燃气体报警器坏了", "faulty"),
        ("可燃气体报警器没有定期检定", "faulty"),
        ("拿标气一试，这个可燃报一点反应没有", "faulty"),
        ("罐区的报警器没装全，装了的也坏了两个", None),  # both: the words do not decide
        ("爆炸危险区用的普通照明灯", None),
        ("可燃气体报警器未配备备用电源", None),  # an accessory missing: the detector is there
        ("罐区可燃气体报警器探头未设置防雨罩", None),
    ],
)
def test_the_words_say_whether_the_safeguard_is_missing_or_faulty(text: str, condition: str | None) -> None:
    assert stated_condition(text) == condition


def test_a_broken_detector_is_not_graded_as_a_missing_one() -> None:
    result = get_matcher().match("罐区可燃气体报警器坏了", 5, OBSERVED)
    assert result.checklist[0].code == "XC-05-05"
    assert result.major_hazard is None


def test_a_detector_never_installed_is_graded_under_the_twelfth_criterion() -> None:
    result = get_matcher().match("液氯库没设有毒气体报警仪", 5, OBSERVED)
    assert result.checklist[0].code == "XC-05-03"
    assert result.major_hazard is not None and result.major_hazard.criterion.startswith("十二、")


@pytest.mark.parametrize("code", ["XC-05-03", "XC-05-05"])
def test_no_phrasing_of_a_marked_item_states_the_other_condition(code: str) -> None:
    item = default_checklist().items[code]
    other = {"missing": "faulty", "faulty": "missing"}[str(item.condition)]
    assert [p for p in item.phrasings if stated_condition(p) == other] == []
