"""Writing a YOLO-format dataset (images, labels, data.yaml) that ``parksafe ai train`` can read."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from PIL import Image, ImageOps

VAL_EVERY = 10  # one photo in ten goes to val, chosen by its hash so re-exports agree


@dataclass(frozen=True)
class LabelledBox:
    label: str
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in pixels of the upright image


@dataclass(frozen=True)
class LabelledPhoto:
    sha256: str
    image: bytes
    boxes: Sequence[LabelledBox]


@dataclass
class ExportSummary:
    photos: dict[str, int] = field(default_factory=lambda: {"train": 0, "val": 0})
    boxes: int = 0
    skipped_labels: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        skipped = "".join(f", 跳过未知类别 {k}×{v}" for k, v in sorted(self.skipped_labels.items()))
        return (
            f"训练集 {self.photos['train']} 张、验证集 {self.photos['val']} 张、标注框 {self.boxes} 个{skipped}"
            f" / train {self.photos['train']}, val {self.photos['val']} photos, {self.boxes} boxes"
        )


def _rank(sha256: str) -> int:
    return int(sha256[:8], 16) % VAL_EVERY


def split_of(sha256: str) -> str:
    return "val" if _rank(sha256) == 0 else "train"


def _move_to_val(out: Path, sha256: str) -> None:
    for kind, suffix in (("images", ".jpg"), ("labels", ".txt")):
        (out / kind / "train" / f"{sha256}{suffix}").rename(out / kind / "val" / f"{sha256}{suffix}")


def _yolo_line(box: LabelledBox, class_id: int, width: int, height: int) -> str:
    x1, y1, x2, y2 = (max(0.0, v) for v in box.box)
    x2, y2 = min(x2, width), min(y2, height)
    cx, cy = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height
    return f"{class_id} {cx:.6f} {cy:.6f} {(x2 - x1) / width:.6f} {(y2 - y1) / height:.6f}"


def write_dataset(out: Path, classes: Sequence[str], photos: Iterable[LabelledPhoto]) -> ExportSummary:
    """Images are written upright (EXIF orientation applied), because the boxes are in those pixels."""
    ids = {name: index for index, name in enumerate(classes)}
    result = ExportSummary()
    for split in ("train", "val"):
        (out / "images" / split).mkdir(parents=True, exist_ok=True)
        (out / "labels" / split).mkdir(parents=True, exist_ok=True)
    train: list[str] = []
    for photo in photos:
        split = split_of(photo.sha256)
        if split == "train":
            train.append(photo.sha256)
        with Image.open(io.BytesIO(photo.image)) as image:
            upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.save(out / "images" / split / f"{photo.sha256}.jpg", "JPEG", quality=95)
        lines = []
        for box in photo.boxes:
            if box.label not in ids:
                result.skipped_labels[box.label] = result.skipped_labels.get(box.label, 0) + 1
                continue
            lines.append(_yolo_line(box, ids[box.label], upright.width, upright.height))
        (out / "labels" / split / f"{photo.sha256}.txt").write_text("".join(f"{line}\n" for line in lines))
        result.photos[split] += 1
        result.boxes += len(lines)
    if not result.photos["val"] and len(train) >= 2:
        # A small export: the hash rule put nothing in val, which training and evaluation need.
        # The photo nearest to the rule goes, so re-exports of the same photos still agree.
        _move_to_val(out, min(train, key=lambda sha: (_rank(sha), sha)))
        result.photos["train"] -= 1
        result.photos["val"] += 1
    data = {
        "path": ".",
        "train": "images/train",
        "val": "images/val",
        "names": dict(enumerate(classes)),
    }
    (out / "data.yaml").write_text(
        "# Exported by `parksafe ai export-dataset` from reviewed photos and supervisors' corrections.\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    return result
