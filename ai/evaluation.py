"""``parksafe ai eval``: per-class AP50, mAP50 and mAP50-95 of a registered model on a YOLO dataset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ai.averaging import load_checkpoint
from ai.offline import import_yolo
from ai.registry import find_model
from ai.training import resolved_data_yaml


@dataclass(frozen=True)
class EvalReport:
    model: str
    images: int
    map50: float
    map50_95: float
    per_class_ap50: dict[str, float]

    def summary(self) -> str:
        lines = [
            f"model {self.model}   images {self.images}",
            f"mAP50 {self.map50:.3f}   mAP50-95 {self.map50_95:.3f}",
        ]
        lines += [f"  {name:<10} AP50 {ap:.3f}" for name, ap in self.per_class_ap50.items()]
        return "\n".join(lines)


def _count_val_images(data_yaml: Path) -> int:
    import yaml

    spec = yaml.safe_load(data_yaml.read_text(encoding="utf-8"))
    root = Path(spec.get("path") or ".")
    root = root if root.is_absolute() else data_yaml.parent / root
    val = root / spec["val"]
    if val.is_file():  # a list of image paths, one per line
        return sum(1 for line in val.read_text(encoding="utf-8").splitlines() if line.strip())
    return sum(1 for path in val.glob("*") if path.suffix.lower() in {".jpg", ".jpeg", ".png"})


def evaluate_model(
    data_yaml: Path, work_dir: Path, model_name: str | None = None, weights: Path | None = None
) -> EvalReport:
    """Raises ``LookupError`` for an unknown model, ``ValueError`` for a dataset without val images.

    ``weights``: a candidate weights file (a training run's epoch, an average) evaluated as the
    registered model is served (its input size and overlap), to compare with it before adopting."""
    images = _count_val_images(data_yaml)
    if not images:
        raise ValueError(
            f"数据集的验证集没有图片，无法评估 / the dataset's val split holds no images: {data_yaml}"
        )
    YOLO = import_yolo(work_dir)

    entry = find_model(model_name)
    if weights is not None:
        import torch

        load_checkpoint(weights, torch)  # a file that is not weights is named, not a traceback
    model = YOLO(str(weights or entry.weights_path), task="detect")
    metrics = model.val(
        data=str(resolved_data_yaml(data_yaml, work_dir)),
        imgsz=entry.image_size,
        iou=entry.nms_iou,  # as served
        batch=8,
        device="cpu",
        plots=False,
        verbose=False,
        project=str(work_dir),
        name="eval",
        exist_ok=True,
    )
    names = metrics.names
    per_class = {names[int(c)]: float(metrics.box.ap50[i]) for i, c in enumerate(metrics.box.ap_class_index)}
    return EvalReport(
        f"{entry.name} ← {weights}" if weights else entry.name,
        images,
        float(metrics.box.map50),
        float(metrics.box.map),
        per_class,
    )
