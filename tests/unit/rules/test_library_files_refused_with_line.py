"""A malformed library file stops the start with the file and line to fix."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rules.checklist_loader import CHECKLIST_DIR, load_checklist
from rules.loader import RulesFileError


def copy_of_library(tmp_path: Path) -> Path:
    folder = tmp_path / "checklist"
    shutil.copytree(CHECKLIST_DIR, folder)
    return folder


def line_containing(path: Path, needle: str) -> int:
    return next(
        n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line
    )


def test_an_unknown_article_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    folder = copy_of_library(tmp_path)
    site = folder / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8").replace('article: "第一百零七条"', 'article: "第九百九十九条"', 1),
        encoding="utf-8",
    )
    with pytest.raises(RulesFileError) as refused:
        load_checklist(folder)
    assert f"site.yaml:{line_containing(site, '第九百九十九条')}:" in str(refused.value)


def test_a_wrong_type_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    folder = copy_of_library(tmp_path)
    basic = folder / "basic.yaml"
    text = basic.read_text(encoding="utf-8")
    basic.write_text(text.replace("level: general", "level: catastrophic", 1), encoding="utf-8")
    with pytest.raises(RulesFileError) as refused:
        load_checklist(folder)
    assert f"basic.yaml:{line_containing(basic, 'catastrophic')}:" in str(refused.value)


def test_a_stand_in_for_an_item_any_enterprise_can_have_is_refused_naming_file_and_line(
    tmp_path: Path,
) -> None:
    folder = copy_of_library(tmp_path)
    site = folder / "site.yaml"
    site.write_text(
        site.read_text(encoding="utf-8").replace("stands_in_for: XC-05-02", "stands_in_for: XC-05-03", 1),
        encoding="utf-8",
    )
    with pytest.raises(RulesFileError) as refused:
        load_checklist(folder)
    assert f"site.yaml:{line_containing(site, 'stands_in_for: XC-05-03')}:" in str(refused.value)
    assert "XC-05-03" in str(refused.value)
