"""Penalty drafting: tier by circumstances, amount by the editable discretion rules."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from regulations.library import load_library
from regulations.penalty import Circumstances, draft_penalty
from rules.checklist_loader import default_checklist
from rules.checklist_schema import ChecklistItem, LawReference
from rules.discretion_schema import DiscretionRules, Positions

# 安全生产法第九十九条第（五）项 punishes not providing PPE (a worker not wearing it is XC-08-01, below).
PPE_NOT_PROVIDED = ChecklistItem(
    code="XC-08-09",
    category="XC-08",
    title="未为从业人员提供符合国家标准或者行业标准的劳动防护用品",
    method="现场查看",
    phrasings=["没发安全帽"],
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
    draft = draft_penalty(PPE_NOT_PROVIDED, load_library(), Circumstances(date(2026, 11, 20)), RULES)
    assert draft is not None
    assert draft["violated"] == ["《中华人民共和国安全生产法》第四十五条"]
    assert draft["penalty_basis"] == "《中华人民共和国安全生产法》第九十九条第（五）项"
    assert draft["fine_range_yuan"] == [0, 50000]
    assert draft["suggested_fine_yuan"] == 15000
    assert draft["measures"][0] == "责令限期改正"
    assert "首次发现" in draft["rationale"]


def test_overdue_switches_to_the_aggravated_tier_at_its_top() -> None:
    draft = draft_penalty(
        PPE_NOT_PROVIDED, load_library(), Circumstances(date(2026, 11, 20), overdue_or_refused=True), RULES
    )
    assert draft is not None
    assert draft["fine_range_yuan"] == [50000, 200000]
    assert draft["suggested_fine_yuan"] == 200000
    assert "逾期未改正" in draft["tier"]


def test_prompt_rectification_and_repeats_move_the_amount_down_and_up() -> None:
    library = load_library()
    prompt = draft_penalty(
        PPE_NOT_PROVIDED, library, Circumstances(date(2026, 11, 20), rectified_promptly=True), RULES
    )
    repeated = draft_penalty(
        PPE_NOT_PROVIDED, library, Circumstances(date(2026, 11, 20), repeated=True), RULES
    )
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


# ---------------------------------------------------------------- the library's own items

BEFORE_NEW_LAW = date(2026, 1, 10)  # 行政处罚办法 and 危化品条例 still apply
AFTER_NEW_LAW = date(2026, 6, 1)  # 危险化学品安全法 applies; the 办法 no longer does


def draft_for(code: str, observed: date, overdue: bool = False) -> dict[str, Any]:
    item = default_checklist().items[code]
    draft = draft_penalty(item, load_library(), Circumstances(observed, overdue_or_refused=overdue), RULES)
    assert draft is not None
    return draft


def test_a_fine_the_law_sets_only_once_overdue_is_not_proposed_at_first_finding() -> None:
    # 消防法第六十六条: "责令限期改正；逾期不改正的，责令停止使用，可以并处一千元以上五千元以下罚款"
    first = draft_for("XC-04-02", AFTER_NEW_LAW)
    assert first["fine_range_yuan"] is None and first["suggested_fine_yuan"] is None
    assert "首次发现不予罚款" in str(first["rationale"])
    overdue = draft_for("XC-04-02", AFTER_NEW_LAW, overdue=True)
    assert overdue["fine_range_yuan"] == [1000, 5000]
    assert overdue["measures"] == ["责令限期改正", "责令停止使用"]


def test_overdue_under_the_new_law_takes_its_aggravated_tier_and_its_measures() -> None:
    first = draft_for("JC-07-01", AFTER_NEW_LAW)
    assert first["fine_range_yuan"] == [50000, 100000]
    assert first["measures"] == ["责令限期改正"]
    overdue = draft_for("JC-07-01", AFTER_NEW_LAW, overdue=True)
    assert overdue["fine_range_yuan"] == [100000, 200000]
    assert "责令停产停业整顿直至由原发证机关吊销其相关许可证件" in overdue["measures"]
    assert "对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下的罚款" in overdue["measures"]


def test_a_first_finding_lists_no_measure_the_law_keeps_for_later() -> None:
    assert draft_for("JC-01-01", AFTER_NEW_LAW)["measures"] == ["责令限期改正"]


def test_contractor_management_is_fined_under_the_second_paragraph_of_article_103() -> None:
    draft = draft_for("JC-09-02", AFTER_NEW_LAW)
    assert draft["penalty_basis"] == "《中华人民共和国安全生产法》第一百零三条第二款"
    assert draft["fine_range_yuan"] == [
        0,
        50000,
    ]  # not 第一款's 10–20万 for subcontracting to the unqualified
    assert "对其直接负责的主管人员和其他直接责任人员处一万元以下的罚款" in draft["measures"]


def test_the_authority_the_law_names_decides_and_the_draft_refers_the_case_to_it() -> None:
    police = draft_for("XC-03-08", AFTER_NEW_LAW)  # 剧毒、易制爆 records: 危化法第一百零四条第一款
    assert police["authority"] == "公安机关"
    assert "本建议移送公安机关" in str(police["rationale"])
    filing = draft_for("JC-13-04", AFTER_NEW_LAW)  # 安全评价报告备案: its 第二款, "依照前款规定"
    assert filing["penalty_basis"] == "《中华人民共和国危险化学品安全法》第一百零四条第二款"
    assert filing["authority"] == "应急管理部门"
    assert filing["fine_range_yuan"] == [20000, 100000]
    assert "分别由应急管理部门或者港口行政管理部门依照前款规定予以处理、处罚" in str(filing["rationale"])


def test_an_article_under_which_the_enterprise_disciplines_its_staff_is_no_penalty_basis() -> None:
    # 安全生产法第一百零七条: "由生产经营单位给予批评教育，依照有关规章制度给予处分"
    before = draft_for("XC-08-01", BEFORE_NEW_LAW)
    assert before["penalty_basis"] == "《安全生产违法行为行政处罚办法》第四十五条第（一）项"
    after = draft_for("XC-08-01", AFTER_NEW_LAW)
    assert after["penalty_basis"] == "《中华人民共和国安全生产法》第一百零二条"
    assert after["measures"] == ["责令立即消除或者限期消除"]


def test_a_notice_to_the_unit_does_not_accuse_it_of_its_workers_own_duty() -> None:
    # 第五十七条 binds 从业人员; the unit's duty is 第四十五条 (监督、教育从业人员…佩戴、使用)
    for code in ("XC-08-01", "XC-08-02"):
        draft = draft_for(code, AFTER_NEW_LAW)
        assert "《中华人民共和国安全生产法》第四十五条" in draft["violated"]
        assert "《中华人民共和国安全生产法》第五十七条" not in draft["violated"]
        assert "第五十七条" not in draft["rationale"]


def test_an_order_to_fix_is_not_put_in_the_mouth_of_an_article_that_gives_none() -> None:
    # 消防法第六十三条: "处警告或者五百元以下罚款；情节严重的，处五日以下拘留", no 责令改正
    smoking = draft_for("XC-08-03", AFTER_NEW_LAW)
    assert "依据《中华人民共和国消防法》第六十三条第（二）项，责令限期改正" not in smoking["rationale"]
    assert "依据《中华人民共和国行政处罚法》第二十八条责令限期改正" in smoking["rationale"]
    # 安全生产法第九十四条 orders the fix itself
    assert (
        "依据《中华人民共和国安全生产法》第九十四条，责令限期改正"
        in draft_for("JC-01-02", AFTER_NEW_LAW)["rationale"]
    )


def test_an_article_punishing_whoever_did_it_lists_their_sanction_among_the_measures() -> None:
    """消防法第六十三条 fines the smoker, not the enterprise; 拘留 is the police's to decide."""
    smoking = draft_for("XC-08-03", AFTER_NEW_LAW)
    assert smoking["fine_range_yuan"] is None  # nothing on the unit
    assert smoking["measures"] == [
        "责令限期改正",
        "对违法行为人处警告或者五百元以下罚款",
        "情节严重的，对违法行为人处五日以下拘留（拘留由公安机关决定）",
    ]


