"""`parksafe users`: an operator resets a password or disables someone who left, and every phone
signed in as them is signed out at once; the trail records it."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient

from backend.settings import Settings
from mobile_api.app import create_app
from tests.integration.cli.test_cli import fresh_env, run

__all__ = ["fresh_env"]  # the fixture, imported for this module's tests


def _login(client: TestClient, username: str, password: str) -> str | None:  # type: ignore[type-arg]
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    return response.json()["access_token"] if response.status_code == 200 else None


def _me(client: TestClient, token: str) -> int:  # type: ignore[type-arg]
    return client.get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_reset_password_or_a_disabled_account_signs_out_every_phone(
    fresh_env: dict[str, str], tmp_path: Path
) -> None:
    assert run(["db", "upgrade"], fresh_env).returncode == 0
    assert run(["seed", "--demo"], fresh_env).returncode == 0
    created = run(
        ["users", "create", "--username", "wang", "--password", "Wang@2026a", "--role", "inspector"],
        fresh_env,
    )
    assert created.returncode == 0, created.stderr
    settings = Settings(
        data_dir=Path(fresh_env["PARKSAFE_DATA_DIR"]),
        database_url=fresh_env["PARKSAFE_DATABASE_URL"],
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        phone = _login(client, "wang", "Wang@2026a")
        assert phone and _me(client, phone) == 200

        reset = run(["users", "set-password", "wang", "--password", "Wang@2026b"], fresh_env)
        assert reset.returncode == 0, reset.stderr
        assert "已重置" in reset.stdout
        signed_out = client.get("/api/v1/sync/pull", headers={"Authorization": f"Bearer {phone}"})
        assert signed_out.status_code == 401
        assert "请重新登录" in signed_out.json()["error"]["message"]
        assert _login(client, "wang", "Wang@2026a") is None
        second_phone = _login(client, "wang", "Wang@2026b")
        assert second_phone and _me(client, second_phone) == 200

        disabled = run(["users", "disable", "wang"], fresh_env)
        assert disabled.returncode == 0, disabled.stderr
        assert _me(client, second_phone) == 401
        assert _login(client, "wang", "Wang@2026b") is None
        listed = run(["users", "list"], fresh_env)
        assert any(line.startswith("wang\t") and line.endswith("停用") for line in listed.stdout.splitlines())

        assert run(["users", "enable", "wang"], fresh_env).returncode == 0
        assert _me(client, second_phone) == 401  # enabling does not revive the old sessions
        third_phone = _login(client, "wang", "Wang@2026b")
        assert third_phone and _me(client, third_phone) == 200

    verified = run(["audit", "verify"], fresh_env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_user_commands_name_what_is_wrong_without_a_traceback(fresh_env: dict[str, str]) -> None:
    run(["db", "upgrade"], fresh_env)
    for args, expected in [
        (["users", "disable", "nobody"], "用户不存在"),
        (["users", "set-password", "nobody", "--password", "Longenough1"], "用户不存在"),
        (["users", "set-password", "nobody", "--password", "short"], "密码至少"),
    ]:
        result = run(args, fresh_env)
        assert result.returncode == 1, args
        assert expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_guessable_passwords_and_a_name_differing_only_in_case_are_refused(
    fresh_env: dict[str, str], tmp_path: Path
) -> None:
    run(["db", "upgrade"], fresh_env)
    run(["seed", "--demo"], fresh_env)
    create = ["users", "create", "--role", "inspector", "--username"]
    for args, expected in [
        ([*create, "li", "--password", "        "], "不能全是空格"),
        ([*create, "li", "--password", "Password"], "过于常见"),
        ([*create, "li", "--password", "12345678"], "过于常见"),
        ([*create, "li", "--password", "onlyletters"], "至少两类"),
        ([*create, "li", "--password", "2026110199"], "至少两类"),
        ([*create, "ADMIN", "--password", "Admin@2027"], "用户名已存在（不区分大小写）：admin"),
        (
            [*create, "ａｄｍｉｎ", "--password", "Admin@2027"],
            "用户名已存在（不区分大小写）：admin",
        ),  # full-width
        ([*create, "l" * 65, "--password", "Li-2026-ok"], "用户名最长 64 个字符"),
        ([*create, "li", "--password", "Li-2026-" + "x" * 250], "密码最长 256 位"),
        ([*create, "li", "--password", "Li-2026-ok", "--phone", "1" * 33], "手机号最长 32 个字符"),
        (
            [*create, "li", "--password", "Li-2026-ok", "--display-name", "李" * 101],
            "显示名称最长 100 个字符",
        ),
    ]:
        result = run(args, fresh_env)
        assert result.returncode == 1, args
        assert expected in result.stderr, result.stderr
        assert "Traceback" not in result.stderr

    assert run([*create, "li", "--password", "Li-2026-ok"], fresh_env).returncode == 0
    assert run([*create, "Émile", "--password", "Emile-2026"], fresh_env).returncode == 0
    accented = run(
        [*create, "émile", "--password", "Emile-2026"], fresh_env
    )  # SQLite's lower() is ASCII-only
    assert accented.returncode == 1 and "用户名已存在（不区分大小写）：Émile" in accented.stderr
    settings = Settings(
        data_dir=Path(fresh_env["PARKSAFE_DATA_DIR"]),
        database_url=fresh_env["PARKSAFE_DATABASE_URL"],
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        # The phone's keyboard capitalised the first letter.
        assert _login(client, "Li", "Li-2026-ok") is not None
        assert _login(client, "Li", "Li-2026-no") is None
        # A Chinese input method left in full-width mode.
        assert _login(client, "ｌｉ", "Li-2026-ok") is not None
        assert _login(client, "ÉMILE", "Emile-2026") is not None
