from __future__ import annotations

import uuid

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from backend.domain.accounts.principal import Principal
from backend.domain.findings.service import FindingFilter, FindingService
from backend.domain.findings.vocabulary import FindingStatus, HazardLevel
from mobile_api.schemas.common import LimitParam, ListResponse, OffsetParam, page_request
from mobile_api.schemas.findings import FindingOut


class FindingController(Controller):
    path = "/findings"
    tags = ["findings"]

    @get("/", operation_id="list_findings", sync_to_thread=True)
    def list_findings(
        self,
        principal: NamedDependency[Principal],
        finding_service: NamedDependency[FindingService],
        status: FromQuery[FindingStatus | None] = None,
        enterprise_id: FromQuery[uuid.UUID | None] = None,
        level: FromQuery[HazardLevel | None] = None,
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> ListResponse[FindingOut]:
        page = finding_service.list_page(
            principal,
            FindingFilter(status=status, enterprise_id=enterprise_id, level=level),
            page_request(limit, offset),
        )
        missing = finding_service.missing_photos(page.items)
        return ListResponse(
            [FindingOut.of(f, missing[f.id]) for f in page.items], page.total, page.limit, page.offset
        )

    @get("/{finding_id:uuid}", operation_id="get_finding", sync_to_thread=True)
    def get_finding(
        self,
        finding_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        finding_service: NamedDependency[FindingService],
    ) -> FindingOut:
        finding = finding_service.get(principal, finding_id)
        missing = finding_service.missing_photos([finding])[finding.id]
        return FindingOut.of(finding, missing, timeline=finding_service.timeline(finding.id))
