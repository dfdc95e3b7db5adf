"""Loading the checklist library from rules/checklist/*.yaml, with cross-checks that name the line."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from regulations.library import Library, load_library
from rules.checklist_schema import Category, ChecklistFile, ChecklistItem, LawReference
from rules.loader import RulesFileError, load_rules

CHECKLIST_DIR = Path(__file__).parent / "checklist"


@dataclass(frozen=True)
class Checklist:
    categories: dict[str, Category]
    items: dict[str, ChecklistItem]

    def major_items(self) -> list[ChecklistItem]:
        return [item for item in self.items.values() if item.major_criterion]

    def by_hazard_code(self, code: str) -> list[ChecklistItem]:
        return [item for item in self.items.values() if code in item.hazard_codes]


def _line_of(path: Path, needle: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return None


def _check_reference(path: Path, item: ChecklistItem, reference: LawReference, library: Library) -> None:
    article = library.article(reference.law, reference.article)
    if article is None:
        raise RulesFileError(
            f"{path}:{_line_of(path, reference.article) or _line_of(path, item.code)}: "
            f"检查项 {item.code} 引用了法规库中不存在的条文 / unknown article: {reference.law} {reference.article}"
        )


def load_checklist(folder: Path = CHECKLIST_DIR, library: Library | None = None) -> Checklist:
    library = library or load_library()
    categories: dict[str, Category] = {}
    items: dict[str, ChecklistItem] = {}
    sources: dict[str, Path] = {}
    files = sorted(folder.glob("*.yaml"))
    for path in files:
        data = load_rules(path, ChecklistFile)
        for category in data.categories:
            if category.code in categories:
                raise RulesFileError(
                    f"{path}:{_line_of(path, category.code)}: 类别编码重复 / duplicate category {category.code}"
                )
            categories[category.code] = category
        for item in data.items:
            if item.code in items:
                raise RulesFileError(
                    f"{path}:{_line_of(path, item.code)}: 检查项编码重复 / duplicate item {item.code}"
                )
            items[item.code] = item
            sources[item.code] = path
    for code, item in items.items():
        path = sources[code]
        if item.category not in categories or not code.startswith(item.category):
            raise RulesFileError(
                f"{path}:{_line_of(path, code)}: 检查项 {code} 的类别无效 / bad category {item.category}"
            )
        for reference in (*item.duty, *item.penalty):
            _check_reference(path, item, reference, library)
        if item.stands_in_for is not None:
            replaced = items.get(item.stands_in_for)
            if replaced is None or not replaced.major_hazard_sources_only:
                raise RulesFileError(
                    f"{path}:{_line_of(path, f'stands_in_for: {item.stands_in_for}') or _line_of(path, code)}: "
                    f"检查项 {code} 的 stands_in_for 应为仅适用于重大危险源企业的检查项 / stands_in_for must name "
                    f"a major_hazard_sources_only item: {item.stands_in_for}"
                )
    return Checklist(categories, items)


@cache
def default_checklist() -> Checklist:
    return load_checklist()
