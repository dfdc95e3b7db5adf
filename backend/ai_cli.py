"""``parksafe ai``: train, evaluate, export and average the photo hazard detectors."""

from __future__ import annotations

from pathlib import Path

import click

from backend.cli_support import friendly_errors, unit_of_work
from backend.settings import Settings


@click.group()
def ai() -> None:
    """Photo hazard recognition models (隐患照片识别)."""


@ai.command("train")
@click.option(
    "--data",
    "data_yaml",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YOLO dataset file, e.g. ../shared/datasets/ppe-sfchd/data.yaml",
)
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="where runs and checkpoints go (default: DATA_DIR/training)",
)
@click.option("--name", default="ppe", show_default=True)
@click.option("--epochs", type=click.IntRange(1, 1000), default=150, show_default=True)
@click.option(
    "--resume", is_flag=True, help="continue from the run's last.pt (epoch, optimizer and EMA kept)"
)
@click.option("--device", default="cpu", show_default=True, help="cpu, or 0 for the first GPU")
@click.option(
    "--from",
    "weights",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="fine-tune: start from these weights (e.g. ai/models/ppe-yolo11n.pt) with a schedule of its own",
)
@click.option(
    "--oversample",
    multiple=True,
    metavar="CLASS=N",
    help="see the training images holding CLASS N times per epoch, e.g. no_helmet=3",
)
@click.option(
    "--reviewed-labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="add the boxes of a label review to the train split, e.g. ai/label_reviews/ppe-sfchd-train.txt",
)
@click.option(
    "--image-size",
    type=click.IntRange(160, 1280),
    default=416,
    show_default=True,
    help="training input size (px)",
)
@click.option(
    "--lr0", type=click.FloatRange(0, 1, min_open=True), default=None, help="initial learning rate (AdamW)"
)
def ai_train(
    data_yaml: Path,
    project: Path | None,
    name: str,
    epochs: int,
    resume: bool,
    device: str,
    weights: Path | None,
    oversample: tuple[str, ...],
    reviewed_labels: Path | None,
    image_size: int,
    lr0: float | None,
) -> None:
    """Train the PPE detector from scratch (no pretrained weights can be downloaded), or fine-tune ours."""
    from ai.training import TrainingRecipe, fine_tuning_schedule, train

    project = project or Settings().resolved_data_dir / "training"
    try:
        repeats = {name_: int(times) for name_, times in (item.split("=", 1) for item in oversample)}
    except ValueError as exc:
        raise click.BadParameter(
            "应为 类别=次数 / expected CLASS=N, e.g. no_helmet=3", param_hint="--oversample"
        ) from exc
    extra = (
        fine_tuning_schedule(epochs, lr0) if weights else ({"optimizer": "AdamW", "lr0": lr0} if lr0 else {})
    )
    recipe = TrainingRecipe(
        epochs=epochs,
        image_size=image_size,
        weights=weights,
        oversample=repeats,
        reviewed_labels=reviewed_labels,
        extra=extra,
    )
    try:
        best = train(data_yaml, project, name, recipe, resume=resume, device=device)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"最佳权重 / best weights: {best}")


@ai.command("eval")
@click.option(
    "--data", "data_yaml", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--model", "model_name", default=None, help="a name from ai/models.yaml (default: the first)")
@click.option(
    "--weights",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="evaluate these weights (a candidate) as the model is served, e.g. runs/ft/weights/epoch4.pt",
)
def ai_eval(data_yaml: Path, model_name: str | None, weights: Path | None) -> None:
    """Per-class AP50, mAP50 and mAP50-95 of a registered model on the dataset's val split."""
    from ai.evaluation import evaluate_model

    try:
        report = evaluate_model(data_yaml, Settings().resolved_data_dir / "evaluation", model_name, weights)
    except (LookupError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.summary())


@ai.command("export")
@click.option("--model", "model_name", default=None, help="a name from ai/models.yaml (default: all)")
@friendly_errors
def ai_export(model_name: str | None) -> None:
    """Export models to OpenVINO and ONNX under DATA_DIR/models ahead of time (workers otherwise do
    it on first use); backends whose packages are not installed are skipped."""
    from ai.export import AUTO_ORDER, backend_available, export
    from ai.registry import find_model, load_registry

    entries = [find_model(model_name)] if model_name else load_registry().models
    for entry in entries:
        for backend in AUTO_ORDER:
            if backend_available(backend):
                path = export(entry, Settings().resolved_data_dir, backend)
                click.echo(f"{entry.name} {entry.version} {backend}: {path}")


@ai.command("export-dataset")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--model", "model_name", default=None, help="a name from ai/models.yaml (default: the first)")
@friendly_errors
def ai_export_dataset(out: Path, model_name: str | None) -> None:
    """Write a YOLO dataset from reviewed photos, with supervisors' corrections applied (学习闭环)."""
    from ai.registry import find_model
    from ai.yolo_dataset import write_dataset
    from backend.domain.photos.learning import reviewed_photos
    from backend.storage import create_object_store

    entry = find_model(model_name)
    settings = Settings()
    if out.exists() and any(out.iterdir()):
        raise click.ClickException(f"目标目录非空 / {out} is not empty")
    with unit_of_work(settings) as session:
        summary = write_dataset(
            out, entry.classes, reviewed_photos(session, create_object_store(settings), entry.name)
        )
    click.echo(summary.summary())
    click.echo(f"parksafe ai train --data {out / 'data.yaml'}")


@ai.command("average")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument(
    "weights", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def ai_average(out: Path, weights: tuple[Path, ...]) -> None:
    """Average several checkpoints of one run into OUT (a model soup), e.g. the epochs a
    fine-tuning run kept: parksafe ai average soup.pt runs/ft/weights/epoch{2..6}.pt"""
    from ai.averaging import NotACheckpoint, average_checkpoints
    from ai.offline import configure_ultralytics_offline

    # Loading a checkpoint imports ultralytics, which otherwise writes its settings under ~/.config.
    configure_ultralytics_offline(Settings().resolved_data_dir)
    try:
        average_checkpoints(list(weights), out)
    except NotACheckpoint as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已写入 / wrote {out}（{len(weights)} 个权重的平均 / average of {len(weights)}）")
