"""Train the PPE detector from scratch, resumably, with ultralytics.

No pretrained weights can be downloaded here, so the model starts from its YAML
architecture. Training on a 2-core CPU takes hours: ``resume`` continues from the
run's ``last.pt`` (ultralytics keeps epoch, optimizer and EMA state in it), so one
run can span several sessions.

A fine-tuning stage starts from our own weights instead (``TrainingRecipe.weights``)
with a short schedule of its own, and can repeat the training images that hold a rare
class (``oversample``): ``no_helmet`` is on 200 of 1,500 images; and can add the boxes a
person found missing from the published labels (``reviewed_labels``). Both act on a view of
the train split (``ai.training_view``), never on the dataset itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ai.offline import configure_ultralytics_offline
from ai.training_view import training_view_data_yaml


@dataclass(frozen=True)
class TrainingRecipe:
    """Everything that decides the trained weights; recorded in the model card."""

    architecture: str = "yolo11n.yaml"
    image_size: int = 416
    epochs: int = 150
    batch: int = 16
    patience: int = 50
    seed: int = 0
    workers: int = 2
    weights: Path | None = None  # start from these weights (fine-tuning) instead of the architecture
    oversample: dict[str, int] = field(default_factory=dict)  # class name → times its images are seen
    reviewed_labels: Path | None = None  # boxes added after a review of the train labels
    extra: dict[str, object] = field(default_factory=dict)


def fine_tuning_schedule(epochs: int, lr0: float | None = None) -> dict[str, object]:
    """Training arguments for a short run that starts from trained weights.

    ``optimizer="auto"`` would ignore ``lr0`` and restart at the from-scratch rate; a
    fine-tune continues near where the long schedule had decayed to, warms up for one
    epoch and trains without mosaic for its last quarter. Every epoch's weights are kept,
    with their per-class AP50 in ``per_class_ap50.csv``.
    """
    return {
        "optimizer": "AdamW",
        "lr0": lr0 or 0.0006,
        "lrf": 0.05,
        "warmup_epochs": 1,
        "close_mosaic": max(1, epochs // 4),
        # Keep every epoch's weights (about 25 MB each, optimizer included; fine-tuning runs are
        # short): the best by the goal's class may not be best.pt.
        "save_period": 1,
    }


def resolved_data_yaml(data_yaml: Path, work_dir: Path) -> Path:
    """Write a copy of the dataset file whose ``path`` is absolute.

    Dataset files say ``path: .``, which ultralytics resolves against the current
    directory, not the file's own folder.
    """
    import yaml

    spec = yaml.safe_load(data_yaml.read_text(encoding="utf-8"))
    base = Path(spec.get("path") or ".")
    spec["path"] = str(base if base.is_absolute() else (data_yaml.parent / base).resolve())
    work_dir.mkdir(parents=True, exist_ok=True)
    resolved = work_dir / f"{data_yaml.parent.name}.data.yaml"
    resolved.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    return resolved


# A long run spanning sessions commits its last.pt here to be resumed on another machine; none is
# while no run is unfinished (the from-scratch run ended at epoch 150, see the model card).
COMMITTED_CHECKPOINT = Path(__file__).parent / "models" / "checkpoints" / "ppe-yolo11n-last.pt"


def last_checkpoint(project: Path, name: str) -> Path:
    return project / name / "weights" / "last.pt"


def adopt_checkpoint(source: Path, data_yaml: Path, project: Path, name: str) -> Path:
    """Make a checkpoint trained elsewhere resumable here.

    ultralytics resumes with the paths stored in the checkpoint (dataset, run folder) and
    refuses to override them, so they are rewritten to this machine's before resuming.
    """
    import torch

    checkpoint = torch.load(source, map_location="cpu", weights_only=False)
    target = last_checkpoint(project, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    args = dict(checkpoint.get("train_args") or {})
    args.update(
        data=str(resolved_data_yaml(data_yaml, project)),
        project=str(project.resolve()),
        name=name,
        save_dir=str((project / name).resolve()),
        exist_ok=True,
    )
    checkpoint["train_args"] = args
    torch.save(checkpoint, target)
    return target


def use_every_core(trainer: Any) -> None:
    """Let torch compute on every core this process may use.

    ultralytics sets torch to one thread fewer than the machine's cores (and loads data in
    the main thread on CPU), which on a 2-core machine halves the speed of training.
    """
    import torch

    affinity = getattr(os, "sched_getaffinity", None)  # Linux only
    torch.set_num_threads(len(affinity(0)) if affinity else os.cpu_count() or 1)


PER_CLASS_LOG = "per_class_ap50.csv"


def log_epoch_ap50(trainer: Any) -> None:
    """After each epoch's weights are saved: its validation AP50 per class, and the file."""
    weights = Path(trainer.wdir) / f"epoch{trainer.epoch}.pt"  # ultralytics counts these from 0
    _log_ap50(trainer, str(trainer.epoch + 1), weights.name if weights.exists() else "")


