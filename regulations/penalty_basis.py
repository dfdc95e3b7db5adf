"""Reading a penalty article as an officer does: which article of an item's list applies, which
款 and tier fit the circumstances, and which authority decides (the measures: penalty_measures.py).

The tiers are those regulations.json extracted from the verbatim text (``PenaltyTier``); this
module only locates them in the text, so nothing here restates a law.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from regulations.library import FIRE_LAW, Article, Library, PenaltyTier
from regulations.matching import applicable
from rules.checklist_schema import LawReference

# 逾期未改正 (安全生产法) and 逾期不改正 (危险化学品安全法, 消防法, 条例) are the same circumstance.
AGGRAVATED = re.compile(r"逾期(?:未|不)改正|拒不|再次|屡")
# 安全生产法第一百零七条: the enterprise disciplines its own staff; no authority sanctions under it.
ENTERPRISE_OWN = "由生产经营单位给予"
# 安全生产法第一百条 only refers on ("依照有关危险物品安全管理的法律、行政法规的规定予以处罚").
REFERS_ON = re.compile(r"依照有关[^。；]*的规定予以处罚")
_ITEM_LINE = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_NUMERALS = "一二三四五六七八九"
_AGENCY = re.compile(r"由([^，。；]{2,40}?)(?:责令|依照|没收|处|按照|给予|予以)")
EMERGENCY_AUTHORITY = "应急管理部门"


@dataclass(frozen=True)
class PenaltyBasis:
    reference: LawReference
    article: Article
    paragraph: str  # the 款 the reference points to (by 款, else by 项, else that of the first unit fine)
    tiers: tuple[PenaltyTier, ...]  # the tiers that 款 punishes with (its own, or those of 前款)
    referral: str = ""  # the 款's own words where it punishes "依照前款规定" (and the tiers are 前款's)
    source: str = ""  # for such a 款, 前款: the text whose words set the sanctions

    @property
    def sanctioning(self) -> str:
        """The 款 whose words set the sanctions: this one, or 前款 for a referral."""
        return self.source or self.paragraph


def paragraphs(text: str) -> list[str]:
    """The article's 款: its lines, with each 项 line kept with the 款 that lists it."""
    found: list[str] = []
    for line in text.split("\n"):
        if found and _ITEM_LINE.match(line.strip()):
            found[-1] += "\n" + line
        elif line.strip():
            found.append(line)
    return found


def _tiers_of(article: Article, text: str) -> tuple[PenaltyTier, ...]:
    return tuple(tier for tier in article.tiers if tier.basis_phrase in text)


def _paragraph_index(reference: LawReference, found: list[str]) -> int | None:
    if reference.paragraph:
        number = _NUMERALS.index(reference.paragraph) + 1 if reference.paragraph in _NUMERALS else 1
        return min(number, len(found)) - 1
    if reference.item:
        for index, text in enumerate(found):
            if f"（{reference.item}）" in text or f"({reference.item})" in text:
                return index
    return None


def basis_of(reference: LawReference, article: Article) -> PenaltyBasis:
    """The 款 a reference names (or lists its 项) and its tiers; a 款 that punishes "依照前款规定"
    takes 前款's tiers."""
    found = paragraphs(article.text) or [article.text]
    index = _paragraph_index(reference, found)
    if index is None:  # the whole article: read as the 款 of its first unit fine
        fining = next((t for t in article.tiers if t.target == "unit"), None)
        paragraph = next((text for text in found if fining and fining.basis_phrase in text), found[0])
        return PenaltyBasis(reference, article, paragraph, article.tiers)
    paragraph = found[index]
    tiers = _tiers_of(article, paragraph)
    if tiers or index == 0:
        return PenaltyBasis(reference, article, paragraph, tiers)
    source = found[0 if "本条第一款" in paragraph else index - 1]
    referral = re.split(r"[，,]", paragraph.rstrip("。"))[-1]
    return PenaltyBasis(reference, article, paragraph, _tiers_of(article, source), referral, source)


def sanctions(article: Article) -> bool:
    """Whether an authority can decide anything under this article itself."""
    return ENTERPRISE_OWN not in article.text and not (REFERS_ON.search(article.text) and not article.tiers)


def choose_basis(
    references: list[LawReference], library: Library, observed: date, description: str = ""
) -> PenaltyBasis | None:
    """The first applicable article an authority sanctions under, preferring one with a fine on
    the unit: an item lists the article on the principal's fine (第九十四条) or on the staff
    (第一百零七条) before the one on the unit, and the draft is addressed to the unit.

    A reference with ``when`` words is the conduct those words describe: it is taken where the
    description uses one of them, even where its 款 fines nothing itself (第七十七条第一款 refers an
    unlicensed producer to the 安全生产许可证条例), and passed over otherwise."""
    bases = [
        basis_of(reference, article)
        for reference in applicable(references, library, observed)
        if (article := library.article(reference.law, reference.article)) is not None and sanctions(article)
    ]
    described = [
        b for b in bases if b.reference.when and any(word in description for word in b.reference.when)
    ]
    default = [b for b in bases if not b.reference.when]
    for group in (described, default, bases):
        with_unit_fine = [basis for basis in group if any(tier.target == "unit" for tier in basis.tiers)]
        if with_unit_fine or group:
            return (with_unit_fine or group)[0]
    return None


def choose_tier(tiers: tuple[PenaltyTier, ...], target: str, aggravated: bool) -> PenaltyTier | None:
    """The tier for the circumstances. A first finding never takes a tier that needs 逾期不改正:
    where the article fines only then (消防法第六十六条), there is no fine yet."""
    candidates = [tier for tier in tiers if tier.target == target]
    heavier = [tier for tier in candidates if AGGRAVATED.search(tier.basis_phrase)]
    plain = [tier for tier in candidates if not AGGRAVATED.search(tier.basis_phrase)]
    chosen = (heavier or plain) if aggravated else plain
    return chosen[0] if chosen else None


def authority_of(basis: PenaltyBasis, tier: PenaltyTier | None) -> str:
    """Who decides: the first authority the 款 names before the tier's words; the fire service
    for the 消防法 (its 第七十条), 应急管理部门 (the old 安全生产监督管理部门) otherwise."""
    if basis.reference.law == FIRE_LAW:
        return "消防救援机构"
    text = basis.paragraph
    if tier is not None and tier.basis_phrase in text:
        text = text[: text.index(tier.basis_phrase) + len(tier.basis_phrase)]
    named = _AGENCY.search(text)
    agency = named.group(1) if named else ""
    for authority in ("公安机关", "交通运输主管部门"):
        if agency.startswith(authority) or agency.startswith(f"所在地县级人民政府{authority}"):
            return authority
    return EMERGENCY_AUTHORITY
