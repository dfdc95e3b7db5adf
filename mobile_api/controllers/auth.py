from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from backend.domain.accounts.principal import Principal
from backend.domain.accounts.service import AccountService
from mobile_api.schemas.auth import LoginRequest, LoginResponse, UserOut


def client_address(request: Request[Any, Any, Any]) -> str:
    # Behind nginx, uvicorn's --forwarded-allow-ips rewrites this from X-Forwarded-For.
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/login", exclude_from_auth=True, status_code=200, operation_id="login", sync_to_thread=True)
    def login(
        self,
        data: JSONBody[LoginRequest],
        account_service: NamedDependency[AccountService],
        request: Request[Principal, Any, Any],
    ) -> LoginResponse:
        """Exchange a username and password for a bearer token (429 after repeated failures)."""
        login = account_service.login(data.username, data.password, client_address(request))
        return LoginResponse(
            access_token=login.token.access_token,
            expires_in=login.token.expires_in,
            user=UserOut.of(login.user),
        )
