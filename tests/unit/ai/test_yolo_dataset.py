"""An exported dataset can be trained and evaluated on, however few photos were reviewed."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import pytest
import yaml
from PIL import Image

from ai.evaluation import evaluate_model
from ai.yolo_dataset import LabelledBox, LabelledPhoto, split_of, write_dataset

CLASSES = ["helmet", "no_helmet", "no_wear", "wear"]


def photo(seed: int) -> LabelledPhoto:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 48), random.Random(seed).randbytes(64 * 48 * 3)).save(buffer, "PNG")
    data = buffer.getvalue()
    return LabelledPhoto(hashlib.sha256(data).hexdigest(), data, [LabelledBox("no_helmet", (8, 8, 24, 30))])


def train_photos(count: int) -> list[LabelledPhoto]:
    """Photos the one-in-ten hash rule sends to train."""
    found: list[LabelledPhoto] = []
    seed = 0
    while len(found) < count:
        candidate = photo(seed)
        if split_of(candidate.sha256) == "train":
            found.append(candidate)
        seed += 1
    return found


def images_in(out: Path, split: str) -> list[str]:
    return sorted(path.stem for path in (out / "images" / split).glob("*.jpg"))


def test_a_small_export_still_has_a_val_photo_with_its_labels(tmp_path: Path) -> None:
    photos = train_photos(6)
    summary = write_dataset(tmp_path / "a", CLASSES, photos)
    assert (summary.photos["train"], summary.photos["val"]) == (5, 1)
    [val] = images_in(tmp_path / "a", "val")
    assert (tmp_path / "a" / "labels" / "val" / f"{val}.txt").read_text().startswith("1 ")
    assert len(images_in(tmp_path / "a", "train")) == 5
    # The same photos in another order: the same split, so re-exports agree.
    write_dataset(tmp_path / "b", CLASSES, list(reversed(photos)))
    assert images_in(tmp_path / "b", "val") == [val]


def test_a_single_photo_stays_in_train(tmp_path: Path) -> None:
    summary = write_dataset(tmp_path, CLASSES, train_photos(1))
    assert (summary.photos["train"], summary.photos["val"]) == (1, 0)


def test_evaluating_on_an_empty_val_split_says_so(tmp_path: Path) -> None:
    write_dataset(tmp_path, CLASSES, train_photos(1))
    assert yaml.safe_load((tmp_path / "data.yaml").read_text())["val"] == "images/val"
    with pytest.raises(ValueError, match="验证集没有图片"):
        evaluate_model(tmp_path / "data.yaml", tmp_path / "work")
