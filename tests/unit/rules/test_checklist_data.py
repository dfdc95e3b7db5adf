"""Consistency of the 隐患排查依据库 data (rules/checklist/*.yaml) and the matcher devset.

Legal references are checked against the verbatim law texts in regulations.json: the shared reference
copy (../shared/reference/regulations.json next to the repository) or, failing that, the copy shipped
in regulations/data/regulations.json.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from rules.checklist_schema import ChecklistFile, ChecklistItem, LawReference

# The 20 items of the 判定标准, numbered as in regulations.json.
CRITERIA: tuple[str, ...] = (
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
)
CRITERIA_LAW = "化工重大隐患判定标准"


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "rules").is_dir():
            return parent
    raise RuntimeError(f"repository root not found above {here}")


ROOT = _repo_root()
CHECKLIST_DIR = ROOT / "rules" / "checklist"
DEVSET = ROOT / "regulations" / "devset.yaml"


class DevCase(msgspec.Struct, forbid_unknown_fields=True):
    text: str
    checklist: list[str]
    citations: list[str] = []
    major: str | None = None


class DevSet(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    cases: list[DevCase]


@cache
def checklist_files() -> dict[str, ChecklistFile]:
    files = sorted(CHECKLIST_DIR.glob("*.yaml"))
    assert files, f"no checklist files in {CHECKLIST_DIR}"
    return {
        path.name: msgspec.convert(
            yaml.safe_load(path.read_text(encoding="utf-8")), ChecklistFile, strict=True
        )
        for path in files
    }


def all_items() -> list[ChecklistItem]:
    return [item for file in checklist_files().values() for item in file.items]


@cache
def devset() -> DevSet:
    return msgspec.convert(yaml.safe_load(DEVSET.read_text(encoding="utf-8")), DevSet, strict=True)


def _regulations_path() -> Path | None:
    for candidate in (
        ROOT.parent / "shared" / "reference" / "regulations.json",
        ROOT / "regulations" / "data" / "regulations.json",
    ):
        if candidate.is_file():
            return candidate
    return None


@cache
def _load_regulations(path: Path) -> dict[str, dict[str, Any]]:
    documents: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return {doc["short_name"]: doc for doc in documents}


@pytest.fixture
def regulations() -> dict[str, dict[str, Any]]:
    path = _regulations_path()
    if path is None:
        pytest.skip(
            "regulations.json not found (neither ../shared/reference/regulations.json next to the "
            "repository nor regulations/data/regulations.json): legal references cannot be checked"
        )
    return _load_regulations(path)


def _article_text(regulations: dict[str, dict[str, Any]], law: str, article: str) -> str | None:
    doc = regulations.get(law)
    if doc is None:
        return None
    for entry in doc["articles"]:
        if entry["number"] == article:
            return str(entry["text"])
    return None


def _has_item(text: str, item: str) -> bool:
    # Enumerations are （一） in most texts; the 2013 危化品条例 copies keep half-width (一).
    return f"（{item}）" in text or f"({item})" in text


# ---------------------------------------------------------------- checklist structure


def test_checklist_has_enough_items() -> None:
    assert len(all_items()) >= 150


def test_categories_are_13_basic_and_11_site() -> None:
    categories = [category for file in checklist_files().values() for category in file.categories]
    codes = [category.code for category in categories]
    assert len(codes) == len(set(codes)), "duplicate category codes"
    basic = sorted(c.code for c in categories if c.kind == "basic")
    site = sorted(c.code for c in categories if c.kind == "site")
    assert basic == [f"JC-{n:02d}" for n in range(1, 14)]
    assert site == [f"XC-{n:02d}" for n in range(1, 12)]


def test_item_codes_are_unique() -> None:
    duplicates = [code for code, count in Counter(item.code for item in all_items()).items() if count > 1]
    assert not duplicates, f"duplicate item codes: {duplicates}"


def test_items_belong_to_existing_categories() -> None:
    categories = {category.code for file in checklist_files().values() for category in file.categories}
    for item in all_items():
        assert item.category in categories, f"{item.code}: unknown category {item.category}"
        assert item.code.startswith(item.category + "-"), f"{item.code} is not under {item.category}"


def test_items_have_4_to_12_phrasings() -> None:
    for item in all_items():
        assert 4 <= len(item.phrasings) <= 12, f"{item.code}: {len(item.phrasings)} phrasings"
        assert len(set(item.phrasings)) == len(item.phrasings), f"{item.code}: repeated phrasing"


def test_major_criteria_each_covered_by_exactly_one_major_item() -> None:
    majors = [item for item in all_items() if item.level == "major"]
    for item in majors:
        assert item.major_criterion is not None, f"{item.code}: major item without major_criterion"
        criterion_ref = LawReference(law=CRITERIA_LAW, article=item.major_criterion)
        assert criterion_ref in item.duty, (
            f"{item.code}: no duty reference to criterion {item.major_criterion}"
        )
    for item in all_items():
        if item.major_criterion is not None:
            assert item.level == "major", f"{item.code}: major_criterion on a general item"
    counts = Counter(item.major_criterion for item in majors)
    assert sorted(counts, key=CRITERIA.index) == list(CRITERIA)
    assert all(count == 1 for count in counts.values()), counts


def test_ppe_items_carry_detector_hazard_codes() -> None:
    by_code: dict[str, list[ChecklistItem]] = {}
    for item in all_items():
        for hazard_code in item.hazard_codes:
            by_code.setdefault(hazard_code, []).append(item)
    no_helmet = by_code.get("no_helmet", [])
    assert len(no_helmet) == 1, "exactly one item must carry the detector class no_helmet"
    assert "未按规定佩戴安全帽" in no_helmet[0].title
    no_wear = by_code.get("no_wear", [])
    assert len(no_wear) == 1, "exactly one item must carry the detector class no_wear"
    assert "工作服" in no_wear[0].title


def test_items_cite_a_legal_basis() -> None:
    bare = [item.code for item in all_items() if not item.duty and not item.penalty]
    assert not bare, f"items without any duty or penalty reference: {bare}"


def test_date_bound_references_are_consistent() -> None:
    for item in all_items():
        for ref in [*item.duty, *item.penalty]:
            if ref.valid_from and ref.valid_until:
                assert ref.valid_from <= ref.valid_until, f"{item.code}: {ref}"
            if ref.law == "危化品条例":
                assert ref.valid_until is not None, f"{item.code}: 危化品条例 reference without valid_until"
            if ref.law == "危险化学品安全法":
                assert ref.valid_from is not None, (
                    f"{item.code}: 危险化学品安全法 reference without valid_from"
                )


# ---------------------------------------------------------------- legal references


def test_references_exist_in_regulations(regulations: dict[str, dict[str, Any]]) -> None:
    problems: list[str] = []
    for item in all_items():
        for ref in [*item.duty, *item.penalty]:
            if ref.law not in regulations:
                problems.append(f"{item.code}: unknown law {ref.law!r}")
                continue
            text = _article_text(regulations, ref.law, ref.article)
            if text is None:
                problems.append(f"{item.code}: {ref.law} has no article {ref.article!r}")
            elif ref.item is not None and not _has_item(text, ref.item):
                problems.append(f"{item.code}: {ref.law}{ref.article} has no item （{ref.item}）")
    assert not problems, "\n".join(problems)


def test_criteria_exist_in_regulations(regulations: dict[str, dict[str, Any]]) -> None:
    numbers = [entry["number"] for entry in regulations[CRITERIA_LAW]["articles"]]
    assert numbers == list(CRITERIA)


# ---------------------------------------------------------------- devset


def test_devset_size_and_codes() -> None:
    cases = devset().cases
    assert devset().version == 1
    assert len(cases) >= 120
    assert len({case.text for case in cases}) == len(cases), "duplicate devset texts"
    known = {item.code for item in all_items()}
    for case in cases:
        assert case.checklist, f"{case.text}: no acceptable checklist item"
        unknown = [code for code in case.checklist if code not in known]
        assert not unknown, f"{case.text}: unknown checklist codes {unknown}"


def test_devset_covers_every_major_criterion_twice_and_has_non_major_cases() -> None:
    cases = devset().cases
    counts = Counter(case.major for case in cases if case.major is not None)
    assert set(counts) <= set(CRITERIA), set(counts) - set(CRITERIA)
    missing = {criterion: counts[criterion] for criterion in CRITERIA if counts[criterion] < 2}
    assert not missing, f"criteria covered fewer than 2 times: {missing}"
    assert sum(1 for case in cases if case.major is None) >= 25


def test_devset_major_labels_agree_with_checklist() -> None:
    items = {item.code: item for item in all_items()}
    for case in devset().cases:
        criteria = {items[code].major_criterion for code in case.checklist}
        if case.major is None:
            assert criteria == {None}, f"{case.text}: non-major case lists a major item"
        else:
            assert case.major in criteria, f"{case.text}: no listed item for criterion {case.major}"


def test_devset_texts_are_not_item_phrasings() -> None:
    phrasings = {phrasing for item in all_items() for phrasing in item.phrasings}
    copied = [case.text for case in devset().cases if case.text in phrasings]
    assert not copied, f"devset cases copied from item phrasings: {copied}"


_CITATION = re.compile(
    r"^《(?P<title>[^》]+)》(?:（(?P<standard>[^）]+)）)?"
    r"(?:第(?P<article>[一二三四五六七八九十百零]+条|[0-9.]+条|[一二三四五六七八九十]+项))"
    r"(?:第（(?P<item>[一二三四五六七八九十]+)）项)?$"
)


def test_devset_citations_name_existing_articles(regulations: dict[str, dict[str, Any]]) -> None:
    titles: dict[str, str] = {}
    for short_name, doc in regulations.items():
        title = str(doc["title"])
        titles[title] = short_name
        titles[re.sub(r"（[^（）]*）$", "", title)] = short_name
    problems: list[str] = []
    for case in devset().cases:
        for citation in case.citations:
            match = _CITATION.match(citation)
            if match is None:
                problems.append(f"malformed citation {citation!r}")
                continue
            law = titles.get(match["title"])
            if law is None:
                problems.append(f"{citation!r}: unknown document")
                continue
            article = match["article"]
            if law == CRITERIA_LAW:
                article = article.removesuffix("项")
            elif re.match(r"^[0-9.]+条$", article):
                article = article.removesuffix("条")
            else:
                article = "第" + article
            text = _article_text(regulations, law, article)
            if text is None:
                problems.append(f"{citation!r}: {law} has no article {article}")
            elif match["item"] and not _has_item(text, match["item"]):
                problems.append(f"{citation!r}: no item （{match['item']}）")
    assert not problems, "\n".join(problems)
