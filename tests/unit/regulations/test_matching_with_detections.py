"""What the photo detector saw steers the checklist match of a vague description, the inspector's
words order it, and neither overrides a description naming another hazard or the inspector's pick."""

from __future__ import annotations

from datetime import date

from backend.domain.findings.suggestions import CONFIDENT_ITEM
from regulations.service import get_matcher

OBSERVED = date(2026, 11, 1)


def test_a_vague_description_with_a_detected_hazard_matches_the_detected_item_first() -> None:
    result = get_matcher().match("装置区巡检拍照", 5, OBSERVED, ["no_helmet"])
    assert result.checklist[0].code == "XC-08-01"  # 作业人员未按规定佩戴安全帽
    assert result.checklist[0].score >= CONFIDENT_ITEM  # enough for a penalty draft
    assert any("安全生产法" in match.citation for match in result.regulations)


def test_among_detected_hazards_the_one_the_inspector_describes_ranks_first() -> None:
    codes = ["no_helmet", "no_wear"]
    about_helmets = get_matcher().match("脚手架上三名工人没戴安全帽", 5, OBSERVED, codes)
    about_clothes = get_matcher().match("工人没穿工作服", 5, OBSERVED, codes)
    assert [m.code for m in about_helmets.checklist[:2]] == ["XC-08-01", "XC-08-02"]
    assert [m.code for m in about_clothes.checklist[:2]] == ["XC-08-02", "XC-08-01"]


def test_without_detections_the_words_alone_decide() -> None:
    result = get_matcher().match("装置区巡检拍照", 5, OBSERVED)
    assert "XC-08-01" not in [match.code for match in result.checklist[:1]]


def test_a_worker_seen_in_the_photo_does_not_replace_the_described_major_hazard() -> None:
    text = "一级重大危险源液化烃罐区未实现紧急切断功能，紧急切断阀处于手动旁路状态"
    result = get_matcher().match(text, 5, OBSERVED, ["no_wear"])
    codes = [match.code for match in result.checklist]
    assert codes[0] == "XC-05-02"  # 重大危险源未实现紧急切断功能
    assert "XC-08-02" in codes  # the photo's hazard stays among the suggestions
    assert result.major_hazard is not None and result.major_hazard.criterion.startswith("五、")
    assert not any("第一百零七条" in match.citation for match in result.regulations[:2])


def test_the_item_the_inspector_picked_leads_and_brings_its_major_criterion() -> None:
    result = get_matcher().match("罐区阀门有问题", 5, OBSERVED, ["no_helmet"], chosen="XC-05-02")
    assert result.checklist[0].code == "XC-05-02"
    assert result.major_hazard is not None and result.major_hazard.criterion.startswith("五、")
    unknown = get_matcher().match("罐区阀门有问题", 5, OBSERVED, ["no_helmet"], chosen="XC-99-99")
    assert unknown.checklist[0].code == "XC-08-01"
