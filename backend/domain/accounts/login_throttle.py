"""Brute-force limit: too many failed logins for one username from one client → refuse for a while."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from backend.db.models import LoginFailure
from backend.domain.errors import TooManyLoginAttempts


class LoginThrottle:
    def __init__(self, session: Session, max_failures: int, window_seconds: int) -> None:
        self._session = session
        self._max_failures = max_failures
        self._window = timedelta(seconds=window_seconds)

    def check(self, username: str, client: str, now: datetime) -> None:
        since = now - self._window
        failures = self._session.exec(
            select(LoginFailure.at)
            .where(LoginFailure.username == username, LoginFailure.client == client, LoginFailure.at > since)
            .order_by(col(LoginFailure.at))
        ).all()
        if len(failures) >= self._max_failures:
            oldest_counted = failures[-self._max_failures]
            retry_after = int((oldest_counted + self._window - now).total_seconds()) + 1
            raise TooManyLoginAttempts(max(retry_after, 1))

    def record_failure(self, username: str, client: str, now: datetime) -> None:
        self._session.add(LoginFailure(username=username[:64], client=client[:64], at=now))
        self._session.exec(sa.delete(LoginFailure).where(col(LoginFailure.at) < now - self._window * 4))

    def clear(self, username: str, client: str) -> None:
        self._session.exec(
            sa.delete(LoginFailure).where(
                col(LoginFailure.username) == username, col(LoginFailure.client) == client
            )
        )
