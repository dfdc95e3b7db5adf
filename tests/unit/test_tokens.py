from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from backend.domain.accounts.tokens import TokenClaims, issue_token, read_token
from backend.domain.errors import InvalidToken

KEY = "k" * 48


def test_token_round_trips_to_its_user() -> None:
    user_id = uuid.uuid4()
    assert read_token(issue_token(user_id, KEY, 60, generation=3).access_token, KEY) == TokenClaims(
        user_id, 3
    )


def test_expired_token_is_refused_with_an_expiry_message() -> None:
    token = issue_token(uuid.uuid4(), KEY, 60, now=datetime.now(UTC) - timedelta(minutes=2))
    with pytest.raises(InvalidToken, match="过期"):
        read_token(token.access_token, KEY)


def test_token_signed_with_another_key_is_refused() -> None:
    token = issue_token(uuid.uuid4(), "x" * 48, 60)
    with pytest.raises(InvalidToken):
        read_token(token.access_token, KEY)
