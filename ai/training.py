"""Train the PPE detector from scratch, resumably, with ultralytics.

No pretrained weights can be downloaded here, so the model starts from its YAML
architecture. Training on a 2-core CPU takes hours: ``resume`` continues from the
run's ``last.pt`` (ultralytics keeps epoch, optimizer and EMA state in it), so one
run can span several sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ai.offline import configure_ultralytics_offline


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
    extra: dict[str, object] = field(default_factory=dict)


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
    configure_ultralytics_offline(project)
    from ultralytics import YOLO  # type: ignore[attr-defined]  # imported late: heavy, and must see the offline env

    checkpoint = last_checkpoint(project, name)
    if resume and not checkpoint.exists() and COMMITTED_CHECKPOINT.exists():
        checkpoint = adopt_checkpoint(COMMITTED_CHECKPOINT, data_yaml, project, name)
    if resume:
        if not checkpoint.exists():
            raise FileNotFoundError(f"没有可续训的检查点 / no checkpoint to resume: {checkpoint}")
        model = YOLO(str(checkpoint))
        model.train(resume=True, device=device, workers=recipe.workers)
    else:
        model = YOLO(recipe.architecture)
        model.train(
            data=str(resolved_data_yaml(data_yaml, project)),
            epochs=recipe.epochs,
            imgsz=recipe.image_size,
            batch=recipe.batch,
            patience=recipe.patience,
            seed=recipe.seed,
            workers=recipe.workers,
            project=str(project.resolve()),
            name=name,
            exist_ok=True,
            pretrained=False,
            amp=False,  # the AMP check downloads yolo11n.pt; CPUs gain nothing from it
            plots=False,  # plotting fetches a font from the hub
            device=device,
            **recipe.extra,
        )
    return project / name / "weights" / "best.pt"
