"""``parksafe ai eval``: the registered model's figures, and a candidate's as it would be served."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ai.registry import find_model
from backend.cli import cli
from tests.integration.ai.conftest import DATASET

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture
def small_val_split(tmp_path: Path) -> Path:
    """Eight labelled val photos of the real data set, linked (never copied into the repository)."""
    photos = sorted(DATASET.glob("*.jpg"))[:8]
    if not photos:
        pytest.skip(f"dataset not found at {DATASET}")
    for kind, source in (("images", DATASET), ("labels", DATASET.parent / "labels")):
        folder = tmp_path / "val" / kind
        folder.mkdir(parents=True)
        for photo in photos:
            name = photo.name if kind == "images" else f"{photo.stem}.txt"
            (folder / name).symlink_to(source / name)
    names = ["helmet", "no_helmet", "no_wear", "wear"]
    spec = {"path": str(tmp_path), "train": "val/images", "val": "val/images", "names": names}
    (tmp_path / "data.yaml").write_text(yaml.safe_dump(spec))
    return tmp_path / "data.yaml"


def test_a_candidate_is_evaluated_as_the_model_is_served(
    small_val_split: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The served weights given as a candidate score what the registered model scores: the same
    input size and overlap, so a candidate's figures compare with the model card's."""
    monkeypatch.setenv("PARKSAFE_DATA_DIR", str(tmp_path / "data"))
    served = CliRunner().invoke(cli, ["ai", "eval", "--data", str(small_val_split)])
    assert served.exit_code == 0, served.output
    weights = find_model().weights_path
    candidate = CliRunner().invoke(
        cli, ["ai", "eval", "--data", str(small_val_split), "--weights", str(weights)]
    )
    assert candidate.exit_code == 0, candidate.output
    assert f"← {weights}" in candidate.output and "images 8" in candidate.output
    assert figures(candidate.output) == figures(served.output)
    assert [line.split()[0] for line in figures(served.output)][:2] == ["mAP50", "helmet"]


def figures(output: str) -> list[str]:
    """The report's lines (ultralytics' progress bar aside)."""
    return [line for line in output.splitlines() if re.match(r"^(mAP50 |  \w+ +AP50 )", line)]


def test_candidate_weights_that_do_not_exist_are_named(small_val_split: Path) -> None:
    result = CliRunner().invoke(cli, ["ai", "eval", "--data", str(small_val_split), "--weights", "nope.pt"])
    assert result.exit_code == 2 and "nope.pt" in result.output


def test_a_candidate_file_that_is_not_weights_is_named(small_val_split: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.pt"
    notes.write_text("not a checkpoint")
    result = CliRunner().invoke(cli, ["ai", "eval", "--data", str(small_val_split), "--weights", str(notes)])
    assert result.exit_code == 1, result.output
    assert f"不是 ultralytics 权重文件 / not ultralytics weights: {notes}" in result.output