def test_the_article_fining_the_unit_is_preferred_to_one_fining_only_its_principal() -> None:
    draft = draft_for("JC-01-01", AFTER_NEW_LAW)  # lists 第九十四条 (the principal) first
    assert draft["penalty_basis"] == "《中华人民共和国安全生产法》第一百零一条第（五）项"
    only_principal = draft_for("JC-01-02", AFTER_NEW_LAW)
    assert only_principal["fine_range_yuan"] is None
    assert "对主要负责人处二万元以上五万元以下的罚款" in only_principal["measures"]


def test_unlicensed_operation_is_not_left_at_a_referring_article() -> None:
    # 安全生产法第一百条 only refers to "有关危险物品安全管理的法律、行政法规"
    draft = draft_for("JC-13-08", AFTER_NEW_LAW)
    assert draft["penalty_basis"] == "《中华人民共和国危险化学品安全法》第一百条"
    assert draft["fine_range_yuan"] == [100000, 500000]


def test_the_major_hazard_criterion_is_named_as_a_classification_not_as_a_rule_broken() -> None:
    draft = draft_for("JC-01-01", AFTER_NEW_LAW)
    criterion = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》第十六项"
    assert criterion not in draft["violated"]
    assert f"该隐患属于{criterion}规定的重大事故隐患" in draft["rationale"]


