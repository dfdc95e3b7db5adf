"""Drafting a penalty from the matched legal basis (处罚建议), for a park officer to confirm.

duty article → penalty article an authority sanctions under (valid on the observation date; its
款 where the item names one) → the tier that fits the circumstances (first finding; 逾期不改正/拒不
执行) → fine range → a suggested amount placed in that range by the editable discretion rules, with
a written rationale and the authority that decides (regulations/penalty_basis.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from regulations.library import CRITERIA, Library, PenaltyTier
from regulations.matching import applicable
from regulations.penalty_basis import (
    EMERGENCY_AUTHORITY,
    authority_of,
    choose_basis,
    choose_tier,
)
from regulations.penalty_measures import measures_of, orders_correction
from rules.checklist_schema import ChecklistItem
from rules.discretion_schema import DiscretionRules
from rules.loader import load_rules

DISCRETION = Path(__file__).resolve().parent.parent / "rules" / "discretion.yaml"


@cache
def load_discretion(path: Path = DISCRETION) -> DiscretionRules:
    return load_rules(path, DiscretionRules)


@dataclass(frozen=True)
class Circumstances:
    observed: date
    repeated: bool = False
    repeat_window_days: int = 90  # rules/escalation.yaml repeated.window_days
    overdue_or_refused: bool = False
    rectified_promptly: bool = False
    description: str = ""  # the inspector's words: which 项 of an article the conduct is
    graded_general: bool = False  # the park graded it 一般 against the item's major criterion


def yuan(amount: int | None) -> str:
    """An amount as every document writes it, 15,000元 (one form: the 告知书 quotes the rationale)."""
    return "—" if amount is None else f"{amount:,}元"


def _position(rules: DiscretionRules, facts: Circumstances) -> tuple[float, str]:
    if facts.overdue_or_refused:
        return rules.positions.overdue_or_refused, "逾期未改正或拒不执行，按上限建议"
    if facts.repeated:
        return rules.positions.repeated, f"同一问题{facts.repeat_window_days}天内整改后再次发现，从重考虑"
    if facts.rectified_promptly:
        return rules.positions.first_offence_rectified, "首次发现且已及时整改，从轻考虑"
    return rules.positions.first_offence, "首次发现"


REVIEW_NOTE = "本建议仅供执法人员参考，须经法制审核后决定。"
# "行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为" (第二十八条第一款)
CORRECTION_ORDER = "《中华人民共和国行政处罚法》第二十八条"
# Duties the law lays on 从业人员, not on the unit (安全生产法第五十七条: 正确佩戴和使用劳动防护用品).
# The checklist cites them for the inspector; a notice to the unit does not accuse it of them.
EMPLOYEE_DUTIES = frozenset(
    {("安全生产法", "第五十七条"), ("安全生产法", "第五十八条"), ("安全生产法", "第五十九条")}
)


def _offender(tiers: tuple[PenaltyTier, ...], unit_tier: PenaltyTier | None) -> str | None:
    """Who the 款's fines fall on where it fines only persons it does not name (违法行为人)."""
    if unit_tier is None and tiers and all(tier.target == "person" for tier in tiers):
        return "违法行为人"
    return None


