"""The train split as a fine-tuning run sees it: reviewed boxes added, rare classes repeated.

A small dataset of blank photos built here: the view must never touch the published files.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ai.reviewed_labels import ReviewedLabelsError, read_reviewed_labels
from ai.training_view import VIEW_FOLDER, training_view_data_yaml

NAMES = {0: "helmet", 1: "no_helmet", 2: "no_wear", 3: "wear"}
HELMET = "0 0.5 0.2 0.1 0.1"
NO_WEAR = "2 0.5 0.6 0.3 0.8"
BARE_HEAD = "1 0.25 0.3 0.08 0.15"


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """Three photos: one with a helmet, one with a worker (label file without a final newline), one unlabelled."""
    root = tmp_path / "published"
    for sub in ("train/images", "train/labels", "val/images", "val/labels"):
        (root / sub).mkdir(parents=True)
    for stem in ("000001", "000002", "000003"):
        (root / "train" / "images" / f"{stem}.jpg").write_bytes(b"jpeg")
    (root / "train" / "labels" / "000001.txt").write_text(f"{HELMET}\n")
    (root / "train" / "labels" / "000002.txt").write_text(NO_WEAR)
    data = root / "data.yaml"
    data.write_text(
        yaml.safe_dump({"path": str(root), "train": "train/images", "val": "val/images", "names": NAMES})
    )
    return data


def review(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "review.txt"
    path.write_text(text, encoding="utf-8")
    return path


def view_labels(work_dir: Path) -> dict[str, list[str]]:
    labels = work_dir / VIEW_FOLDER / "labels"
    return {label.name: label.read_text().splitlines() for label in sorted(labels.iterdir())}


def test_reviewed_boxes_are_added_after_the_published_ones(dataset: Path, tmp_path: Path) -> None:
    work = tmp_path / "run"
    reviewed = review(
        tmp_path, f"# bare heads nobody labelled\n000002 {BARE_HEAD}\n\n000003 {BARE_HEAD}  # in a cap\n"
    )

    training_view_data_yaml(dataset, work, reviewed_labels=reviewed)

    assert view_labels(work) == {
        "000001__0.txt": [HELMET],
        "000002__0.txt": [NO_WEAR, BARE_HEAD],
        "000003__0.txt": [BARE_HEAD],
    }
    published = dataset.parent / "train" / "labels"
    assert (published / "000002.txt").read_text() == NO_WEAR  # the published files are untouched
    assert not (published / "000003.txt").exists()


def test_a_photo_given_a_reviewed_bare_head_is_repeated_with_the_rare_class(
    dataset: Path, tmp_path: Path
) -> None:
    work = tmp_path / "run"
    reviewed = review(tmp_path, f"000003 {BARE_HEAD}\n")

    data = training_view_data_yaml(dataset, work, {"no_helmet": 3}, reviewed)

    images = sorted(path.name for path in (work / VIEW_FOLDER / "images").iterdir())
    assert images == ["000001__0.jpg", "000002__0.jpg", "000003__0.jpg", "000003__1.jpg", "000003__2.jpg"]
    spec = yaml.safe_load(data.read_text())
    assert spec["train"] == str((work / VIEW_FOLDER / "images").resolve())
    assert spec["val"] == str((dataset.parent / "val" / "images").resolve())


def test_rebuilding_the_view_drops_what_an_earlier_review_added(dataset: Path, tmp_path: Path) -> None:
    work = tmp_path / "run"
    training_view_data_yaml(dataset, work, reviewed_labels=review(tmp_path, f"000003 {BARE_HEAD}\n"))

    training_view_data_yaml(dataset, work, {"no_helmet": 2})

    assert "000003__0.txt" not in view_labels(work)


def test_a_review_naming_a_photo_outside_the_train_split_is_refused(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not in the train split: 009999"):
        training_view_data_yaml(
            dataset, tmp_path / "run", reviewed_labels=review(tmp_path, f"009999 {BARE_HEAD}\n")
        )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("000001 1 0.5 0.5 0.1", "expected STEM CLASS X Y W H"),
        ("000001 7 0.5 0.5 0.1 0.1", "class must be an integer 0–3"),
        ("000001 no_helmet 0.5 0.5 0.1 0.1", "class must be an integer 0–3"),
        ("000001 1 0.5 half 0.1 0.1", "coordinates must be numbers"),
        ("000001 1 0.5 0.5 0 0.1", "within 0–1 of the image size"),
        ("000001 1 640 320 40 40", "within 0–1 of the image size"),
    ],
)
def test_a_malformed_review_line_is_named_with_its_problem(tmp_path: Path, line: str, problem: str) -> None:
    path = review(tmp_path, f"# header\n000002 {BARE_HEAD}\n{line}\n")

    with pytest.raises(ReviewedLabelsError, match=f"line 3: .*{problem}"):
        read_reviewed_labels(path, class_count=len(NAMES))


def test_the_committed_review_of_ppe_sfchd_reads_as_bare_heads() -> None:
    committed = Path(__file__).resolve().parents[3] / "ai" / "label_reviews" / "ppe-sfchd-train.txt"

    additions = read_reviewed_labels(committed, class_count=len(NAMES))

    assert sum(len(lines) for lines in additions.values()) == 66
    assert {line.split()[0] for lines in additions.values() for line in lines} == {"1"}
