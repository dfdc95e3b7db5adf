"""JWT bearer tokens: HS256, expiring, naming the user they were issued to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from backend.domain.errors import InvalidToken

ALGORITHM = "HS256"
ISSUER = "parksafe"


@dataclass(frozen=True, slots=True)
class IssuedToken:
    access_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: uuid.UUID
    generation: int  # the user's token generation when issued; a later one signs this token out


def issue_token(
    user_id: uuid.UUID,
    signing_key: str,
    ttl_seconds: int,
    now: datetime | None = None,
    generation: int = 0,
) -> IssuedToken:
    issued_at = now or datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "gen": generation,
        "iss": ISSUER,
        "iat": issued_at,
        "exp": issued_at + timedelta(seconds=ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    return IssuedToken(jwt.encode(claims, signing_key, algorithm=ALGORITHM), ttl_seconds)


def read_token(token: str, signing_key: str) -> TokenClaims:
    """Return whom the token was issued to, or raise ``InvalidToken``."""
    try:
        claims = jwt.decode(
            token, signing_key, algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub"]}
        )
        generation = claims.get("gen", 0)  # tokens issued before generations existed: 0
        if not isinstance(generation, int):
            raise ValueError("gen")
        return TokenClaims(uuid.UUID(claims["sub"]), generation)
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("登录已过期，请重新登录 / token expired") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise InvalidToken("无效的登录凭证 / invalid token") from exc
