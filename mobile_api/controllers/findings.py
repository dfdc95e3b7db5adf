from __future__ import annotations

import uuid
from typing import Literal
from urllib.parse import quote

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from backend.db.models import Finding
from backend.domain.accounts.principal import Principal
from backend.domain.findings.service import FindingFilter, FindingService
from backend.domain.findings.vocabulary import HazardLevel
from backend.domain.lifecycle.service import Decision, LifecycleService
from backend.domain.oversight.export import ledger_rows, to_csv, to_xlsx
from mobile_api.schemas.common import LimitParam, ListResponse, OffsetParam, page_request
from mobile_api.schemas.findings import FindingOut
from mobile_api.schemas.lifecycle import DispatchRequest, GradeRequest, ReviewRequest

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period_label(finding_filter: FindingFilter) -> str:
    """隐患台账_2026-11-01至2026-11-30: the file says which days it covers."""
    start, end = finding_filter.observed_from, finding_filter.observed_to
    if start is None and end is None:
        return ""
    return f"_{start or ''}至{end or ''}"


class FindingController(Controller):
    path = "/findings"
    tags = ["findings"]

    @get("/", operation_id="list_findings", sync_to_thread=True)
    def list_findings(
        self,
        principal: NamedDependency[Principal],
        finding_service: NamedDependency[FindingService],
        finding_filter: NamedDependency[FindingFilter],
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> ListResponse[FindingOut]:
        """Findings in scope, newest first: by `status`, `enterprise_id`, `level` and the park days
        `observed_from`/`observed_to` (YYYY-MM-DD, both included)."""
        page = finding_service.list_page(principal, finding_filter, page_request(limit, offset))
        missing = finding_service.missing_photos(page.items)
        return ListResponse(
            [FindingOut.of(f, missing[f.id]) for f in page.items], page.total, page.limit, page.offset
        )

    @get("/export", operation_id="export_findings", sync_to_thread=True)
    def export(
        self,
        principal: NamedDependency[Principal],
        finding_service: NamedDependency[FindingService],
        finding_filter: NamedDependency[FindingFilter],
        format: FromQuery[Literal["csv", "xlsx"]] = "xlsx",
    ) -> Response[bytes]:
        """The hazard ledger (隐患台账) with Chinese headers, as CSV or XLSX; the list's filters
        apply (a monthly ledger: `observed_from=2026-11-01&observed_to=2026-11-30`)."""
        rows = ledger_rows(
            finding_service.all_matching(principal, finding_filter),
            finding_service.enterprises_by_id(principal),
        )
        # Litestar adds "; charset=utf-8" to text types itself.
        content, media_type = (
            (to_csv(rows), "text/csv") if format == "csv" else (to_xlsx(rows), XLSX_MEDIA_TYPE)
        )
        filename = quote(f"隐患台账{_period_label(finding_filter)}.{format}")
        return Response(
            content,
            media_type=media_type,
            headers={"content-disposition": f"attachment; filename*=UTF-8''{filename}"},
        )

    @post(
        "/{finding_id:uuid}/dispatch", operation_id="dispatch_finding", status_code=200, sync_to_thread=True
    )
    def dispatch(
        self,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[DispatchRequest],
        principal: NamedDependency[Principal],
        lifecycle_service: NamedDependency[LifecycleService],
        finding_service: NamedDependency[FindingService],
    ) -> FindingOut:
        """Send a reported finding to its enterprise with a deadline (park roles)."""
        finding = lifecycle_service.dispatch(principal, finding_id, data.deadline)
        lifecycle_service.commit()  # in this thread, which holds the change lock (see SyncController.push)
        return self._detail(finding_service, finding)

    @post("/{finding_id:uuid}/level", operation_id="grade_finding", status_code=200, sync_to_thread=True)
    def grade(
        self,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[GradeRequest],
        principal: NamedDependency[Principal],
        lifecycle_service: NamedDependency[LifecycleService],
        finding_service: NamedDependency[FindingService],
    ) -> FindingOut:
        """隐患分级 before dispatch (park roles): a major finding needs an accepted 治理方案 first."""
        finding = lifecycle_service.grade(principal, finding_id, HazardLevel(data.level), data.comment)
        lifecycle_service.commit()  # in this thread, which holds the change lock (see SyncController.push)
        return self._detail(finding_service, finding)

    @post("/{finding_id:uuid}/review", operation_id="review_finding", status_code=200, sync_to_thread=True)
    def review(
        self,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewRequest],
        principal: NamedDependency[Principal],
        lifecycle_service: NamedDependency[LifecycleService],
        finding_service: NamedDependency[FindingService],
    ) -> FindingOut:
        """Approve (closes it) or reject (back to rectification) a rectified finding (supervisors)."""
        finding = lifecycle_service.review(
            principal, finding_id, Decision(data.decision), data.comment, new_deadline=data.deadline
        )
        lifecycle_service.commit()  # in this thread, which holds the change lock (see SyncController.push)
        return self._detail(finding_service, finding)

    @staticmethod
    def _detail(finding_service: FindingService, finding: Finding) -> FindingOut:
        missing = finding_service.missing_photos([finding])[finding.id]
        return FindingOut.of(finding, missing, timeline=finding_service.timeline(finding.id))

    @get("/{finding_id:uuid}/penalty-draft.pdf", operation_id="penalty_draft_pdf", sync_to_thread=True)
    def penalty_draft_pdf(
        self,
        finding_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        finding_service: NamedDependency[FindingService],
    ) -> Response[bytes]:
        """责令限期整改指令书 (and 行政处罚告知书 where a fine applies) drafted from the finding's legal basis."""
        return Response(
            finding_service.penalty_notice(principal, finding_id),
            media_type="application/pdf",
            # Named after the documents' number (their 〔年〕号), so downloads of several findings differ.
            headers={
                "content-disposition": f"inline; filename*=UTF-8''{quote(f'处罚文书-{str(finding_id)[:8].upper()}.pdf')}"
            },
        )

    @get("/{finding_id:uuid}", operation_id="get_finding", sync_to_thread=True)
    def get_finding(
        self,
        finding_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        finding_service: NamedDependency[FindingService],
    ) -> FindingOut:
        return self._detail(finding_service, finding_service.get(principal, finding_id))
