"""The enforcement documents as PDF: 责令限期整改指令书 and, where a fine applies, 行政处罚告知书;
where another authority decides the penalty (公安机关, 消防救援机构…), a 案件移送函 to it instead.

Rendered with reportlab in a CJK TrueType font installed by the project's set-up
(Debian's fonts-wqy-zenhei, or PARKSAFE_PDF_FONT); without one, reportlab's built-in
STSong-Light CID font keeps the text correct for viewers that have it.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import textsplit
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus import paragraph as reportlab_paragraph

from regulations.penalty import yuan
from regulations.penalty_basis import EMERGENCY_AUTHORITY
from rules.park_time import BEIJING

DRAFT_MARK = "（草稿：系统依据检查记录生成，须经法制审核、负责人签发后方可送达）"

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@cache
def cjk_font() -> str:
    configured = os.environ.get("PARKSAFE_PDF_FONT")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).is_file():
            pdfmetrics.registerFont(TTFont("ParkSafeCJK", candidate, subfontIndex=0))
            return "ParkSafeCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


MISSING_GLYPH = "□"  # shown where the font has no glyph: a visible gap, never a silently shorter text


def printable(text: str, font: str) -> str:
    """``text`` as Paragraph markup that prints exactly as typed.

    Paragraph reads its text as markup: an inspector's ``<`` was a 500 and ``<font size=40>`` restyled
    the notice, so every fact is escaped. Characters the embedded font lacks (CJK Extension B names,
    emoji) would vanish from a legal document without trace; they print as □.
    """
    face = getattr(pdfmetrics.getFont(font), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    if glyphs is not None:
        text = "".join(ch if ord(ch) in glyphs or ch in "\n\t" else MISSING_GLYPH for ch in text)
    return escape(text)


@dataclass(frozen=True)
class NoticeFacts:
    number: str
    enterprise: str
    description: str
    location: str
    observed_at: datetime
    deadline: datetime | None
    authority: str
    draft: dict[str, Any]
    issued_on: datetime
    rectified_on_the_spot: bool = False  # 即查即改: fixed during the inspection, no deadline to set
    order_only: bool = False  # for the enterprise: the order, not the park's penalty work before legal review


def _date(value: datetime | None) -> str:
    if value is None:
        return "____年__月__日"
    local = value.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日"


def _deadline(value: datetime | None) -> str:
    """The day and the minute: escalation runs at the minute, and "20日前" alone reads as all of the 20th."""
    if value is None:
        return _date(value)
    local = value.astimezone(BEIJING)
    return f"{_date(value)}{local.hour:02d}时{local.minute:02d}分"


def _order(facts: NoticeFacts, basis: str, decides: str) -> str:
    # Where another authority decides (消防法第七十条: 消防救援机构), its article is not the park's
    # to invoke: the order names the referral instead.
    grounds = f"依据{basis}的规定，" if decides == EMERGENCY_AUTHORITY else f"该问题已移送{decides}依法处理。"
    if facts.rectified_on_the_spot and facts.deadline is None:
        return (
            f"{grounds}检查时你单位已当场整改完毕（即查即改），请举一反三，全面排查同类问题，防止再次发生。"
        )
    return (
        f"{grounds}现责令你单位于{_deadline(facts.deadline)}前整改完毕，达到有关法律法规规章和标准规定的要求。"
        "由此产生的一切后果由你单位承担。整改期间，你单位应当采取措施，确保安全生产。"
    )


def _range(low: int | None, high: int | None) -> str:
    """A fine's range as the law words it: 五万元以下 has no floor, so no "0元至"."""
    return f"{yuan(low)}以上{yuan(high)}以下" if low else f"{yuan(high)}以下"


def _as_markup(facts: NoticeFacts, font: str) -> NoticeFacts:
    """Every text of the facts, the draft's included, escaped for Paragraph."""
    draft = {
        key: printable(value, font)
        if isinstance(value, str)
        else [printable(v, font) if isinstance(v, str) else v for v in value]
        if isinstance(value, list)
        else value
        for key, value in facts.draft.items()
    }
    return replace(
        facts,
        number=printable(facts.number, font),
        enterprise=printable(facts.enterprise, font),
        description=printable(facts.description, font),
        location=printable(facts.location, font),
        authority=printable(facts.authority, font),
        draft=draft,
    )


# Chinese closing punctuation never starts a line (GB/T 15834: 点号不出现在一行之首). ReportLab's CJK
# wrapping knows Japanese closing marks (、。」）) but not ，：；！？》”’, so a line began "：厂区…".
CLOSING_MARKS = "，：；！？》”’〉"


