"""Supervisors correct the detector: a box that is wrong, or a hazard it missed (the learning loop's labels)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from ai.registry import load_registry
from backend.db.models import DetectionCorrection, Photo
from backend.db.versioning import lock_changes
from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from backend.domain.audit.service import AuditLog
from backend.domain.errors import AlreadyExists, Forbidden, InvalidInput
from backend.domain.findings.service import FindingService
from backend.domain.photos.results import results_by_photo

CorrectionKind = Literal["wrong", "missing"]
# A "wrong" correction names a stored box; coordinates are rounded to 0.1 px when stored.
BOX_TOLERANCE_PX = 1.0
MIN_BOX_PX = 2.0  # a box a supervisor adds for a missed object: narrower is no object, only a slip


@dataclass(frozen=True)
class CorrectionInput:
    photo: str
    kind: CorrectionKind
    label: str
    box: tuple[float, float, float, float]
    note: str = ""


def _same_box(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(abs(x - y) <= BOX_TOLERANCE_PX for x, y in zip(a, b, strict=True))


def _check_label(label: str, model_name: str) -> None:
    """A correction teaches the model: its label must be a class of the model that saw the photo
    (of any registered model when none has yet)."""
    registered = load_registry().models
    models = [m for m in registered if m.name == model_name] or registered
    known = sorted({name for m in models for name in m.classes})
    if label not in known:
        raise InvalidInput(
            f"未知的识别类别 {label!r}，可选：{'、'.join(known)} / unknown label, one of: {', '.join(known)}",
            {"field": "label", "allowed": known},
        )


class CorrectionService:
    def __init__(self, session: Session) -> None:
        self._session = session

    def list(self, principal: Principal, finding_id: uuid.UUID) -> list[DetectionCorrection]:
        FindingService(self._session).get(principal, finding_id)  # 404 outside the caller's scope
        return list(
            self._session.exec(
                select(DetectionCorrection)
                .where(DetectionCorrection.finding_id == finding_id)
                .order_by(col(DetectionCorrection.created_at))
            ).all()
        )

    def add(self, principal: Principal, finding_id: uuid.UUID, data: CorrectionInput) -> DetectionCorrection:
        if principal.role is not Role.SUPERVISOR:
            raise Forbidden("只有监管审核员可以纠正识别结果 / only supervisors correct detections")
        # Serialised with every other change until commit: the same correction sent twice at once
        # (a double tap, two replicas) must find the first when it checks for a repeat.
        lock_changes(self._session)
        finding = FindingService(self._session).get(principal, finding_id)
        # A before-photo, or an after-photo of its rectification (the one the verdict is about).
        on_photos = results_by_photo(self._session, [finding])
        if data.photo not in on_photos:
            raise InvalidInput(
                "该照片不属于这条隐患 / the photo is not one of this finding's", {"field": "photo"}
            )
        if self._session.get(Photo, data.photo) is None:
            raise InvalidInput(
                "照片尚未上传，上传后才能标注 / the photo has not been uploaded yet", {"field": "photo"}
            )
        box = [round(v, 1) for v in data.box]  # as stored: checked as it will be exported
        x1, y1, x2, y2 = box
        if not (x1 < x2 and y1 < y2) or min(box) < 0:
            raise InvalidInput(
                "框坐标应为 [x1, y1, x2, y2] 且 x1<x2、y1<y2 / box must be [x1, y1, x2, y2]", {"field": "box"}
            )
        if data.kind == "missing" and min(x2 - x1, y2 - y1) < MIN_BOX_PX:
            raise InvalidInput(
                f"框太小（宽高至少 {MIN_BOX_PX:g} 像素） / box under {MIN_BOX_PX:g} px", {"field": "box"}
            )
        results = on_photos[data.photo]
        model = results[0]["model"] if results else {"name": "", "version": ""}
        _check_label(data.label, model["name"])
        self._refuse_repeat(finding.id, data)
        if data.kind == "wrong":
            matched = next(
                (
                    (result, detection)
                    for result in results
                    for detection in result["detections"]
                    if detection["label"] == data.label and _same_box(detection["box"], data.box)
                ),
                None,
            )
            if matched is None:
                raise InvalidInput(
                    "该照片没有这个识别框 / no such detection on this photo",
                    {"field": "box", "label": data.label},
                )
            model = matched[0]["model"]
        elif results:
            width, height = results[0].get("width"), results[0].get("height")
            if width and height and (x2 > width + BOX_TOLERANCE_PX or y2 > height + BOX_TOLERANCE_PX):
                raise InvalidInput(
                    f"框超出照片范围（{width}×{height}）/ box outside the {width}x{height} image",
                    {"field": "box"},
                )
        correction = DetectionCorrection(
            finding_id=finding.id,
            photo_sha256=data.photo,
            kind=data.kind,
            label=data.label,
            box=box,
            model=model["name"],
            model_version=model["version"],
            note=data.note,
            author_id=principal.user_id,
        )
        self._session.add(correction)
        self._session.flush()
        AuditLog(self._session).record(
            principal.user_id,
            "finding.ai_corrected",
            "finding",
            finding.id,
            None,
            {"photo": data.photo, "kind": data.kind, "label": data.label, "box": correction.box},
        )
        return correction

    def _refuse_repeat(self, finding_id: uuid.UUID, data: CorrectionInput) -> None:
        earlier = self._session.exec(
            select(DetectionCorrection).where(
                DetectionCorrection.finding_id == finding_id,
                DetectionCorrection.photo_sha256 == data.photo,
                DetectionCorrection.kind == data.kind,
                DetectionCorrection.label == data.label,
            )
        ).all()
        if any(_same_box(c.box, data.box) for c in earlier):
            raise AlreadyExists(
                "已记录过相同的纠正 / this correction is already recorded",
                {"field": "box", "label": data.label},
            )

    def commit(self) -> None:
        self._session.commit()
