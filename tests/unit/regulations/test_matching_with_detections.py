"""What the photo detector saw steers the checklist match, and the inspector's words order it."""

from __future__ import annotations

from datetime import date

from regulations.service import get_matcher

OBSERVED = date(2026, 11, 1)


def test_a_vague_description_with_a_detected_hazard_matches_the_detected_item_first() -> None:
    result = get_matcher().match("装置区巡检拍照", 5, OBSERVED, ["no_helmet"])
    assert result.checklist[0].code == "XC-08-01"  # 作业人员未按规定佩戴安全帽
    assert result.checklist[0].score >= 90
    assert any("安全生产法" in match.citation for match in result.regulations)


def test_among_detected_hazards_the_one_the_inspector_describes_ranks_first() -> None:
    codes = ["no_helmet", "no_wear"]
    about_helmets = get_matcher().match("脚手架上三名工人没戴安全帽", 5, OBSERVED, codes)
    about_clothes = get_matcher().match("工人没穿工作服", 5, OBSERVED, codes)
    assert [m.code for m in about_helmets.checklist[:2]] == ["XC-08-01", "XC-08-02"]
    assert [m.code for m in about_clothes.checklist[:2]] == ["XC-08-02", "XC-08-01"]


def test_without_detections_the_words_alone_decide() -> None:
    result = get_matcher().match("装置区巡检拍照", 5, OBSERVED)
    assert all(match.score < 90 for match in result.checklist)
