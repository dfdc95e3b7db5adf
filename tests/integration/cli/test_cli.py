"""The ``parksafe`` command as an operator uses it: a real process, real settings, real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

PARKSAFE = [sys.executable, "-m", "backend.cli"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PARKSAFE, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    """Settings for a new, empty SQLite deployment."""
    return {
        "PARKSAFE_DATA_DIR": str(tmp_path / "var"),
        "PARKSAFE_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
    }


def count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(value)


def test_help_documents_every_command(fresh_env: dict[str, str]) -> None:
    result = run(["--help"], fresh_env)
    assert result.returncode == 0
    for command in ("serve", "db", "seed", "users", "worker"):
        assert command in result.stdout
    assert "upgrade" in run(["db", "--help"], fresh_env).stdout
    assert "--enterprise" in run(["users", "create", "--help"], fresh_env).stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["frobnicate"], "No such command"),
        (["serve", "--port", "not-a-port"], "Invalid value for '--port'"),
        (["users", "create", "--username", "u", "--password", "Long-pass-9", "--role", "janitor"], "--role"),
        (["users", "create", "--username", "u"], "Missing option"),
        (["escalate", "--now", "9999-12-31T23:59:59+00:00"], "more than a day in the future"),
        (["escalate", "--now", ""], "不是 RFC 3339 时间"),
        (["escalate", "--now", "2026-12-01T09:00:00"], "时间须带时区"),
    ],
)
def test_wrong_arguments_print_a_readable_message_without_traceback(
    fresh_env: dict[str, str], args: list[str], expected: str
) -> None:
    result = run(args, fresh_env)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_seeding_before_migrating_says_what_to_do(fresh_env: dict[str, str]) -> None:
    result = run(["seed"], fresh_env)
    assert result.returncode == 1
    assert "parksafe db upgrade" in result.stderr
    assert "Traceback" not in result.stderr


def test_upgrade_then_demo_seed_twice_changes_nothing_the_second_time(fresh_env: dict[str, str]) -> None:
    url = fresh_env["PARKSAFE_DATABASE_URL"]
    assert run(["db", "upgrade"], fresh_env).returncode == 0
    assert run(["db", "upgrade"], fresh_env).returncode == 0
    first = run(["seed", "--demo"], fresh_env)
    assert first.returncode == 0, first.stderr
    counts = {table: count(url, table) for table in ("park", "enterprise", "user_account")}
    assert counts["park"] == 1
    assert 8 <= counts["enterprise"] <= 10
    assert counts["user_account"] >= 4
    second = run(["seed", "--demo"], fresh_env)
    assert second.returncode == 0
    assert "+0" in second.stdout
    assert {table: count(url, table) for table in counts} == counts


def test_users_create_validates_role_and_enterprise(fresh_env: dict[str, str]) -> None:
    run(["db", "upgrade"], fresh_env)
    run(["seed", "--demo"], fresh_env)
    missing_enterprise = run(
        ["users", "create", "--username", "u1", "--password", "Long-pass-9", "--role", "enterprise_staff"],
        fresh_env,
    )
    assert missing_enterprise.returncode == 1
    assert "--enterprise" in missing_enterprise.stderr
    unknown_enterprise = run(
        [
            "users",
            "create",
            "--username",
            "u1",
            "--password",
            "Long-pass-9",
            "--role",
            "enterprise_staff",
            "--enterprise",
            "NOPE",
        ],
        fresh_env,
    )
    assert unknown_enterprise.returncode == 1
    assert "NOPE" in unknown_enterprise.stderr
    for unusable in ("", " admin2", "张 三"):  # no one could ever log in with these
        refused = run(
            ["users", "create", "--username", unusable, "--password", "Long-pass-9", "--role", "inspector"],
            fresh_env,
        )
        assert refused.returncode == 1 and "用户名" in refused.stderr, unusable
    created = run(
        [
            "users",
            "create",
            "--username",
            "u1",
            "--password",
            "Long-pass-9",
            "--role",
            "enterprise_staff",
            "--enterprise",
            "E003",
        ],
        fresh_env,
    )
    assert created.returncode == 0, created.stderr
    duplicate = run(
        ["users", "create", "--username", "u1", "--password", "Long-pass-9", "--role", "inspector"],
        fresh_env,
    )
    assert duplicate.returncode == 1
    assert "u1" in duplicate.stderr


def test_escalating_where_no_notification_channel_is_set_warns_that_no_one_will_be_told(
    fresh_env: dict[str, str],
) -> None:
    """Each reminder is sent once: a cron job missing the server's settings would spend them unseen."""
    run(["db", "upgrade"], fresh_env)
    result = run(["escalate"], {**fresh_env, "PARKSAFE_NOTIFY_URLS": ""})
    assert result.returncode == 0, result.stderr
    assert "未配置通知渠道" in result.stderr
    configured = run(["escalate"], {**fresh_env, "PARKSAFE_NOTIFY_URLS": "json://127.0.0.1:9/notify"})
    assert configured.returncode == 0 and "未配置通知渠道" not in configured.stderr


def test_match_refresh_runs_on_a_deployment(fresh_env: dict[str, str]) -> None:
    """The command an operator runs after an upgrade (what it redrafts: test_rematch.py)."""
    assert run(["db", "upgrade"], fresh_env).returncode == 0
    result = run(["match", "refresh"], fresh_env)
    assert result.returncode == 0, result.stderr
    assert "已重新匹配 0 条未闭环隐患，其中 0 条" in result.stdout
