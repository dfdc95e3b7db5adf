"""Domain errors. Each has a stable snake_case ``code``; the API maps ``kind`` to a status."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    BAD_REQUEST = "bad_request"
    INVALID = "invalid"
    TOO_LARGE = "too_large"
    UNSUPPORTED_MEDIA = "unsupported_media"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    THROTTLED = "throttled"


class DomainError(Exception):
    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid"

    def __init__(self, message: str, detail: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"未找到该记录 / {entity} not found", {"entity": entity, "id": str(entity_id)})


class Forbidden(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"


class InvalidCredentials(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("用户名或密码错误 / wrong username or password")


class InvalidToken(DomainError):
    kind = ErrorKind.UNAUTHENTICATED
    code = "invalid_token"


class TooManyLoginAttempts(DomainError):
    kind = ErrorKind.THROTTLED
    code = "too_many_login_attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            f"登录失败次数过多，请 {retry_after_seconds} 秒后再试 / too many failed logins",
            {"retry_after_seconds": retry_after_seconds},
        )
        self.retry_after_seconds = retry_after_seconds


class AlreadyExists(DomainError):
    kind = ErrorKind.CONFLICT
    code = "already_exists"


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID
    code = "invalid_input"


class UnknownParameter(DomainError):
    """A query parameter the endpoint does not take: refused, so a guessed filter never silently
    answers with everything."""

    kind = ErrorKind.BAD_REQUEST
    code = "unknown_parameter"


class RepeatedParameter(DomainError):
    """A query parameter given twice where the endpoint takes one value: which was meant is unknown."""

    kind = ErrorKind.BAD_REQUEST
    code = "repeated_parameter"