def draft_penalty(
    item: ChecklistItem, library: Library, facts: Circumstances, rules: DiscretionRules | None = None
) -> dict[str, Any] | None:
    """The contract's ``penalty_draft``, or None where no article an authority sanctions under applies."""
    rules = rules or load_discretion()
    basis = choose_basis(item.penalty, library, facts.observed, facts.description)
    if basis is None:
        return None
    tier = choose_tier(basis.tiers, "unit", facts.overdue_or_refused)
    authority = authority_of(basis, tier)
    duties = applicable(item.duty, library, facts.observed)
    # The 判定标准 says which hazards are major; it is not a duty an enterprise breaks.
    violated = [
        library.cite_reference(d)
        for d in duties
        if d.law != CRITERIA and (d.law, d.article) not in EMPLOYEE_DUTIES
    ]
    major = "、".join(library.cite_reference(d) for d in duties if d.law == CRITERIA)
    classed = f"该隐患属于{major}规定的重大事故隐患。" if major and not facts.graded_general else ""
    broken = f"该隐患违反{'、'.join(violated)}。" if violated else ""
    penalty_citation = library.cite_reference(basis.reference)
    draft: dict[str, Any] = {
        "violated": violated,
        "penalty_basis": penalty_citation,
        "fine_range_yuan": None,
        "suggested_fine_yuan": None,
        "measures": measures_of(basis.sanctioning, facts.overdue_or_refused, _offender(basis.tiers, tier)),
        "authority": authority,
        # For the officials, not for the enterprise's notice: kept out of ``rationale``, which the
        # 行政处罚告知书 quotes as its 裁量说明.
        "review_note": REVIEW_NOTE,
    }
    referral = _referral(authority)
    if tier is None or tier.max_yuan is None:
        later = "" if facts.overdue_or_refused else _fine_only_when_overdue(basis.tiers)
        # 消防法第六十三条 punishes the person and orders nothing: the order to fix rests on 行政处罚法第二十八条
        order = (
            f"依据{penalty_citation}，责令限期改正；"
            if orders_correction(basis.sanctioning)
            else f"{penalty_citation}未规定责令改正，依据{CORRECTION_ORDER}责令限期改正；"
        )
        draft["rationale"] = f"{classed}{order}{later or _no_unit_fine(basis.sanctioning)}{referral}"
        return draft
    low, high = tier.min_yuan or 0, tier.max_yuan
    position, reason = _position(rules, facts)
    suggested = low + (high - low) * position
    suggested = int(round(suggested / rules.round_to_yuan) * rules.round_to_yuan)
    suggested = min(max(suggested, low), high)
    draft.update(
        fine_range_yuan=[low, high],
        suggested_fine_yuan=suggested,
        tier=tier.basis_phrase,
        rationale=(
            f"{broken}{classed}依据{penalty_citation}"
            f"（“{_quoted(basis.referral, tier)}”），对单位可处{yuan(tier.min_yuan) if tier.min_yuan else ''}"
            f"{'以上' if tier.min_yuan else ''}{yuan(high)}以下罚款。{reason}，建议罚款{yuan(suggested)}。"
            f"{referral}"
        ),
    )
    return draft


def _quoted(referral: str, tier: PenaltyTier) -> str:
    """The tier's words; for a 款 that punishes "依照前款规定", its own words and then 前款's fine."""
    if not referral:
        return tier.basis_phrase
    fine = next((c for c in tier.basis_phrase.split("，") if "罚款" in c), tier.basis_phrase)
    return f"{referral}”；前款：“{fine}"


# A 款 that hands the sanction to another act (第七十七条第一款: "分别依照《安全生产许可证条例》…的规定处罚").
_REFERRED = re.compile(
    r"依照(《[^》]+》(?:、《[^》]+》)*|有关[^，。；]*?法律、行政法规)的规定((?:处理、)?处罚)"
)


def _no_unit_fine(paragraph: str) -> str:
    referred = _REFERRED.search(paragraph)
    if referred is None:
        return "该条款未规定对单位的罚款数额。"
    return f"该款规定依照{referred.group(1)}的规定{referred.group(2)}，罚款数额依其确定（其条文未收入本库）。"


def _fine_only_when_overdue(tiers: tuple[PenaltyTier, ...]) -> str:
    later = choose_tier(tiers, "unit", aggravated=True)
    if later is None or later.max_yuan is None:
        return ""
    return f"该条款仅对逾期不改正的情形规定罚款（“{later.basis_phrase}”），首次发现不予罚款。"


def _referral(authority: str) -> str:
    if authority == "消防救援机构":
        return (
            "消防违法行为由消防救援机构依法处罚（《中华人民共和国消防法》第七十条），本建议移送消防救援机构。"
        )
    if authority != EMERGENCY_AUTHORITY:
        return f"该违法行为由{authority}依法处罚，本建议移送{authority}。"
    return ""
