"""``parksafe``: serve the API, migrate, seed, manage users.

Errors a user can cause print one readable line and exit non-zero, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
import sqlalchemy as sa

from ai.registry import UnknownModel
from backend.domain.accounts.roles import Role
from backend.domain.errors import DomainError
from backend.settings import Settings
from rules.loader import RulesFileError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(command: F) -> F:
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        except (RulesFileError, UnknownModel) as exc:
            raise click.ClickException(str(exc)) from exc
        except sa.exc.OperationalError as exc:
            if "no such table" in str(exc.orig):
                raise click.ClickException(
                    "数据库结构未就绪，请先运行 `parksafe db upgrade` / schema missing: run `parksafe db upgrade`"
                ) from exc
            raise click.ClickException(
                f"无法连接数据库 / cannot reach the database: {exc.orig or exc}"
            ) from exc
        except sa.exc.ProgrammingError as exc:
            raise click.ClickException(
                f"数据库结构未就绪，请先运行 `parksafe db upgrade` / schema missing: {exc.orig or exc}"
            ) from exc

    return wrapper  # type: ignore[return-value]


@contextmanager
def _unit_of_work(settings: Settings) -> Iterator[Any]:
    from backend.db.engine import create_db_engine, create_session_factory, transaction

    engine = create_db_engine(settings)
    try:
        with transaction(create_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """园安 ParkSafe：化工园区隐患排查治理后端。

    Settings come from PARKSAFE_* environment variables and .env (see README).
    """


@cli.command()
@click.option("--host", default=None, help="listen address (default PARKSAFE_HOST or 127.0.0.1)")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="listen port (default 8000)")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="server processes")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API and the PWA (启动服务)."""
    import uvicorn

    settings = Settings()
    uvicorn.run(
        "mobile_api.asgi:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
    )


@cli.command()
def worker() -> None:
    """Run only the background job worker (production, with PARKSAFE_JOB_BACKEND=redis)."""
    import asyncio

    from backend.jobs.runner import run_worker_forever

    asyncio.run(run_worker_forever(Settings()))


@cli.group()
def db() -> None:
    """Database schema (数据库迁移)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="target revision")
@friendly_errors
def db_upgrade(revision: str) -> None:
    """Apply migrations up to the newest schema (idempotent)."""
    from backend.db.migrate import upgrade

    upgrade(Settings().resolved_database_url, revision)
    click.echo(f"数据库已升级到 {revision} / database upgraded to {revision}")


@db.command("downgrade")
@click.argument("revision")
@friendly_errors
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1 or base)."""
    from backend.db.migrate import downgrade

    downgrade(Settings().resolved_database_url, revision)
    click.echo(f"数据库已回退到 {revision} / database downgraded to {revision}")


@cli.command()
@click.option("--demo", is_flag=True, help="also load the demo park: enterprises and one user per role")
@friendly_errors
def seed(demo: bool) -> None:
    """Load the park and its libraries; with --demo a demo park too (idempotent)."""
    from seed.loader import run_seed

    settings = Settings()
    with _unit_of_work(settings) as session:
        report = run_seed(session, settings, demo=demo)
    click.echo(report.summary())


@cli.group()
def users() -> None:
    """User accounts (用户管理)."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--enterprise", "enterprise_code", default=None, help="enterprise code; required for enterprise_staff"
)
@click.option("--display-name", default="", help="name shown in the app")
@click.option("--phone", default="", help="mobile number for SMS notifications")
@friendly_errors
def users_create(
    username: str, password: str, role: str, enterprise_code: str | None, display_name: str, phone: str
) -> None:
    """Create a user with one of the four roles."""
    from backend.domain.accounts.service import AccountService

    settings = Settings()
    with _unit_of_work(settings) as session:
        user = AccountService(session, settings).create_user(
            username,
            password,
            Role(role),
            enterprise_code=enterprise_code,
            park_code=settings.park_code,
            display_name=display_name,
            phone=phone,
        )
        click.echo(f"已创建用户 {user.username}（{Role(role).label}）/ created user {user.username} ({role})")


@cli.command()
@click.option(
    "--now",
    "now_text",
    default=None,
    metavar="RFC3339",
    help="pretend the time is this (tests, back-fills); default: the current time",
)
@friendly_errors
def escalate(now_text: str | None) -> None:
    """Run the escalation rules once (督办/提醒); running twice never notifies twice."""
    from datetime import UTC, datetime

    from backend.domain.escalation.service import EscalationService, load_escalation_rules

    now = datetime.now(UTC)
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter(f"not an RFC 3339 time: {now_text!r}", param_hint="--now") from exc
        if now.tzinfo is None:
            raise click.BadParameter(
                "the time needs a zone, e.g. 2026-12-01T09:00:00+08:00", param_hint="--now"
            )
    settings = Settings()
    rules = load_escalation_rules(settings.escalation_rules_path)
    with _unit_of_work(settings) as session:
        report = EscalationService(session, settings, rules).run(now)
    click.echo(report.summary())


@cli.group()
def match() -> None:
    """Matching findings to the checklist and law library (隐患依据匹配)."""


@match.command("eval")
@click.option("--show-misses", is_flag=True, help="list the phrasings whose item is not in the top 3")
@click.option(
    "--set",
    "which",
    type=click.Choice(["dev", "holdout", "holdout2"]),
    default="dev",
    show_default=True,
    help="dev: the tuning set; holdout: a second dev set (looked at once); holdout2: never looked at",
)
def match_eval(show_misses: bool, which: str) -> None:
    """Accuracy on an evaluation set: top-1/top-3 item and citation, major-hazard precision/recall."""
    from regulations.evaluation import DEVSET, HOLDOUT, HOLDOUT2, evaluate, load_devset
    from regulations.service import get_matcher

    sets = {"dev": DEVSET, "holdout": HOLDOUT, "holdout2": HOLDOUT2}
    result = evaluate(get_matcher(), load_devset(sets[which]))
    click.echo(result.summary())
    if show_misses:
        for miss in result.misses:
            click.echo(f"  miss: {miss}")


@cli.group()
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
        epochs=epochs, image_size=image_size, weights=weights, oversample=repeats, extra=extra
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
def ai_eval(data_yaml: Path, model_name: str | None) -> None:
    """Per-class AP50, mAP50 and mAP50-95 of a registered model on the dataset's val split."""
    from ai.evaluation import evaluate_model

    try:
        report = evaluate_model(data_yaml, Settings().resolved_data_dir / "evaluation", model_name)
    except LookupError as exc:
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
    with _unit_of_work(settings) as session:
        summary = write_dataset(
            out, entry.classes, reviewed_photos(session, create_object_store(settings), entry.name)
        )
    click.echo(summary.summary())
    click.echo(f"parksafe ai train --data {out / 'data.yaml'}")


@cli.group()
def audit() -> None:
    """Tamper-evident audit trail (审计链)."""


@audit.command("verify")
@friendly_errors
def audit_verify() -> None:
    """Check the hash chain; exit 1 naming the first event that was edited, deleted or reordered."""
    from backend.domain.audit.service import verify_chain

    with _unit_of_work(Settings()) as session:
        checked, broken = verify_chain(session)
    if broken is not None:
        raise click.ClickException(
            f"审计链在第 {broken.event_id} 号事件处断裂 / audit chain broken at event {broken.event_id}: {broken.reason} "
            f"({checked} events verified before it)"
        )
    click.echo(f"审计链完整：已校验 {checked} 条事件 / audit chain intact: {checked} events verified")


def main() -> None:
    cli(prog_name="parksafe")


if __name__ == "__main__":
    main()
