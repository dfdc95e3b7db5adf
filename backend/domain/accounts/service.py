"""Accounts: creating users, logging in, resolving a token's bearer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from backend.db.models import Enterprise, Park, User
from backend.db.types import utcnow
from backend.domain.accounts.login_throttle import LoginThrottle
from backend.domain.accounts.passwords import (
    COMMON_PASSWORDS,
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    character_classes,
    hash_password,
    verify_against_dummy,
    verify_password,
)
from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from backend.domain.accounts.tokens import IssuedToken, issue_token, read_token
from backend.domain.accounts.usernames import MAX_USERNAME_LENGTH, username_key
from backend.domain.audit.service import AuditLog
from backend.domain.errors import AlreadyExists, InvalidCredentials, InvalidInput, InvalidToken
from backend.settings import Settings


@dataclass(frozen=True, slots=True)
class Login:
    token: IssuedToken
    user: User


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        role=user.role,
        park_id=user.park_id,
        enterprise_id=user.enterprise_id,
    )


class AccountService:
    def __init__(self, session: Session, settings: Settings) -> None:
        self._session = session
        self._settings = settings

    def login(self, username: str, password: str, client: str) -> Login:
        now = utcnow()
        throttle = LoginThrottle(
            self._session, self._settings.login_max_failures, self._settings.login_failure_window_seconds
        )
        # One name however it is typed: the failures of "Admin", "admin" and "ａｄｍｉｎ" count together.
        attempts = username_key(username)
        throttle.check(attempts, client, now)
        user = self._by_username(username)
        if user is None:
            verify_against_dummy(password)
        if user is None or not user.is_active or not verify_password(password, user.password_hash):
            throttle.record_failure(attempts, client, now)
            # The failure must count even though the request ends in an error.
            self._session.commit()
            raise InvalidCredentials
        throttle.clear(attempts, client)
        token = issue_token(
            user.id,
            self._settings.signing_key,
            self._settings.token_ttl_seconds,
            now,
            generation=user.token_generation,
        )
        return Login(token=token, user=user)

    def authenticate(self, bearer_token: str) -> Principal:
        claims = read_token(bearer_token, self._settings.signing_key)
        user = self._session.get(User, claims.user_id)
        if user is None or not user.is_active:
            raise InvalidToken("账号不存在或已停用 / account missing or disabled")
        if claims.generation != user.token_generation:
            raise InvalidToken(
                "密码已重置或登录已被注销，请重新登录 / signed out: password reset, log in again"
            )
        return principal_of(user)

    def create_user(
        self,
        username: str,
        password: str,
        role: Role,
        enterprise_code: str | None = None,
        park_code: str | None = None,
        display_name: str = "",
        phone: str = "",
    ) -> User:
        if not username or any(char.isspace() or not char.isprintable() for char in username):
            raise InvalidInput(
                "用户名不能为空，也不能含空格或控制字符 / username must be non-empty, without spaces or control characters"
            )
        if len(username) > MAX_USERNAME_LENGTH:
            raise InvalidInput(
                f"用户名最长 {MAX_USERNAME_LENGTH} 个字符 / username longer than {MAX_USERNAME_LENGTH} characters"
            )
        _check_lengths(display_name=display_name, phone=phone)
        _check_password(password)
        taken = self._same_name(username)
        if taken:
            raise AlreadyExists(
                f"用户名已存在（不区分大小写）：{taken[0].username} / username taken: {username}"
            )
        enterprise: Enterprise | None = None
        if role is Role.ENTERPRISE_STAFF:
            if not enterprise_code:
                raise InvalidInput("企业安全员必须指定企业 / enterprise_staff requires --enterprise")
            enterprise = self._session.exec(
                select(Enterprise).where(Enterprise.code == enterprise_code)
            ).first()
            if enterprise is None:
                raise InvalidInput(f"企业不存在 / no enterprise with code {enterprise_code}")
        elif enterprise_code:
            raise InvalidInput("只有企业安全员可关联企业 / only enterprise_staff belong to an enterprise")
        park_id = enterprise.park_id if enterprise else self._resolve_park(park_code)
        user = User(
            park_id=park_id,
            enterprise_id=enterprise.id if enterprise else None,
            username=username,
            password_hash=hash_password(password),
            role=role,
            display_name=display_name or username,
            phone=phone,
        )
        self._session.add(user)
        self._session.flush()
        return user

    def users(self) -> list[User]:
        return list(self._session.exec(select(User).order_by(User.role, User.username)).all())

    def set_password(self, username: str, password: str) -> User:
        """A reset (a forgotten password, a phone lost with the app signed in): every device signs in again."""
        _check_password(password)
        user = self._user(username)
        user.password_hash = hash_password(password)
        return self._sign_out_everywhere(user, "user.password_reset", {}, {})

    def set_active(self, username: str, active: bool) -> User:
        """Disable (someone left the enterprise or the park) or enable an account; disabling also
        ends every session it has. Its findings, comments and trail stay as they are."""
        user = self._user(username)
        if user.is_active == active:
            return user
        before, after = {"is_active": user.is_active}, {"is_active": active}
        user.is_active = active
        return self._sign_out_everywhere(user, "user.enabled" if active else "user.disabled", before, after)

    def _sign_out_everywhere(
        self, user: User, action: str, before: dict[str, Any], after: dict[str, Any]
    ) -> User:
        user.token_generation += 1
        self._session.add(user)
        self._session.flush()
        AuditLog(self._session).record(None, action, "user", user.id, before, after)  # an operator's command
        return user

    def _same_name(self, username: str) -> list[User]:
        """Every user whose name is this one however typed (see ``usernames``); a park has hundreds
        of accounts, and this runs at login and account creation only."""
        key = username_key(username)
        names = self._session.exec(select(User.id, User.username)).all()
        ids = [user_id for user_id, name in names if username_key(name) == key]
        if not ids:
            return []
        return list(self._session.exec(select(User).where(col(User.id).in_(ids))).all())

    def _by_username(self, username: str) -> User | None:
        """The user of this name as typed, else the one user whose name differs only in case
        (none where two do: accounts made before names were kept unique that way)."""
        exact = self._session.exec(select(User).where(User.username == username)).first()
        if exact is not None:
            return exact
        same = self._same_name(username)
        return same[0] if len(same) == 1 else None

    def _user(self, username: str) -> User:
        user = self._by_username(username)
        if user is None:
            raise InvalidInput(f"用户不存在 / no user named {username!r}", {"field": "username"})
        return user

    def _resolve_park(self, park_code: str | None) -> uuid.UUID:
        query = select(Park) if park_code is None else select(Park).where(Park.code == park_code)
        parks = self._session.exec(query).all()
        if len(parks) != 1:
            raise InvalidInput(
                "请先运行 parksafe seed 创建园区，或指定园区 / no unique park: run `parksafe seed` first"
            )
        return parks[0].id


# What the columns hold: longer values were refused by the database (PostgreSQL) or stored past
# what the app then shows (SQLite).
FIELD_LIMITS = {"display_name": ("显示名称", 100), "phone": ("手机号", 32)}


def _check_lengths(**values: str) -> None:
    for field, value in values.items():
        label, limit = FIELD_LIMITS[field]
        if len(value) > limit:
            raise InvalidInput(
                f"{label}最长 {limit} 个字符 / {field} longer than {limit} characters", {"field": field}
            )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少 {MIN_PASSWORD_LENGTH} 位 / password too short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"密码最长 {MAX_PASSWORD_LENGTH} 位（登录时更长的密码无法输入） / password longer than {MAX_PASSWORD_LENGTH}"
        )
    if not password.strip():
        raise InvalidInput("密码不能全是空格 / the password is blank")
    if password.lower() in COMMON_PASSWORDS:
        raise InvalidInput("密码过于常见，容易被猜中 / the password is too common")
    if character_classes(password) < 2:
        raise InvalidInput(
            "密码须包含字母、数字、符号中的至少两类 / use at least two of letters, digits and symbols"
        )
