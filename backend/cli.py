"""``parksafe``: serve the API, migrate, seed, manage users.

Errors a user can cause print one readable line and exit non-zero, never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from backend.ai_cli import ai
from backend.cli_support import friendly_errors, unit_of_work
from backend.settings import Settings, served_address
from backend.users_cli import users

F = TypeVar("F", bound=Callable[..., Any])


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
    host, port = host or settings.host, port or settings.port
    if settings.public_base_url_derived:
        # Links in notifications lead to this server, not to the default port it is not on
        # (a deployment behind a proxy or domain sets PARKSAFE_PUBLIC_BASE_URL).
        os.environ["PARKSAFE_PUBLIC_BASE_URL"] = served_address(host, port)
    uvicorn.run(
        "mobile_api.asgi:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
    )


@cli.command()
def worker() -> None:
    """Run only the background job worker (production, with PARKSAFE_JOB_BACKEND=redis)."""
    import asyncio

    from backend.jobs.runner import run_worker_forever
    from mobile_api.logging_setup import configure_logging

    settings = Settings()
    if settings.job_backend != "redis":
        raise click.UsageError(
            "parksafe worker 只处理 Redis 队列中的任务，请设置 PARKSAFE_JOB_BACKEND=redis"
            "（默认的进程内队列由 API 进程自己处理） / the worker needs PARKSAFE_JOB_BACKEND=redis"
        )
    configure_logging(settings)  # the same log lines as the API's: level, JSON, one format
    asyncio.run(run_worker_forever(settings))


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


@cli.group()
def storage() -> None:
    """Photo storage (照片存储)."""


@storage.command("init")
@friendly_errors
def storage_init() -> None:
    """Create the S3 bucket if it is missing and check that photos can be written and read back."""
    from backend.storage import create_object_store
    from backend.storage.probe import prepare_store

    settings = Settings()
    click.echo(prepare_store(create_object_store(settings), settings.resolved_storage_url))


@cli.command()
@click.option("--demo", is_flag=True, help="also load the demo park: enterprises and one user per role")
@friendly_errors
def seed(demo: bool) -> None:
    """Load the park and its libraries; with --demo a demo park too (idempotent)."""
    from seed.loader import run_seed

    settings = Settings()
    with unit_of_work(settings) as session:
        report = run_seed(session, settings, demo=demo)
    click.echo(report.summary())


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
    from datetime import UTC, datetime, timedelta

    from backend.domain.escalation.service import EscalationService, load_escalation_rules

    now = datetime.now(UTC)
    if now_text is not None:
        try:
            now = datetime.fromisoformat(now_text.strip())
        except ValueError as exc:
            raise click.BadParameter(
                f"不是 RFC 3339 时间 / not an RFC 3339 time: {now_text!r}（例如 2026-12-01T09:00:00+08:00）",
                param_hint="--now",
            ) from exc
        if now.tzinfo is None:
            raise click.BadParameter(
                "时间须带时区 / the time needs a zone, e.g. 2026-12-01T09:00:00+08:00", param_hint="--now"
            )
        # Escalations are stored and notified for good: a time far ahead would escalate every
        # open finding as overdue. Back-fills look back; a day ahead leaves room for clock skew.
        if now - datetime.now(UTC) > timedelta(days=1):
            raise click.BadParameter(
                "不能晚于当前时间超过 1 天 / more than a day in the future", param_hint="--now"
            )
    settings = Settings()
    if not settings.notify_url_list:
        # Each occasion is acted on once: run where no channel is set (a cron job missing the
        # server's environment), its reminders and 督办 notices reach no chat, and never will.
        click.echo(
            "警告：未配置通知渠道（PARKSAFE_NOTIFY_URLS），本次督办的通知不会发往短信/企业微信/钉钉；"
            "请在与服务器相同的环境中运行 / warning: no notification channels configured "
            "(PARKSAFE_NOTIFY_URLS): this run's reminders reach no chat; run it with the server's settings",
            err=True,
        )
    rules = load_escalation_rules(settings.escalation_rules_path)
    with unit_of_work(settings) as session:
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


@match.command("refresh")
@friendly_errors
def match_refresh() -> None:
    """Match every open finding again, its penalty draft included (after an upgrade of the
    checklist, the law library or the rules: stored drafts keep the old basis until then)."""
    from backend.db.engine import create_db_engine, create_session_factory
    from backend.domain.escalation.service import load_escalation_rules
    from backend.domain.findings.legal_basis import rematch_open_findings
    from regulations.service import get_matcher

    settings = Settings()
    window = load_escalation_rules(settings.escalation_rules_path).repeated.window_days
    engine = create_db_engine(settings)
    try:
        matched, changed = rematch_open_findings(create_session_factory(engine), get_matcher(), window)
    finally:
        engine.dispose()
    click.echo(
        f"已重新匹配 {matched} 条未闭环隐患，其中 {changed} 条的匹配结果或处罚草稿有变化 "
        f"/ {matched} open findings matched again, {changed} changed"
    )


@cli.group()
def audit() -> None:
    """Tamper-evident audit trail (审计链)."""


@audit.command("verify")
@friendly_errors
def audit_verify() -> None:
    """Check the hash chain, then that every finding holds what its trail last recorded; exit 1
    naming the first event edited, deleted or reordered, or each finding changed behind the trail."""
    from backend.domain.audit.record_check import check_findings
    from backend.domain.audit.service import verify_chain

    with unit_of_work(Settings()) as session:
        checked, broken = verify_chain(session)
        findings, mismatches = check_findings(session) if broken is None else (0, [])
    if broken is not None:
        recorded = f"\n  该事件：{broken.event}" if broken.event else ""
        raise click.ClickException(
            f"审计链在第 {broken.event_id} 号事件处断裂 / audit chain broken at event {broken.event_id}: "
            f"{broken.reason}（此前 {checked} 条事件完好 / {checked} events verified before it）{recorded}"
        )
    click.echo(f"审计链完整：已校验 {checked} 条事件 / audit chain intact: {checked} events verified")
    if mismatches:
        lines = "\n".join(f"  {mismatch.describe()}" for mismatch in mismatches)
        raise click.ClickException(
            f"{len(mismatches)} 处隐患记录与审计记录不符（绕过系统改动了数据库？） / {len(mismatches)} finding "
            f"fields differ from the audit trail:\n{lines}"
        )
    click.echo(f"隐患记录与审计记录一致：已核对 {findings} 条隐患 / {findings} findings match their trail")


cli.add_command(ai)
cli.add_command(users)


def main() -> None:
    cli(prog_name="parksafe")


if __name__ == "__main__":
    main()
