"""The train split as a fine-tuning run sees it: rare classes repeated, reviewed labels added.

The view is a folder of symlinks to the dataset's images (no image is copied), so
ultralytics sees distinct files and keeps its label cache there. Label files are symlinks
too, except where a reviewed-labels file adds boxes (``ai.reviewed_labels``): those are
written out, the published lines first.
"""

from __future__ import annotations

from pathlib import Path

from ai.reviewed_labels import merged_label_text, read_reviewed_labels

VIEW_FOLDER = "train-view"


def training_view_data_yaml(
    resolved_yaml: Path,
    work_dir: Path,
    oversample: dict[str, int] | None = None,
    reviewed_labels: Path | None = None,
) -> Path:
    """Build the view under ``work_dir`` and return a dataset file that trains on it."""
    import yaml

    spec = yaml.safe_load(resolved_yaml.read_text(encoding="utf-8"))
    names = spec["names"]
    by_name = {v: int(k) for k, v in (names.items() if isinstance(names, dict) else enumerate(names))}
    unknown = sorted(set(oversample or {}) - set(by_name))
    if unknown:
        raise ValueError(f"数据集中没有这些类别 / classes not in the dataset: {', '.join(unknown)}")
    repeats = {by_name[name]: times for name, times in (oversample or {}).items()}
    source = Path(spec["path"]) / spec["train"]
    images = sorted(source.iterdir())
    added = read_reviewed_labels(reviewed_labels, len(by_name)) if reviewed_labels else {}
    strangers = sorted(set(added) - {image.name.rsplit(".", 1)[0] for image in images})
    if strangers:
        raise ValueError(
            f"复核标注中的图片不在训练集中 / reviewed labels name images not in the train split: "
            f"{', '.join(strangers[:5])}"
        )

    view = work_dir / VIEW_FOLDER
    for sub in ("images", "labels", "reviewed-labels"):
        (view / sub).mkdir(parents=True, exist_ok=True)
        for stale in (view / sub).iterdir():
            stale.unlink()
    for image in images:
        stem, suffix = image.name.rsplit(".", 1)
        label = source.parent / "labels" / f"{stem}.txt"
        if stem in added:
            reviewed = view / "reviewed-labels" / f"{stem}.txt"
            reviewed.write_text(merged_label_text(label, added[stem]), encoding="utf-8")
            label = reviewed
        classes = _label_classes(label)
        for copy in range(max([1, *(repeats.get(c, 1) for c in classes)])):
            (view / "images" / f"{stem}__{copy}.{suffix}").symlink_to(image)
            if label.exists():
                (view / "labels" / f"{stem}__{copy}.txt").symlink_to(label.resolve())
    spec["train"] = str((view / "images").resolve())
    spec["val"] = str((Path(spec["path"]) / spec["val"]).resolve())
    target = work_dir / f"{resolved_yaml.stem}.train-view.yaml"
    target.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return target


def _label_classes(label: Path) -> set[int]:
    if not label.exists():
        return set()
    lines = label.read_text(encoding="utf-8").splitlines()
    return {int(float(line.split()[0])) for line in lines if line.strip()}
