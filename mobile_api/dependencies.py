"""Per-request dependencies: one database transaction, the caller, services."""

from __future__ import annotations

import uuid
from collections.abc import Generator
from datetime import date
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from sqlmodel import Session

from backend.domain.accounts.principal import Principal
from backend.domain.accounts.service import AccountService
from backend.domain.enterprises.service import EnterpriseService
from backend.domain.findings.service import FindingFilter, FindingService
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from backend.domain.lifecycle.service import LifecycleService
from backend.settings import Settings


def provide_db_session(state: State) -> Generator[Session, None, None]:
    """One transaction per request: committed when the handler succeeds, else rolled back."""
    with state.parksafe.session_factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def provide_settings(state: State) -> Settings:
    settings: NamedDependency[Settings] = state.parksafe.settings
    return settings


def provide_principal(request: Request[Principal, Any, Any]) -> Principal:
    return request.user


def provide_account_service(
    db_session: NamedDependency[Session], settings: NamedDependency[Settings]
) -> AccountService:
    return AccountService(db_session, settings)


def provide_enterprise_service(db_session: NamedDependency[Session]) -> EnterpriseService:
    return EnterpriseService(db_session)


def provide_lifecycle_service(
    db_session: NamedDependency[Session], settings: NamedDependency[Settings]
) -> LifecycleService:
    return LifecycleService(db_session, settings)


def provide_finding_service(db_session: NamedDependency[Session]) -> FindingService:
    return FindingService(db_session)


def provide_finding_filter(
    status: FromQuery[FindingStatus | None] = None,
    enterprise_id: FromQuery[uuid.UUID | None] = None,
    level: FromQuery[HazardLevel | None] = None,
    observed_from: FromQuery[date | None] = None,
    observed_to: FromQuery[date | None] = None,
    overdue: FromQuery[bool | None] = None,
) -> FindingFilter:
    """The filters of the finding list, the ledger and the statistics; dates are park calendar
    days (YYYY-MM-DD, China Standard Time), both included; ``overdue`` as the finding reads now.
    A parameter the endpoint does not take is refused (``mobile_api/query_parameters.py``)."""
    return FindingFilter(status, enterprise_id, level, observed_from, observed_to, overdue)


dependencies: dict[str, Provide] = {
    "db_session": Provide(provide_db_session),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "account_service": Provide(provide_account_service, sync_to_thread=False),
    "enterprise_service": Provide(provide_enterprise_service, sync_to_thread=False),
    "finding_service": Provide(provide_finding_service, sync_to_thread=False),
    "lifecycle_service": Provide(provide_lifecycle_service, sync_to_thread=False),
    "finding_filter": Provide(provide_finding_filter, sync_to_thread=False),
}
