"""Labels a person added to a training split after reviewing it (标注复核).

Public datasets leave objects out: the val audit of ``ppe-sfchd`` found bare heads nobody
labelled, and a model trained on such labels learns that those heads are background. A
reviewed-labels file lists the boxes a reviewer added, one per line::

    # comments and blank lines are ignored
    000021 1 0.220263 0.293893 0.082960 0.156456

that is the image's file stem in the train split, then a YOLO label line (class, centre x,
centre y, width, height, all relative to the image). The published labels are never edited:
training applies the file to a view of the split (``ai.training_view``), so the source of
every box stays visible and the review can be redone or dropped.
"""

from __future__ import annotations

from pathlib import Path


class ReviewedLabelsError(ValueError):
    """The file cannot be applied; the message names the line and the problem."""


def read_reviewed_labels(path: Path, class_count: int) -> dict[str, list[str]]:
    """The added YOLO label lines, by image stem, in file order."""
    additions: dict[str, list[str]] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.split("#", 1)[0].strip()
        if not text:
            continue
        stem, *fields = text.split()
        problem = _problem(fields, class_count)
        if problem:
            raise ReviewedLabelsError(f"{path.name} 第 {number} 行 / line {number}: {problem}")
        additions.setdefault(stem, []).append(" ".join(fields))
    return additions


def _problem(fields: list[str], class_count: int) -> str | None:
    if len(fields) != 5:
        return "应为 图片名 类别 x y 宽 高 / expected STEM CLASS X Y W H"
    if not fields[0].isdigit() or int(fields[0]) >= class_count:
        return f"类别应为 0–{class_count - 1} 的整数 / class must be an integer 0–{class_count - 1}"
    try:
        x, y, width, height = (float(value) for value in fields[1:])
    except ValueError:
        return "坐标应为数字 / coordinates must be numbers"
    if not (0 <= x <= 1 and 0 <= y <= 1 and 0 < width <= 1 and 0 < height <= 1):
        return "坐标应在 0–1 之间（相对图片尺寸）/ coordinates must be within 0–1 of the image size"
    return None


def merged_label_text(published: Path, added: list[str]) -> str:
    """The published label file's lines followed by the added ones (a file may end without a newline)."""
    text = published.read_text(encoding="utf-8") if published.exists() else ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(f"{line}\n" for line in added)
