"""Drafting a penalty from the matched legal basis (处罚建议), for a park officer to confirm.

duty article → penalty article (valid on the observation date) → the tier that fits the
circumstances (first finding; 逾期未改正/拒不执行) → fine range → a suggested amount placed
in that range by the editable discretion rules, with a written rationale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from regulations.library import FIRE_LAW, Library, PenaltyTier
from regulations.matching import applicable
from rules.checklist_schema import ChecklistItem
from rules.discretion_schema import DiscretionRules
from rules.loader import load_rules

DISCRETION = Path(__file__).resolve().parent.parent / "rules" / "discretion.yaml"
AGGRAVATED = re.compile(r"逾期未改正|拒不|再次|屡")


@cache
def load_discretion(path: Path = DISCRETION) -> DiscretionRules:
    return load_rules(path, DiscretionRules)


@dataclass(frozen=True)
class Circumstances:
    observed: date
    repeated: bool = False
    overdue_or_refused: bool = False
    rectified_promptly: bool = False


def _yuan(amount: int | None) -> str:
    if amount is None:
        return "—"
    return f"{amount // 10000}万元" if amount % 10000 == 0 and amount >= 10000 else f"{amount}元"


def _choose_tier(tiers: tuple[PenaltyTier, ...], aggravated: bool) -> PenaltyTier | None:
    unit_tiers = [t for t in tiers if t.target == "unit"]
    if not unit_tiers:
        return None
    if aggravated:
        heavier = [t for t in unit_tiers if AGGRAVATED.search(t.basis_phrase)]
        if heavier:
            return heavier[0]
    plain = [t for t in unit_tiers if not AGGRAVATED.search(t.basis_phrase)]
    return (plain or unit_tiers)[0]


def _position(rules: DiscretionRules, facts: Circumstances) -> tuple[float, str]:
    if facts.overdue_or_refused:
        return rules.positions.overdue_or_refused, "逾期未改正或拒不执行，按上限建议"
    if facts.repeated:
        return rules.positions.repeated, "同一问题 90 天内重复发现，从重考虑"
    if facts.rectified_promptly:
        return rules.positions.first_offence_rectified, "首次发现且已及时整改，从轻考虑"
    return rules.positions.first_offence, "首次发现"


def draft_penalty(
    item: ChecklistItem, library: Library, facts: Circumstances, rules: DiscretionRules | None = None
) -> dict[str, Any] | None:
    """The contract's ``penalty_draft``, or None where no penalty article applies."""
    rules = rules or load_discretion()
    duties = applicable(item.duty, library, facts.observed)
    penalties = applicable(item.penalty, library, facts.observed)
    if not penalties:
        return None
    basis = penalties[0]
    article = library.article(basis.law, basis.article)
    if article is None:
        return None
    tier = _choose_tier(article.tiers, facts.overdue_or_refused)
    measures = ["责令限期改正"] + [
        m for m in re.split(r"[；;]", article.penalty_other) if m and "追究刑事责任" not in m
    ]
    authority = "消防救援机构" if basis.law == FIRE_LAW else "应急管理部门"
    violated = [library.cite(d.law, d.article, d.item) for d in duties]
    penalty_citation = library.cite(basis.law, basis.article, basis.item)
    if tier is None or tier.max_yuan is None:
        return {
            "violated": violated,
            "penalty_basis": penalty_citation,
            "fine_range_yuan": None,
            "suggested_fine_yuan": None,
            "measures": list(dict.fromkeys(measures)),
            "authority": authority,
            "rationale": f"依据{penalty_citation}，责令限期改正；该条款未规定对单位的罚款数额。",
        }
    low, high = tier.min_yuan or 0, tier.max_yuan
    position, reason = _position(rules, facts)
    suggested = low + (high - low) * position
    suggested = int(round(suggested / rules.round_to_yuan) * rules.round_to_yuan)
    suggested = min(max(suggested, low), high)
    rationale = (
        f"该隐患违反{'、'.join(violated) or '相关规定'}。依据{penalty_citation}"
        f"（“{tier.basis_phrase}”），对单位可处{_yuan(tier.min_yuan) if tier.min_yuan else ''}"
        f"{'以上' if tier.min_yuan else ''}{_yuan(high)}以下罚款。{reason}，建议罚款{_yuan(suggested)}。"
    )
    if authority == "消防救援机构":
        rationale += (
            "消防违法行为由消防救援机构依法处罚（《中华人民共和国消防法》第七十条），本建议移送消防救援机构。"
        )
    rationale += "本建议仅供执法人员参考，须经法制审核后决定。"
    return {
        "violated": violated,
        "penalty_basis": penalty_citation,
        "fine_range_yuan": [low, high],
        "suggested_fine_yuan": suggested,
        "measures": list(dict.fromkeys(measures)),
        "authority": authority,
        "tier": tier.basis_phrase,
        "rationale": rationale,
    }
