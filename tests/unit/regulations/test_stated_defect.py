"""A bare name, a no-finding note or a statement of compliance states no defect: it suggests no
重大隐患 and drafts no penalty; every phrasing the libraries and evaluation sets hold does state one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from regulations.service import get_matcher
from regulations.stated_defect import states_a_defect
from rules.checklist_loader import default_checklist

OBSERVED = date(2026, 11, 1)
SETS = [Path("regulations") / name for name in ("devset.yaml", "holdout.yaml", "holdout2.yaml")]


def every_known_hazard_phrasing() -> list[str]:
    root = Path(__file__).resolve().parents[3]
    texts = [case["text"] for path in SETS for case in yaml.safe_load((root / path).read_text())["cases"]]
    return texts + [text for item in default_checklist().items.values() for text in item.phrasings]


def test_every_phrasing_of_a_hazard_in_the_libraries_and_evaluation_sets_states_a_defect() -> None:
    texts = every_known_hazard_phrasing()
    assert len(texts) > 2000
    assert [text for text in texts if not states_a_defect(text)] == []


@pytest.mark.parametrize(
    "text",
    [
        "罐区",
        "SIS",
        "液化烃",
        "安全阀",
        "特种作业",
        "检查完毕 现场整体良好 未发现问题",
        "特种作业人员全部持证上岗",
        "SIS已投用 联锁全部投入",
        "装置区巡检拍照",
        # statements of compliance whose words also name a defect's object (切断阀: 断)
        "特种作业人员均持证上岗",
        "储罐区紧急切断阀正常投用",
        "消防通道畅通，灭火器在有效期内",
        "动火作业票办理齐全，监护人在岗",
        "已整改：安全帽已佩戴",
        "法兰无泄漏",
        # the required state, said of a thing: an inspector's notes of what was in order
        "液氨充装使用万向管道充装系统",
        "危化品仓库分区分类储存",
        "安全阀前切断阀铅封开",
        "安全阀已校验，铅封完好",
        "电工持有特种作业操作证",
        "叉车司机持证",
        "静电接地完好，检测记录齐全",
        "防火堤完好无裂缝",
        "接地线连接牢固",
        "消防栓无遮挡",
        "员工都戴了安全帽",
        "配电箱已上锁",
        "可燃气体报警器正常",
        "SIS投用正常无旁路",
        # an inspection that found nothing, in an inspector's words
        "没发现隐患",
        "本次检查未发现重大隐患",
        "没有发现问题",
        "无明显隐患",
        # a note that an earlier hazard was put right: the defect it names is the fixed one
        "现场整改已完成 复查合格",
        "上次的隐患已经整改了",
        "已更换过期灭火器",
        "上次查的消防通道堵塞问题已整改",
        # compliance in other words
        "仓库分区分类存放 没有混存",
        "主要负责人已取得安全考核合格证",
        "液化烃罐都装了紧急切断阀",
    ],
)
def test_a_name_a_no_finding_note_or_compliance_states_no_defect_and_no_major_hazard(text: str) -> None:
    assert not states_a_defect(text)
    result = get_matcher().match(text, 5, OBSERVED)
    assert result.major_hazard is None
    assert not result.defect_stated


@pytest.mark.parametrize(
    "text",
    [
        "无票动火",
        "罐区有人抽烟",
        "高压线跨越罐区",
        "安全员检查记录连续三周都是“无异常”",
        "现场整体良好，但发现一处灭火器过期",  # a no-finding note that goes on to name one
        "动火作业票填写不规范，现场检查法兰无泄漏",
        "库房没有泄漏收集设施",  # 没有泄漏… denies the facility, not the leak
        "储罐区紧急切断阀未投用",
        "安全出口已上锁",
        "可燃气体报警器不正常",
        "防火堤不完好，有裂缝",
        "叉车司机持证过期",
        "中控把联锁开关打到切除",
        # a fix that is not done, or did not hold
        "未整改完成",
        "已更换的灭火器仍然过期",
        "消防通道堵塞，已整改，但配电箱门未关",
        "主要负责人未取得安全考核合格证",
    ],
)
def test_short_or_quoted_defects_are_defects(text: str) -> None:
    assert states_a_defect(text)


def test_a_photo_that_shows_a_hazard_stands_for_the_missing_words() -> None:
    result = get_matcher().match("装置区巡检拍照", 5, OBSERVED, ["no_helmet"])
    assert result.defect_stated
    assert result.checklist[0].code == "XC-08-01"


def test_a_described_major_hazard_is_still_one() -> None:
    result = get_matcher().match("液化烃罐区紧急切断阀一直打在手动旁路", 5, OBSERVED)
    assert result.major_hazard is not None and result.major_hazard.criterion.startswith("五、")
