"""Bearer-token authentication for ``/api/v1`` and role guards."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult

from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from backend.domain.accounts.service import AccountService
from backend.domain.errors import InvalidToken
from mobile_api.state import AppState


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise NotAuthorizedException("missing 'Authorization: Bearer <token>' header")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("认证头格式应为 Bearer <token> / expected 'Authorization: Bearer <token>'")
        state = AppState.of(connection.app)

        def resolve() -> Principal:
            with state.session_factory() as session:
                return AccountService(session, state.settings).authenticate(token.strip())

        principal = await anyio.to_thread.run_sync(resolve)
        return AuthenticationResult(user=principal, auth=token)


def requires_role(*roles: Role) -> Any:
    allowed = frozenset(roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal: Principal = connection.user
        if principal.role not in allowed:
            raise PermissionDeniedException("当前角色无权执行此操作 / role not allowed")

    guard.__name__ = "requires_" + "_or_".join(sorted(role.value for role in allowed))
    return guard


park_roles = requires_role(Role.PARK_ADMIN, Role.INSPECTOR, Role.SUPERVISOR)
