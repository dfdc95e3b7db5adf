from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from backend.domain.accounts.principal import Principal
from backend.domain.enterprises.service import EnterpriseService
from mobile_api.schemas.common import LimitParam, ListResponse, OffsetParam, page_request
from mobile_api.schemas.enterprises import EnterpriseOut


class EnterpriseController(Controller):
    path = "/enterprises"
    tags = ["enterprises"]

    @get("/", operation_id="list_enterprises", sync_to_thread=True)
    def list_enterprises(
        self,
        principal: NamedDependency[Principal],
        enterprise_service: NamedDependency[EnterpriseService],
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> ListResponse[EnterpriseOut]:
        """The enterprises the caller may see: the whole park, or an enterprise user's own."""
        page = enterprise_service.list_page(principal, page_request(limit, offset))
        return ListResponse([EnterpriseOut.of(e) for e in page.items], page.total, page.limit, page.offset)

    @get("/{enterprise_id:uuid}", operation_id="get_enterprise", sync_to_thread=True)
    def get_enterprise(
        self,
        enterprise_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        enterprise_service: NamedDependency[EnterpriseService],
    ) -> EnterpriseOut:
        return EnterpriseOut.of(enterprise_service.get(principal, enterprise_id))