@cache
def _closing_marks_stay_on_their_line() -> None:
    missing = "".join(mark for mark in CLOSING_MARKS if mark not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += missing
    reportlab_paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START  # its own copy of the name


def render_notice(facts: NoticeFacts) -> bytes:
    _closing_marks_stay_on_their_line()
    font = cjk_font()
    facts = _as_markup(facts, font)
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=6)
    subtitle = ParagraphStyle(
        "subtitle", fontName=font, fontSize=11, leading=18, alignment=TA_CENTER, spaceAfter=14
    )
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=22, firstLineIndent=24, wordWrap="CJK")
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0)
    right = ParagraphStyle("right", parent=plain, alignment=TA_RIGHT)
    draft = facts.draft
    violated = "、".join(draft.get("violated") or []) or "有关安全生产法律法规"
    basis = draft.get("penalty_basis", "")
    decides = draft.get("authority") or EMERGENCY_AUTHORITY

    def signature() -> list[Any]:
        """Both documents end with the issuing authority, its seal and the date (fresh flowables each)."""
        return [
            Spacer(1, 18 * mm),
            Paragraph(facts.authority, right),
            Paragraph("（印章）", right),
            Paragraph(_date(facts.issued_on), right),
        ]

    def heading(name: str, series: str, addressee: str | None = None) -> list[Any]:
        """Each document opens with its name, its number in the series, and the addressee."""
        return [
            Paragraph(name, title),
            Paragraph(
                f"（园安）{series}〔{facts.issued_on.astimezone(BEIJING).year}〕{facts.number}号", subtitle
            ),
            # Drafted by software from the finding: nobody may take it for a served document.
            Paragraph(DRAFT_MARK, subtitle),
            Paragraph(f"{addressee or facts.enterprise}：", plain),
        ]

    story: list[Any] = [
        *heading("责令限期整改指令书", "责改"),
        Paragraph(
            f"经查，你单位存在下列问题：{facts.description}（发现时间：{_date(facts.observed_at)}；"
            f"地点：{facts.location or '现场'}）。",
            body,
        ),
        Paragraph(f"以上行为违反了{violated}的规定。", body),
        Paragraph(_order(facts, basis, decides), body),
        Paragraph(
            "如果不服本指令，可以依法在六十日内申请行政复议，或者在六个月内依法向人民法院提起行政诉讼，"
            "但本指令不停止执行，法律另有规定的除外。",
            body,
        ),
        *signature(),
    ]
    fine = draft.get("suggested_fine_yuan")
    # The enterprise's copy (order_only) is the order alone.
    if not facts.order_only and decides != EMERGENCY_AUTHORITY:
        # Another authority decides the penalty (消防法第七十条, 危化法第一百零四条…): the park refers
        # the case to it rather than announcing a fine in its own name.
        story += [
            PageBreak(),
            *heading("案件移送函", "移送", decides),
            Paragraph(
                f"我单位在检查中发现，{facts.enterprise}存在下列问题：{facts.description}"
                f"（发现时间：{_date(facts.observed_at)}；地点：{facts.location or '现场'}）。"
                f"该行为涉嫌违反{violated}的规定，依据{basis}的规定，应由贵机关依法处理。",
                body,
            ),
            Paragraph("现将该案件移送贵机关，请依法处理，并将处理结果告知我单位。", body),
            Paragraph(f"处理参考：{draft.get('rationale', '')}", body),
            *signature(),
        ]
    elif not facts.order_only and fine:
        low, high = draft.get("fine_range_yuan") or [None, None]
        story += [
            PageBreak(),
            *heading("行政处罚告知书", "罚告"),
            Paragraph(f"经查，你单位{facts.description}。以上事实违反了{violated}的规定。", body),
            Paragraph(
                f"依据{basis}的规定，本机关拟对你单位作出罚款人民币{yuan(fine)}的行政处罚"
                f"（法定幅度：{_range(low, high)}）。",
                body,
            ),
            Paragraph(f"裁量说明：{draft.get('rationale', '')}", body),
            Paragraph(
                "依据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你单位有权进行陈述和申辩；"
                "符合第六十三条规定情形的，有权要求听证。你单位可在收到本告知书之日起五日内提出，逾期视为放弃上述权利。",
                body,
            ),
            *signature(),
        ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title="责令限期整改指令书",
        author=facts.authority,
    )
    document.build(story)
    return buffer.getvalue()
