"""A request id on every response and every log line of that request.

The id is taken from ``X-Request-ID`` when the client (or nginx) sent a sane one,
else generated. The header is added in ``before_send`` so it also reaches responses
that never matched a route (404/405), which route middleware does not see.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_STATE_KEY = "parksafe_request_id"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def request_id_for(scope: Scope) -> str:
    state = scope.setdefault("state", {})
    request_id: str | None = state.get(_STATE_KEY)
    if request_id is None:
        incoming = next(
            (
                value.decode("latin-1")
                for name, value in scope.get("headers", [])
                if name == REQUEST_ID_HEADER.encode()
            ),
            "",
        )
        request_id = incoming if _ACCEPTABLE_ID.match(incoming) else uuid.uuid4().hex
        state[_STATE_KEY] = request_id
    return request_id


class RequestIdMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = current_request_id.set(request_id_for(scope))
        try:
            await next_app(scope, receive, send)
        finally:
            current_request_id.reset(token)


async def add_request_id_header(message: Message, scope: Scope) -> None:
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id_for(scope)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True
