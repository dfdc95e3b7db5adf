"""The measures a penalty 款 imposes besides the unit's fine, in its own words.

A 款 reads: condition, order to rectify, fine; then, after "；", what 逾期未改正 / 拒不执行 adds,
and what an accident or a crime adds. A first finding takes the first sentence; an overdue or
refused one adds the sentence of 逾期/拒不. Conditions (…的), the unit's fine (it is the draft's
range) and the accident and crime sentences are left out.
"""

from __future__ import annotations

import re

from regulations.penalty_basis import AGGRAVATED

_CLAUSE = re.compile(r"[，,]")
_LEAD_IN = re.compile(r"^(?:并|分别|可以并|并可以)*(?:由[^，]*?(?=责令|没收|吊销|暂扣|给予))?")
_PERSON_SUBJECT = re.compile(r"^生产经营单位的(主要负责人|其他负责人和安全生产管理人员)")
_ON_THE_UNIT = ("对生产经营单位", "对单位")


def _sentences(paragraph: str) -> list[str]:
    first_line = paragraph.split("\n", maxsplit=1)[0].rstrip("：:。")
    return [sentence for sentence in first_line.split("；") if sentence]


def _measures(sentence: str, person: str | None) -> tuple[list[str], list[str]]:
    """(orders and sanctions, fines on persons) of one sentence."""
    orders, fines = [], []
    clauses = _CLAUSE.split(sentence)
    # The condition runs to its first "…的" (违反本法规定，化工企业未取得…，使用…从事生产的).
    condition_ends = next((i for i, clause in enumerate(clauses) if clause.strip().endswith("的")), 0)
    for raw in clauses[condition_ends + 1 :]:
        clause = _LEAD_IN.sub("", raw.strip())
        if not clause or clause.endswith("的") or clause.startswith(("构成犯罪", "依照刑法")):
            continue
        if "罚款" not in clause:
            orders.append(clause)
        elif "对" in clause and not any(unit in clause for unit in _ON_THE_UNIT):
            fines.append(clause[clause.index("对") :])
        elif person is not None:  # a 款 about the principal: its fine is the principal's
            fines.append(f"对{person}{clause}")
    return orders, fines


_SERIOUS = "情节严重的，"


def _on_offender(sentence: str, offender: str) -> str:
    """情节严重的，处五日以下拘留 → 情节严重的，对违法行为人处五日以下拘留（拘留由公安机关决定）."""
    sanction = sentence.removeprefix(_SERIOUS)
    # 行政拘留 is decided by the police under 治安管理处罚法 (消防法第七十条 keeps it from the others).
    police = "（拘留由公安机关决定）" if "拘留" in sanction else ""
    return f"{_SERIOUS}对{offender}{sanction}{police}"


def _orders_fix(orders: list[str]) -> bool:
    return any("改正" in order or "消除" in order for order in orders)


def orders_correction(paragraph: str) -> bool:
    """Whether the 款 itself orders the fix (责令改正, 责令限期改正, 责令…消除)."""
    sentences = _sentences(paragraph)
    return bool(sentences) and _orders_fix(_measures(sentences[0], None)[0])


def measures_of(paragraph: str, aggravated: bool, offender: str | None = None) -> list[str]:
    """The order to rectify, then what the 款 adds for these circumstances, in its words.

    ``offender``: who a fine the 款 names no one for falls on, where that is not the unit
    (消防法第六十三条 fines whoever smoked: 违法行为人); then what 情节严重 adds for them is kept too."""
    sentences = _sentences(paragraph)
    if not sentences:
        return ["责令限期改正"]
    subject = _PERSON_SUBJECT.match(sentences[0])
    person = subject.group(1) if subject else offender
    orders, fines = _measures(sentences[0], person)
    if offender is not None:
        fines += [_on_offender(s, offender) for s in sentences[1:] if s.startswith(_SERIOUS)]
    if aggravated:
        heavier = next((s for s in sentences[1:] if AGGRAVATED.search(s.split("，")[0])), None)
        if heavier is not None:
            more_orders, more_fines = _measures(heavier, person)
            orders += more_orders
            fines = more_fines or fines
    if not _orders_fix(orders):
        orders.insert(0, "责令限期改正")
    return list(dict.fromkeys([*orders, *fines]))
