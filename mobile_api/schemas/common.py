from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from backend.domain.pagination import MAX_LIMIT, PageRequest

T = TypeVar("T")


class ListResponse(msgspec.Struct, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorDetail(msgspec.Struct):
    code: str
    message: str
    detail: Any = None


class ErrorResponse(msgspec.Struct):
    error: ErrorDetail


LimitParam = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}"),
]
MAX_OFFSET = 2**31 - 1
OffsetParam = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET, description="items to skip")]


def page_request(limit: int, offset: int) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)
