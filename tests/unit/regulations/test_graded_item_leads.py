"""A finding graded 重大隐患 through an item is that item's finding: it leads the suggestions and
its citations come first, so the penalty draft cites the article the grade rests on (a 防爆 finding
graded under 第十二项 is not drafted as a breach of the mobile-phone rule)."""

from __future__ import annotations

from datetime import date

import pytest

from regulations.service import get_matcher

OBSERVED = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "item", "criterion"),
    [
        ("防爆区用了非防爆开关", "XC-05-03", "十二"),  # was led by XC-08-04 (携带非防爆手机)
        ("剧毒品跟其他危化品混放在一个库里", "XC-03-02", "二十"),  # was led by XC-03-08 (流向记录)
        ("主要负责人没考安全证", "JC-03-01", "一"),  # was led by JC-01-03 (责任制)
    ],
)
def test_the_item_a_finding_is_graded_by_leads_its_suggestions(text: str, item: str, criterion: str) -> None:
    result = get_matcher().match(text, 5, OBSERVED)
    assert result.major_hazard is not None
    assert result.major_hazard.criterion.split("、", 1)[0] == criterion
    assert result.checklist[0].code == item


def test_the_citations_of_the_leading_item_come_first_whatever_its_score() -> None:
    result = get_matcher().match("罐区阀门有问题", 5, OBSERVED, chosen="XC-05-03")
    assert result.checklist[0].code == "XC-05-03"
    assert result.checklist[0].score < min(match.score for match in result.checklist[1:])
    assert "《中华人民共和国安全生产法》第九十九条第（二）项" in [m.citation for m in result.regulations]


@pytest.mark.parametrize(
    "text", ["液化烃罐没装紧急切断阀", "罐区紧急切断阀一直手动状态 远程关不了", "甲类罐区没有紧急切断"]
)
def test_without_a_major_hazard_source_a_missing_shutoff_valve_is_a_general_hazard_of_its_own(
    text: str,
) -> None:
    """判定标准第五项 needs a 一级、二级重大危险源: elsewhere the finding is the general shutoff-valve
    item, and no other criterion (第六项's 注水, 第十五项's 安全阀) takes the place of the fifth."""
    elsewhere = get_matcher().match(text, 5, OBSERVED, major_hazard_source=False)
    assert elsewhere.checklist[0].code == "XC-05-09"
    assert elsewhere.major_hazard is None
    holder = get_matcher().match(text, 5, OBSERVED, major_hazard_source=True)
    assert holder.checklist[0].code == "XC-05-02"
    assert "XC-05-09" not in [match.code for match in holder.checklist]
    assert holder.major_hazard is not None and holder.major_hazard.criterion.startswith("五、")
