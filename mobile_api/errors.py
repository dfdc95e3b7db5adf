"""Every error leaves as the contract's envelope: {"error": {"code", "message", "detail"}}."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import sqlalchemy as sa
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from backend.domain.errors import DomainError, ErrorKind, TooManyLoginAttempts
from backend.domain.validation_messages import in_chinese
from backend.storage.base import ObjectMissing
from mobile_api.path_ids import malformed_path_id
from mobile_api.query_parameters import add_choices

log = logging.getLogger(__name__)

STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.INVALID: 422,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNSUPPORTED_MEDIA: 415,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.THROTTLED: 429,
}

CODE_OF_STATUS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式错误 / bad request"),
    401: ("unauthorized", "需要登录 / authentication required"),
    403: ("forbidden", "无权执行此操作 / not allowed"),
    404: ("not_found", "未找到 / not found"),
    405: ("method_not_allowed", "不支持的请求方法 / method not allowed"),
    409: ("conflict", "状态冲突 / conflict"),
    413: ("payload_too_large", "请求体过大 / request body too large"),
    415: ("unsupported_media_type", "不支持的内容类型 / unsupported media type"),
    422: ("unprocessable", "无法处理的内容 / unprocessable content"),
    429: ("too_many_requests", "请求过于频繁 / too many requests"),
    503: ("service_unavailable", "服务暂不可用 / service unavailable"),
}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def envelope(
    status: int, code: str, message: str, detail: Any = None, headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    return Response(error_body(code, message, detail), status_code=status, headers=headers)


def handle_domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    headers = None
    if isinstance(exc, TooManyLoginAttempts):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return envelope(STATUS_OF_KIND[exc.kind], exc.code, exc.message, exc.detail, headers)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if isinstance(exc, NotFoundException) and (bad := malformed_path_id(request.app, request.url.path)):
        name, value = bad
        return envelope(
            400,
            "invalid_path_id",
            f"路径中的 {name} 不是有效的 UUID / {name} in the path is not a valid UUID: {value[:80]!r}",
            {"path_parameter": name},
        )
    if status >= 500:
        log.error("server error: %s", exc.detail)
        return envelope(status, "internal_error", "服务器内部错误 / internal error")
    code, default_message = CODE_OF_STATUS.get(status, ("client_error", "请求错误 / client error"))
    detail: Any = exc.extra if exc.extra else None
    message = default_message
    if isinstance(exc, ValidationException):
        code = "validation_error"
        add_choices(request, _problems(exc))
        message = f"请求参数不合法：{_describe(exc, chinese=True)} / invalid request: {_describe(exc, chinese=False)}"
        if _is_missing_body(exc):
            message = "缺少请求体（JSON） / request body is required"
    elif status == 413 and detail is None and (limit := _body_limit(request)):
        message = f"请求体过大：最多 {limit:,} 字节 / request body over {limit:,} bytes"
        detail = {"max_bytes": limit}
    elif exc.detail and exc.detail != HTTPStatus(status).phrase:
        # Our own messages are already bilingual: said once, not after the generic one.
        message = exc.detail if _has_chinese(exc.detail) else f"{default_message}: {exc.detail}"
    headers = dict(exc.headers) if exc.headers else None
    return envelope(status, code, message, detail, headers)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def _body_limit(request: Request[Any, Any, Any]) -> int | None:
    """The body limit of the route refused (Litestar's ``request_max_body_size``)."""
    handler = request.scope.get("route_handler")
    resolve = getattr(handler, "resolve_request_max_body_size", None)
    limit = resolve() if callable(resolve) else None
    return limit if isinstance(limit, int) else None


def handle_database_unavailable(
    _: Request[Any, Any, Any], exc: sa.exc.OperationalError
) -> Response[dict[str, Any]]:
    if "no such table" in str(exc.orig or exc):  # SQLite's word for a database never migrated
        return _not_migrated(exc)
    log.error("database unavailable: %s", exc.orig or exc)
    return envelope(
        503,
        "database_unavailable",
        "数据库暂不可用，请稍后重试 / database unavailable, retry later",
        headers={"Retry-After": "5"},
    )


NOT_MIGRATED = "数据库结构未就绪，请先运行 parksafe db upgrade / database schema not migrated"


def handle_schema_missing(
    request: Request[Any, Any, Any], exc: sa.exc.ProgrammingError
) -> Response[dict[str, Any]]:
    """A table or column the code needs is not there: the database was not migrated (PostgreSQL
    says so as a programming error). Anything else of the kind is a bug, answered as one."""
    # PostgreSQL: undefined_table, undefined_column. Other "does not exist" errors (an operator or
    # function) are bugs of ours, not a database to migrate.
    if getattr(exc.orig, "sqlstate", None) not in {"42P01", "42703"}:
        return handle_unexpected(request, exc)
    return _not_migrated(exc)


def _not_migrated(exc: sa.exc.DBAPIError) -> Response[dict[str, Any]]:
    log.error("database schema not migrated: %s", exc.orig or exc)
    return envelope(503, "database_not_migrated", NOT_MIGRATED, headers={"Retry-After": "30"})


def handle_storage_unavailable(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The photo store (S3, MinIO, OSS) refused or did not answer: an outage, not a bug of ours."""
    log.error("photo storage unavailable: %s", exc)
    return envelope(
        503,
        "storage_unavailable",
        "照片存储暂不可用，请稍后重试 / photo storage unavailable, retry later",
        headers={"Retry-After": "30"},
    )


def handle_object_missing(_: Request[Any, Any, Any], exc: ObjectMissing) -> Response[dict[str, Any]]:
    """A photo is recorded but its bytes are gone from the store (a restore from an older backup).
    Uploading the photo again puts its bytes back: the store is written before the record is checked."""
    log.error("photo bytes missing from storage: %s", exc)
    return envelope(
        404,
        "photo_missing",
        "照片文件已丢失，请重新上传这张照片 / photo bytes missing from storage, upload the photo again",
    )


def handle_too_deep(_: Request[Any, Any, Any], exc: RecursionError) -> Response[dict[str, Any]]:
    return envelope(400, "bad_request", "JSON 嵌套层级过深 / JSON nested too deeply")


def _problems(exc: ValidationException) -> list[dict[str, Any]]:
    return [item for item in (exc.extra if isinstance(exc.extra, list) else []) if isinstance(item, dict)]


def _is_missing_body(exc: ValidationException) -> bool:
    # Litestar reports a missing body as the bare KeyError text of its "data" argument.
    return any(
        item.get("source") == "body" and item.get("message") in {"'data'", "data"} for item in _problems(exc)
    )


def _chinese(message: str) -> str:
    """Our own bilingual messages give their Chinese half; Litestar's and msgspec's are translated."""
    chinese, _, english = message.partition(" / ")
    return chinese if english and _has_chinese(chinese) else in_chinese(message)


def _english(message: str) -> str:
    chinese, _, english = message.partition(" / ")
    return english if english and _has_chinese(chinese) else message


def _describe(exc: ValidationException, *, chinese: bool) -> str:
    """Name each problem: 'Object missing required field `methods` (body)', 'limit: … (query)',
    in the Chinese or the English half of the message, with the values a choice allows."""
    parts = []
    for item in _problems(exc):
        where = getattr(item.get("source"), "value", item.get("source") or "")  # ParamType.QUERY → query
        key = item.get("key", "")
        prefix = f"{key}: " if key and key != "data" else ""
        raw = str(item.get("message", ""))
        message = _chinese(raw) if chinese else _english(raw)
        if allowed := item.get("allowed"):
            message += f"（可选值：{'、'.join(allowed)}）" if chinese else f" (allowed: {', '.join(allowed)})"
        parts.append(f"{prefix}{message} ({where})" if where else f"{prefix}{message}")
    return "; ".join(parts) or str(exc.detail)


def handle_unexpected(_: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error", exc_info=exc)
    return envelope(HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "服务器内部错误 / internal error")


exception_handlers: dict[type[Exception] | int, Any] = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    sa.exc.OperationalError: handle_database_unavailable,
    sa.exc.ProgrammingError: handle_schema_missing,
    RecursionError: handle_too_deep,
    ObjectMissing: handle_object_missing,
    Exception: handle_unexpected,
}

try:  # boto3 comes with the s3 extra; without it there is no S3 store to fail
    from botocore.exceptions import BotoCoreError, ClientError
except ImportError:  # pragma: no cover - installs without the s3 extra
    pass
else:
    exception_handlers[BotoCoreError] = handle_storage_unavailable
    exception_handlers[ClientError] = handle_storage_unavailable
