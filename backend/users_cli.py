"""``parksafe users``: accounts, managed by the park's operators (there is no sign-up)."""

from __future__ import annotations

import click

from backend.cli_support import friendly_errors, unit_of_work
from backend.domain.accounts.roles import Role
from backend.settings import Settings


@click.group()
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
    with unit_of_work(settings) as session:
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


@users.command("list")
@friendly_errors
def users_list() -> None:
    """List every account: username, role, name, whether it may sign in."""
    from backend.domain.accounts.service import AccountService

    settings = Settings()
    with unit_of_work(settings) as session:
        for user in AccountService(session, settings).users():
            state = "启用" if user.is_active else "停用"
            click.echo(f"{user.username}\t{user.role.label}\t{user.display_name}\t{state}")


@users.command("disable")
@click.argument("username")
@friendly_errors
def users_disable(username: str) -> None:
    """Stop an account signing in and end its sessions on every phone (someone who left)."""
    _set_active(username, active=False)


@users.command("enable")
@click.argument("username")
@friendly_errors
def users_enable(username: str) -> None:
    """Let a disabled account sign in again."""
    _set_active(username, active=True)


def _set_active(username: str, active: bool) -> None:
    from backend.domain.accounts.service import AccountService

    settings = Settings()
    with unit_of_work(settings) as session:
        AccountService(session, settings).set_active(username, active)
    word = "已启用" if active else "已停用，所有设备上的登录已失效"
    click.echo(f"用户 {username} {word} / {username} {'enabled' if active else 'disabled'}")


@users.command("set-password")
@click.argument("username")
@click.option(
    "--password",
    prompt="新密码",
    hide_input=True,
    confirmation_prompt="再次输入",
    help="at least 8 characters",
)
@friendly_errors
def users_set_password(username: str, password: str) -> None:
    """Reset a password; the account's sessions on every phone end (a lost phone, a leaked password)."""
    from backend.domain.accounts.service import AccountService

    settings = Settings()
    with unit_of_work(settings) as session:
        AccountService(session, settings).set_password(username, password)
    click.echo(f"用户 {username} 的密码已重置，需重新登录 / password of {username} reset")
