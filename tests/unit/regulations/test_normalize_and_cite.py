"""Normalisation of inspector wording and the citation forms enforcement documents use."""

from __future__ import annotations

from datetime import date

import pytest

from regulations.library import load_library
from regulations.matching import applicable
from regulations.normalize import normalize, strip_preamble
from regulations.service import get_matcher
from rules.checklist_schema import LawReference


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("２号罐区有人没戴头盔！！", "2号罐区有人没戴安全帽"),
        ("动火作业没有监火人", "动火没有监护人"),
        ("消防器材 过期了", "灭火器过期了"),
        ("PPE 不全", "劳动防护用品不全"),
        ("安全冒", "安全帽"),
    ],
)
def test_width_punctuation_case_and_synonyms_are_folded(written: str, normal: str) -> None:
    assert normalize(written) == normal


@pytest.mark.parametrize(
    ("written", "hazard"),
    [
        ("现场检查发现：罐区呼吸阀缺失", "罐区呼吸阀缺失"),
        ("经查，企业未设专职安全员", "企业未设专职安全员"),
        ("巡查中发现消防通道被占", "消防通道被占"),
        ("检查组现场发现 配电箱未上锁", "配电箱未上锁"),
        ("检查人员发现2名工人没戴安全帽", "2名工人没戴安全帽"),
        ("检查发现的问题没处理也没上报", "检查发现的问题没处理也没上报"),
        ("发现的隐患没有台账", "发现的隐患没有台账"),
    ],
)
def test_a_record_lead_in_is_dropped_but_not_a_noun_phrase(written: str, hazard: str) -> None:
    assert strip_preamble(written) == hazard


def test_a_lead_in_does_not_pull_matches_towards_the_inspection_duty_item() -> None:
    # 现场检查发现 shares its words with JC-02-03 (安全检查…未如实记录), which ranked first before.
    plain = get_matcher().match("仓库北门用铁链锁死")
    written = get_matcher().match("现场检查发现仓库北门用铁链锁死")
    assert [m.code for m in written.checklist] == [m.code for m in plain.checklist]
    assert "JC-02-03" not in [m.code for m in written.checklist[:3]]


def test_citations_take_the_forms_of_enforcement_documents() -> None:
    library = load_library()
    assert library.cite("安全生产法", "第一百零二条") == "《中华人民共和国安全生产法》第一百零二条"
    assert (
        library.cite("安全生产法", "第九十九条", "五") == "《中华人民共和国安全生产法》第九十九条第（五）项"
    )
    assert (
        library.cite("GB 30871-2022", "5.2.1")
        == "《危险化学品企业特殊作业安全规范》（GB 30871—2022）第5.2.1条"
    )
    assert library.cite("化工重大隐患判定标准", "二") == (
        "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第二项"
    )


def test_the_law_that_applies_depends_on_the_observation_date() -> None:
    library = load_library()
    references = [
        LawReference(law="危化品条例", article="第二十条", valid_until=date(2026, 4, 30)),
        LawReference(law="危险化学品安全法", article="第十三条", valid_from=date(2026, 5, 1)),
        LawReference(law="行政处罚办法（原总局令第15号）", article="第四十五条"),
    ]
    before = [r.law for r in applicable(references, library, date(2026, 1, 15))]
    assert before == ["危化品条例", "行政处罚办法（原总局令第15号）"]
    assert [r.law for r in applicable(references, library, date(2026, 3, 1))] == ["危化品条例"]
    assert [r.law for r in applicable(references, library, date(2026, 6, 1))] == ["危险化学品安全法"]