def test_overdue_adds_the_measures_the_law_sets_for_it_in_its_own_words() -> None:
    principal = draft_for("JC-01-02", AFTER_NEW_LAW, overdue=True)  # 安全生产法第九十四条
    assert principal["measures"] == [
        "责令限期改正",
        "责令生产经营单位停产停业整顿",
        "对主要负责人处五万元以上十万元以下的罚款",
    ]
    refused = draft_for("XC-08-01", AFTER_NEW_LAW, overdue=True)  # 第一百零二条: 拒不执行的
    assert "责令停产停业整顿" in refused["measures"]
    assert "对其直接负责的主管人员和其他直接责任人员处五万元以上十万元以下的罚款" in refused["measures"]


@pytest.mark.parametrize("observed", [BEFORE_NEW_LAW, AFTER_NEW_LAW])
@pytest.mark.parametrize("overdue", [False, True])
def test_every_item_drafts_a_fine_within_its_range_and_reads_without_placeholders(
    observed: date, overdue: bool
) -> None:
    library, facts = load_library(), Circumstances(observed, overdue_or_refused=overdue)
    for item in default_checklist().items.values():
        draft = draft_penalty(item, library, facts, RULES)
        if draft is None:
            continue
        if draft["fine_range_yuan"] is not None:
            low, high = draft["fine_range_yuan"]
            assert low <= draft["suggested_fine_yuan"] <= high, item.code
        assert draft["measures"] and all(draft["measures"]), item.code
        text = " ".join([draft["rationale"], *draft["measures"]])
        for placeholder in ("None", "null", "相关规定", "—元"):
            assert placeholder not in text, (item.code, placeholder, text)


@pytest.mark.parametrize(
    ("code", "description", "basis"),
    [
        ("XC-05-05", "可燃气体报警器被人为屏蔽了", "《中华人民共和国安全生产法》第九十九条第（四）项"),
        # The special law's 项 for the same conduct (维护、保养 of safety equipment) before the 安全生产法's
        ("XC-05-05", "可燃气体报警器检定过期", "《中华人民共和国危险化学品安全法》第一百零三条第（三）项"),
        ("XC-04-03", "配电箱没有警示标识", "《中华人民共和国安全生产法》第九十九条第（一）项"),
        ("XC-04-03", "配电箱门没关没上锁", "《中华人民共和国安全生产法》第九十九条第（二）项"),
        ("XC-09-05", "危化品运输车没有押运员", "《中华人民共和国危险化学品安全法》第一百一十二条第（二）项"),
        ("XC-09-05", "运输车没有悬挂警示标志", "《中华人民共和国危险化学品安全法》第一百一十二条第（一）项"),
    ],
)
def test_the_item_of_an_article_is_the_conduct_the_inspector_describes(
    code: str, description: str, basis: str
) -> None:
    """An alarm someone switched off is 第（四）项 (关闭、破坏报警设备), not the missed maintenance of
    第（三）项 the checklist item lists first; a missing escort is 第（二）项, not the warning signs."""
    item = default_checklist().items[code]
    draft = draft_penalty(
        item, load_library(), Circumstances(date(2026, 11, 20), description=description), RULES
    )
    assert draft is not None
    assert draft["penalty_basis"] == basis


@pytest.mark.parametrize(
    ("observed", "article"),
    [
        (BEFORE_NEW_LAW, "《危险化学品安全管理条例》第七十七条"),
        (AFTER_NEW_LAW, "《中华人民共和国危险化学品安全法》第一百条"),
    ],
)
def test_each_missing_permit_is_punished_under_its_own_paragraph(observed: date, article: str) -> None:
    """JC-13-08 spans three permits; the 款 for the 安全使用许可证 does not punish the others. The
    安全生产许可证's 款 refers to the 安全生产许可证条例, whose fine is not in the library."""
    item = default_checklist().items["JC-13-08"]

    def drafted(description: str) -> dict[str, Any]:
        draft = draft_penalty(item, load_library(), Circumstances(observed, description=description), RULES)
        assert draft is not None
        return draft

    production = drafted("没有安全生产许可证就在生产")
    assert production["penalty_basis"] == f"{article}第一款"
    assert production["fine_range_yuan"] is None
    assert "该款规定依照" in production["rationale"] and "罚款数额依其确定" in production["rationale"]
    # quoted as the article says it: 条例 …的规定处罚; the 2026 law …的规定处理、处罚
    said = "的规定处罚" if observed == BEFORE_NEW_LAW else "法律、行政法规的规定处理、处罚"
    assert said in production["rationale"]
    trading = drafted("没有危化品经营许可证在卖危化品")
    assert trading["penalty_basis"] == f"{article}第三款"
    assert "责令停止经营活动" in trading["measures"]
    assert drafted("危化品使用量超过规定数量，没办安全使用许可证")["penalty_basis"] == article
