"""The learning loop's input: reviewed photos with the detector's boxes as supervisors corrected them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ai.yolo_dataset import LabelledBox, LabelledPhoto
from backend.db.models import DetectionCorrection, Finding
from backend.domain.findings.vocabulary import FindingStatus
from backend.domain.photos.corrections import BOX_TOLERANCE_PX
from backend.domain.photos.results import results_by_photo
from backend.domain.photos.service import original_key
from backend.storage import ObjectStore


def _same(a: list[float], b: list[float]) -> bool:
    return all(abs(x - y) <= BOX_TOLERANCE_PX for x, y in zip(a, b, strict=True))


def corrected_boxes(
    results: list[dict[str, Any]], corrections: list[DetectionCorrection], model: str
) -> list[LabelledBox]:
    """The model's boxes minus those marked wrong, plus those marked missing."""
    wrong = [(c.label, c.box) for c in corrections if c.kind == "wrong"]
    boxes = [
        LabelledBox(d["label"], tuple(d["box"]))
        for result in results
        if result["model"]["name"] == model
        for d in result["detections"]
        if not any(label == d["label"] and _same(box, d["box"]) for label, box in wrong)
    ]
    boxes += [LabelledBox(c.label, tuple(c.box)) for c in corrections if c.kind == "missing"]  # type: ignore[arg-type]
    return boxes


def reviewed_photos(session: Session, store: ObjectStore, model: str) -> Iterator[LabelledPhoto]:
    """Before- and after-photos of findings a supervisor has looked at: closed ones, or any with
    corrections."""
    corrections: dict[str, list[DetectionCorrection]] = defaultdict(list)
    for correction in session.exec(select(DetectionCorrection)).all():
        corrections[correction.photo_sha256].append(correction)
    corrected_findings = {c.finding_id for rows in corrections.values() for c in rows}
    findings = session.exec(
        select(Finding).where(
            col(Finding.deleted_at).is_(None),
            sa.or_(col(Finding.status) == FindingStatus.CLOSED, col(Finding.id).in_(corrected_findings)),
        )
    ).all()
    for sha256, results in results_by_photo(session, list(findings)).items():
        if not (results or corrections[sha256]) or not store.exists(original_key(sha256)):
            continue
        yield LabelledPhoto(
            sha256, store.read(original_key(sha256)), corrected_boxes(results, corrections[sha256], model)
        )
