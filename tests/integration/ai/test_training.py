"""``parksafe ai train`` fine-tunes our weights offline and keeps what choosing a checkpoint needs.

A real one-epoch run at a tiny input size on a handful of the data set's photos (linked in
place, never copied): the weights of every epoch, and each epoch's AP50 per class, since the
model's goal names one class (``no_helmet``) that ultralytics' best.pt does not rank by.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ai.registry import find_model
from ai.training_view import VIEW_FOLDER
from tests.integration.ai.conftest import DATASET

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow

PHOTOS = 6


@pytest.fixture
def small_dataset(tmp_path: Path) -> Path:
    """A YOLO data set of a few val photos that hold a head without a helmet (class 1)."""
    labels = DATASET.parent / "labels"
    with_no_helmet = [
        image
        for image in sorted(DATASET.glob("*.jpg"))
        if (label := labels / f"{image.stem}.txt").exists()
        and any(line.split()[0] == "1" for line in label.read_text().splitlines() if line.strip())
    ][:PHOTOS]
    if len(with_no_helmet) < PHOTOS:
        pytest.skip(f"dataset not found at {DATASET}")
    root = tmp_path / "small"
    for split in ("train", "val"):
        for sub in ("images", "labels"):
            (root / split / sub).mkdir(parents=True)
        for image in with_no_helmet:
            (root / split / "images" / image.name).symlink_to(image)
            (root / split / "labels" / f"{image.stem}.txt").symlink_to(labels / f"{image.stem}.txt")
    spec = yaml.safe_load((DATASET.parents[1] / "data.yaml").read_text(encoding="utf-8"))
    data = root / "data.yaml"
    data.write_text(yaml.safe_dump({**spec, "path": ".", "train": "train/images", "val": "val/images"}))
    return data


def test_a_fine_tuning_run_keeps_every_epoch_and_its_ap50_per_class(
    small_dataset: Path, tmp_path: Path
) -> None:
    runs = tmp_path / "runs"
    first = sorted((small_dataset.parent / "train" / "images").iterdir())[0].stem
    review = tmp_path / "review.txt"
    review.write_text(f"# a bare head the labels left out\n{first} 1 0.05 0.05 0.04 0.06\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.cli",
            "ai",
            "train",
            "--data",
            str(small_dataset),
            "--from",
            str(find_model().weights_path),
            "--oversample",
            "no_helmet=2",
            "--reviewed-labels",
            str(review),
            "--epochs",
            "1",
            "--image-size",
            "160",
            "--project",
            str(runs),
            "--name",
            "tiny",
        ],
        capture_output=True,
        text=True,
        # as from a shell: not the YOLO_* settings earlier in-process AI tests put in this environment
        env={
            **{key: value for key, value in os.environ.items() if not key.startswith("YOLO_")},
            "PARKSAFE_DATA_DIR": str(tmp_path / "data"),
        },
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run = runs / "tiny"
    assert "最佳权重" in result.stdout and (run / "weights" / "best.pt").exists()
    assert "1/1" in result.stdout + result.stderr  # progress lines: training is not silent for hours
    assert len(list((run / VIEW_FOLDER / "images").iterdir())) == 2 * PHOTOS
    trained_on = (run / VIEW_FOLDER / "labels" / f"{first}__1.txt").read_text().splitlines()
    assert trained_on[-1] == "1 0.05 0.05 0.04 0.06"  # the reviewed box, after the published ones
    with (run / "per_class_ap50.csv").open(encoding="utf-8") as log:
        rows = list(csv.DictReader(log))
    assert [(row["epoch"], row["weights"]) for row in rows] == [("1", "epoch0.pt"), ("best", "best.pt")]
    assert (run / "weights" / "epoch0.pt").exists()
    assert set(rows[0]) == {"epoch", "weights", "helmet", "no_helmet", "no_wear", "wear"}
    assert 0.0 <= float(rows[0]["no_helmet"]) <= 1.0  # every photo here holds the class
    assert all(
        rows[0][name] == "" or 0.0 <= float(rows[0][name]) <= 1.0 for name in ("helmet", "no_wear", "wear")
    )