def log_best_ap50(trainer: Any) -> None:
    """After training: best.pt, which ultralytics validates once more."""
    _log_ap50(trainer, "best", "best.pt")


def _log_ap50(trainer: Any, epoch: str, weights: str) -> None:
    """Append a row to the run's ``per_class_ap50.csv``.

    ultralytics prints per-class figures only after the last epoch, and picks best.pt by
    all classes together; the model's goal names one class (``no_helmet``), so every epoch's
    figures are kept to choose weights by it. A class absent from the val split stays empty.
    """
    metrics = getattr(getattr(trainer, "validator", None), "metrics", None)
    if metrics is None or not len(metrics.ap_class_index):
        return
    names = trainer.data["names"]
    by_class = dict(zip(metrics.ap_class_index, metrics.box.ap50, strict=True))
    log = Path(trainer.save_dir) / PER_CLASS_LOG
    if not log.exists():
        log.write_text(
            ",".join(["epoch", "weights", *(names[i] for i in sorted(names))]) + "\n", encoding="utf-8"
        )
    cells = [f"{by_class[i]:.4f}" if i in by_class else "" for i in sorted(names)]
    with log.open("a", encoding="utf-8") as out:
        out.write(",".join([epoch, weights, *cells]) + "\n")


def _add_callbacks(model: Any) -> None:
    model.add_callback("on_pretrain_routine_start", use_every_core)
    model.add_callback("on_model_save", log_epoch_ap50)
    model.add_callback("on_train_end", log_best_ap50)


def train(
    data_yaml: Path,
    project: Path,
    name: str = "ppe",
    recipe: TrainingRecipe | None = None,
    resume: bool = False,
    device: str = "cpu",
) -> Path:
    """Train (or resume) and return the path of the best weights."""
    recipe = recipe or TrainingRecipe()
    os.environ.setdefault("YOLO_VERBOSE", "True")  # hours of training deserve progress lines
    configure_ultralytics_offline(project)
    from ultralytics import YOLO  # type: ignore[attr-defined]  # imported late: heavy, and must see the offline env

    checkpoint = last_checkpoint(project, name)
    if resume and not checkpoint.exists() and COMMITTED_CHECKPOINT.exists():
        checkpoint = adopt_checkpoint(COMMITTED_CHECKPOINT, data_yaml, project, name)
    if resume:
        if not checkpoint.exists():
            raise FileNotFoundError(f"没有可续训的检查点 / no checkpoint to resume: {checkpoint}")
        model = YOLO(str(checkpoint))
        _add_callbacks(model)
        model.train(resume=True, device=device, workers=recipe.workers)
    else:
        data = resolved_data_yaml(data_yaml, project)
        if recipe.oversample or recipe.reviewed_labels:
            data = training_view_data_yaml(data, project / name, recipe.oversample, recipe.reviewed_labels)
        (project / name / PER_CLASS_LOG).unlink(missing_ok=True)  # a new run under an old name
        model = YOLO(str(recipe.weights) if recipe.weights else recipe.architecture)
        _add_callbacks(model)
        model.train(
            data=str(data),
            epochs=recipe.epochs,
            imgsz=recipe.image_size,
            batch=recipe.batch,
            patience=recipe.patience,
            seed=recipe.seed,
            workers=recipe.workers,
            project=str(project.resolve()),
            name=name,
            exist_ok=True,
            pretrained=recipe.weights is not None,  # False would rebuild the model from its YAML
            amp=False,  # the AMP check downloads yolo11n.pt; CPUs gain nothing from it
            plots=False,  # plotting fetches a font from the hub
            device=device,
            **recipe.extra,
        )
    return project / name / "weights" / "best.pt"
