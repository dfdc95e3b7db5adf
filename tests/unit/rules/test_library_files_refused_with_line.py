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


def refusal_of_edit(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, str]:
    """The library with ``old`` replaced by ``new`` (once) in file ``name``, and why loading it failed."""
    folder = copy_of_library(tmp_path)
    edited = folder / name
    edited.write_text(edited.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RulesFileError) as refused:
        load_checklist(folder)
    return edited, str(refused.value)


def test_an_unknown_article_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    site, message = refusal_of_edit(
        tmp_path, "site.yaml", 'article: "第一百零七条"', 'article: "第九百九十九条"'
    )
    assert f"site.yaml:{line_containing(site, '第九百九十九条')}:" in message


def test_a_wrong_type_is_refused_naming_file_and_line(tmp_path: Path) -> None:
    basic, message = refusal_of_edit(tmp_path, "basic.yaml", "level: general", "level: catastrophic")
    assert f"basic.yaml:{line_containing(basic, 'catastrophic')}:" in message


def test_a_stand_in_for_an_item_any_enterprise_can_have_is_refused_naming_file_and_line(
    tmp_path: Path,
) -> None:
    site, message = refusal_of_edit(
        tmp_path, "site.yaml", "stands_in_for: XC-05-02", "stands_in_for: XC-05-03"
    )
    assert f"site.yaml:{line_containing(site, 'stands_in_for: XC-05-03')}:" in message
    assert "XC-05-03" in message
