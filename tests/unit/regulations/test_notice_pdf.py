"""The enforcement documents: the park never announces a fine another authority decides."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from regulations.library import load_library
from regulations.notice_pdf import NoticeFacts, render_notice
from regulations.penalty import Circumstances, draft_penalty
from rules.checklist_loader import default_checklist

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="make install installs poppler-utils"
)


def notice_text(
    code: str,
    tmp_path: Path,
    description: str = "剧毒化学品出入库台账与实物不符",
    deadline: datetime | None = datetime(2026, 6, 10, 9, tzinfo=UTC),
    on_the_spot: bool = False,
    order_only: bool = False,
    lines: bool = False,
) -> str:
    observed = datetime(2026, 6, 1, 2, tzinfo=UTC)
    draft = draft_penalty(default_checklist().items[code], load_library(), Circumstances(observed.date()))
    assert draft is not None
    facts = NoticeFacts(
        number="AB12CD34",
        enterprise="示例化工有限公司",
        description=description,
        location="3号库房",
        observed_at=observed,
        deadline=deadline,
        authority="示例化工园区应急管理局",
        draft=draft,
        issued_on=observed,
        rectified_on_the_spot=on_the_spot,
        order_only=order_only,
    )
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_notice(facts))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text if lines else text.replace(" ", "").replace("\n", "")


def test_a_fine_the_police_decide_is_referred_to_them_not_announced(tmp_path: Path) -> None:
    text = notice_text("XC-03-08", tmp_path)  # 危险化学品安全法第一百零四条: "由公安机关…"
    assert "责令限期整改指令书" in text
    assert "案件移送函" in text and "公安机关：" in text
    assert "行政处罚告知书" not in text
    assert "拟对你单位作出罚款" not in text


def test_the_park_does_not_order_a_fix_under_an_article_another_authority_enforces(tmp_path: Path) -> None:
    """消防法 is enforced by 消防救援机构 (第七十条): the park's 指令书 names the referral, not 消防法's article."""
    text = notice_text("XC-01-05", tmp_path, description="罐区与厂房之间防火间距不足")
    order = text.split("责令限期整改指令书", 1)[1].split("案件移送函", 1)[0]
    assert "该问题已移送消防救援机构依法处理。现责令你单位于2026年6月10日17时00分前整改完毕" in order
    assert "依据《中华人民共和国消防法》" not in order


def test_a_fine_the_park_authority_decides_is_announced(tmp_path: Path) -> None:
    text = notice_text("JC-07-01", tmp_path)  # 危险化学品安全法第一百零三条, 应急管理部门
    assert "行政处罚告知书" in text and "拟对你单位作出罚款人民币" in text
    assert "案件移送函" not in text
    assert text.count("示例化工园区应急管理局") == 2


def test_the_fine_range_is_stated_as_the_law_words_it(tmp_path: Path) -> None:
    no_floor = notice_text("XC-08-01", tmp_path, description="巡检工未戴安全帽")  # 第一百零二条: 五万元以下
    assert "（法定幅度：50,000元以下）" in no_floor
    assert "0元至" not in no_floor
    floor = notice_text("JC-07-01", tmp_path)  # 第一百零三条: 五万元以上十万元以下
    assert "（法定幅度：50,000元以上100,000元以下）" in floor


def test_every_document_is_marked_a_draft_and_keeps_the_officials_note_to_itself(tmp_path: Path) -> None:
    """The enterprise can open the PDF: it must not read as a served notice or carry internal notes."""
    text = notice_text("JC-07-01", tmp_path)
    assert text.count("草稿") == 2  # 责令限期整改指令书 and 行政处罚告知书
    assert "须经法制审核" in text
    assert "仅供执法人员参考" not in text


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("液位计读数 a<b 未校准", "液位计读数a<b未校准"),
        (
            '<font size="40" color="red">已整改完毕无需处罚</font>',
            '<fontsize="40"color="red">已整改完毕无需处罚</font>',
        ),
        ("台账写作 &lt; &amp; 与实物不符", "台账写作&lt;&amp;与实物不符"),
        ("储罐区😀 𠀀库 报警器失效", "储罐区□□库报警器失效"),
    ],
)
def test_the_inspectors_words_print_as_typed_never_as_markup_or_with_characters_dropped(
    tmp_path: Path, typed: str, printed: str
) -> None:
    text = notice_text("JC-07-01", tmp_path, description=typed)
    assert f"存在下列问题：{printed}（发现时间" in text


def test_a_hazard_fixed_during_the_inspection_is_not_ordered_fixed_by_a_blank_date(tmp_path: Path) -> None:
    text = notice_text("JC-07-01", tmp_path, deadline=None, on_the_spot=True)
    assert "当场整改完毕（即查即改）" in text
    assert "____年" not in text and "前整改完毕" not in text
    waiting = notice_text(
        "JC-07-01", tmp_path, deadline=None
    )  # not dispatched yet: the date is filled in by hand
    assert "____年__月__日前整改完毕" in waiting


def test_the_enterprises_copy_is_the_order_alone(tmp_path: Path) -> None:
    """The fine is the park's work before legal review: the enterprise downloads only the order."""
    for code in ("JC-07-01", "XC-03-08"):  # a fine the park announces; one it refers to the police
        text = notice_text(code, tmp_path, order_only=True)
        assert "责令限期整改指令书" in text
        assert (
            "行政处罚告知书" not in text
            and "案件移送函" not in text
            and "罚款" not in text.split("指令书", 1)[1]
        )


def test_every_amount_in_a_document_is_written_one_way(tmp_path: Path) -> None:
    """The 告知书 said 法定幅度 50,000元以下 beside a quoted rationale of 可处5万元 … 建议罚款65000元."""
    text = notice_text("JC-07-01", tmp_path)
    assert "建议罚款65,000元" in text and "拟对你单位作出罚款人民币65,000元" in text
    assert not re.search(r"\d万元|\d{4,}元", text), re.findall(r"[\d,]+万?元", text)


def test_no_line_of_a_document_starts_with_closing_punctuation(tmp_path: Path) -> None:
    """A line began "：厂区…": the wrapping kept Japanese closing marks off line starts, not ，：；."""
    starts = set()
    for length in range(8, 40):  # descriptions of every length put each mark at some line's start
        text = notice_text("JC-07-01", tmp_path, description="储罐区" + "甲" * length, lines=True)
        starts |= {line.strip()[0] for line in text.splitlines() if line.strip()}
    # ReportLab hangs one mark at a line's end: after "）。" the 。 may still wrap (not checked here).
    assert not starts & set("，：；！？》”"), sorted(starts & set("，：；！？》”"))
