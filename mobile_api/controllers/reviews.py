"""The supervisor's verification queue and corrections of the detector's boxes."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlmodel import Session

from backend.domain.accounts.principal import Principal
from backend.domain.lifecycle.reviews import ReviewQueue
from backend.domain.photos.corrections import CorrectionInput, CorrectionService
from mobile_api.schemas.common import LimitParam, ListResponse, OffsetParam, page_request
from mobile_api.schemas.reviews import CorrectionIn, CorrectionOut, ReviewOut


class ReviewController(Controller):
    path = "/reviews"
    tags = ["lifecycle"]

    @get("/", operation_id="list_reviews", sync_to_thread=True)
    def list_reviews(
        self,
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> ListResponse[ReviewOut]:
        """待验收: findings waiting for verification, those the AI flagged first, then the oldest;
        before/after photo links (original, thumb, annotated), the AI verdict, reasons and scores."""
        page = ReviewQueue(db_session).page(principal, page_request(limit, offset))
        return ListResponse([ReviewOut.of(item) for item in page.items], page.total, page.limit, page.offset)


class CorrectionController(Controller):
    path = "/findings/{finding_id:uuid}/ai-corrections"
    tags = ["ai"]

    @get("/", operation_id="list_ai_corrections", sync_to_thread=True)
    def list_corrections(
        self,
        finding_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
        limit: LimitParam = 50,
        offset: OffsetParam = 0,
    ) -> ListResponse[CorrectionOut]:
        """Corrections supervisors made to the detector's boxes on this finding's photos."""
        rows = CorrectionService(db_session).list(principal, finding_id)
        shown = rows[offset : offset + limit]
        return ListResponse([CorrectionOut.of(row) for row in shown], len(rows), limit, offset)

    @post("/", operation_id="add_ai_correction", status_code=201, sync_to_thread=True)
    def add_correction(
        self,
        finding_id: FromPath[uuid.UUID],
        data: JSONBody[CorrectionIn],
        principal: NamedDependency[Principal],
        db_session: NamedDependency[Session],
    ) -> CorrectionOut:
        """Mark a detection wrong, or add one the model missed (supervisors); feeds `parksafe ai export-dataset`."""
        service = CorrectionService(db_session)
        x1, y1, x2, y2 = data.box
        row = service.add(
            principal,
            finding_id,
            CorrectionInput(data.photo, data.kind, data.label, (x1, y1, x2, y2), data.note),
        )
        service.commit()  # in this thread, which holds the audit lock (see SyncController.push)
        return CorrectionOut.of(row)
