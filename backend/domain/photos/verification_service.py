"""Running the AI verification of a rectification once all its after-photos are stored."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, col, select

from backend.db.engine import transaction
from backend.db.models import Finding, FindingPhoto, Photo, Rectification
from backend.domain.audit.service import AuditLog
from backend.domain.findings.legal_basis import detected_hazard_codes, filed_hazard_codes
from backend.domain.findings.rectified import latest_rectification
from backend.domain.findings.vocabulary import FindingStatus
from backend.domain.photos.detection_service import detect_on_finding
from backend.domain.photos.links import photo_set, request_verification
from backend.domain.photos.service import original_key
from backend.storage import ObjectStore

log = logging.getLogger(__name__)
UNVERIFIABLE = "AI 未能分析这些照片，请人工核对整改前后照片 / AI could not analyse the photos"


def _open(store: ObjectStore, sha256: str) -> Image.Image:
    from ai.images import upright_rgb

    return upright_rgb(store.read(original_key(sha256)))


def _photos_in_use(
    session: Session, finding: Finding, rectification_id: uuid.UUID
) -> tuple[dict[str, str], dict[str, str]]:
    """The photos already used as evidence or proof (sha256 → pHash), and what a reason calls
    each. Only photos in use: a burst shot uploaded but never sent, or a photo uploaded after
    this one, is nobody's earlier proof. This rectification's own photos are left out unless
    used elsewhere too, where they are found (the same file sent as proof for two findings).

    The enterprise reads the reasons too: another enterprise's finding is not named to it."""
    from ai.verification import BEFORE_PHOTO

    finding_id = finding.id
    hashes: dict[str, str] = {}
    sources: dict[str, str] = {}
    linked = session.exec(
        select(FindingPhoto, Photo.phash, Finding.enterprise_id)
        .join(Photo, col(Photo.sha256) == col(FindingPhoto.photo_sha256))
        .join(Finding, col(Finding.id) == col(FindingPhoto.finding_id))
        .where(col(Photo.phash).is_not(None))
    ).all()
    for link, phash, enterprise_id in linked:
        sha, used_by, purpose = link.photo_sha256, link.finding_id, link.purpose
        if used_by == finding_id and purpose == "rectification":
            continue  # the finding's latest rectification: this one
        if phash and (sha not in sources or used_by == finding_id):
            hashes[sha] = phash
            if used_by == finding_id:
                sources[sha] = BEFORE_PHOTO
            elif enterprise_id == finding.enterprise_id:
                sources[sha] = f"隐患 {str(used_by)[:8].upper()} 的照片"
            else:
                sources[sha] = "另一企业隐患的照片"
    # The finding's earlier rectifications: the latest one's links replaced theirs.
    earlier_proof = session.exec(
        select(Rectification.photos).where(
            Rectification.finding_id == finding_id, Rectification.id != rectification_id
        )
    ).all()
    wanted = sorted({sha for photos in earlier_proof for sha in photos} - set(hashes))
    if wanted:
        for sha, phash in session.exec(
            select(Photo.sha256, Photo.phash).where(
                col(Photo.sha256).in_(wanted), col(Photo.phash).is_not(None)
            )
        ).all():
            if phash:
                hashes[sha], sources[sha] = phash, "此前提交的整改照片"
    return hashes, sources


def _analysed(finding: Finding) -> bool:
    """Whether the detectors' results on each before-photo are on the finding."""
    analysed = {result.get("photo") for result in finding.ai}
    return all(sha in analysed for sha in finding.photos)


def verify_rectification(
    session_factory: sessionmaker[Session], store: ObjectStore, data_dir: Path, rectification_id: uuid.UUID
) -> str | None:
    """Verify and store the result; None while before- or after-photos are still missing, or
    with nothing to do.

    Judged before the inspector's hazard photo arrives, a fix would be compared with no photo and
    pass, which is what a rectification sent first would exploit: the verdict waits for every
    photo, and the finding.photos_complete job asks for it again once they are in."""
    from ai.detection import ai_available
    from ai.registry import hazard_titles
    from ai.verification import BEFORE_PHOTO, AfterPhoto, perceptual_hash, verify

    with session_factory() as session:
        rectification = session.get(Rectification, rectification_id)
        if rectification is None or rectification.verification is not None:
            return None
        finding = session.get(Finding, rectification.finding_id)
        assert finding is not None
        photos = [*rectification.photos, *finding.photos]
        stored = {p.sha256: p for p in session.exec(select(Photo).where(col(Photo.sha256).in_(photos))).all()}
        if any(sha not in stored for sha in photos):
            return None
        analysed = _analysed(finding)
    if ai_available() and not analysed:
        # Their detection has not run (it failed, or ran before the AI was installed): the hazards
        # seen before are what the fix is checked against.
        detect_on_finding(session_factory, store, data_dir, finding.id)
    with session_factory() as session:
        rectification = session.get(Rectification, rectification_id)
        finding = session.get(Finding, finding.id)
        assert rectification is not None and finding is not None
        earlier, sources = _photos_in_use(session, finding, rectification.id)
        before_shas = [sha for sha in finding.photos if store.exists(original_key(sha))]
        before_codes = set(detected_hazard_codes(finding))
        filed_codes = filed_hazard_codes(finding)
        dispatched_at = finding.dispatched_at
    before_images = [_open(store, sha) for sha in before_shas]
    # The before-photos count as earlier photos even when re-submitted byte for byte.
    for sha, image in zip(before_shas, before_images, strict=True):
        earlier[sha], sources[sha] = perceptual_hash(image), BEFORE_PHOTO
    after_images = {sha: _open(store, sha) for sha in rectification.photos}
    after: list[AfterPhoto] = []
    after_results: list[dict[str, Any]] = []
    try:
        after_codes, after_results = _detect_after(data_dir, after_images)
        after = [
            AfterPhoto(sha, image, perceptual_hash(image), stored[sha].taken_at, after_codes[sha])
            for sha, image in after_images.items()
        ]
        verdict = verify(
            before_images, before_codes, after, earlier, dispatched_at, hazard_titles(), sources, filed_codes
        ).as_dict()
    except Exception:  # computation on photos already read: a retry fails the same, and no verdict at
        # all would leave the supervisor waiting on 'AI 核验进行中' while the proof escaped the check
        log.exception("rectification %s: the photos could not be analysed", rectification_id)
        verdict = {"verdict": "flagged", "reasons": [UNVERIFIABLE], "scores": {}}
    outcome = {**verdict, "ai": after_results}
    with transaction(session_factory) as session:
        rectification = session.get(Rectification, rectification_id)
        if rectification is None or rectification.verification is not None:
            return None
        rectification.verification = outcome
        session.add(rectification)
        for photo in after:
            row = session.get(Photo, photo.sha256)
            if row is not None and row.phash is None:
                row.phash = photo.phash
                session.add(row)
        session.flush()
        AuditLog(session).record(
            None,
            "rectification.verified",
            "finding",
            rectification.finding_id,
            None,
            {
                "rectification_id": str(rectification_id),
                **verdict,
                "detections": sum(len(result["detections"]) for result in after_results),
            },
        )
    return str(outcome["verdict"])


def _detect_after(
    data_dir: Path, after_images: dict[str, Image.Image]
) -> tuple[dict[str, set[str]], list[dict[str, Any]]]:
    """The hazard codes detected on each after-photo, and the detections themselves: kept with the
    verdict (as ``ai``, shaped like a finding's), the supervisor sees where the model still finds
    a hazard on the after-photo, not only that it does."""
    from ai.detection import ai_available, get_detectors
    from ai.images import UprightPhoto

    after_codes: dict[str, set[str]] = {sha: set() for sha in after_images}
    after_results: list[dict[str, Any]] = []
    if ai_available():
        for detector in get_detectors(data_dir):
            for sha, result in zip(
                after_images,
                detector.detect([UprightPhoto.of(image) for image in after_images.values()]),
                strict=True,
            ):
                after_codes[sha] |= {d.hazard_code for d in result.detections if d.hazard_code}
                after_results.append({"photo": sha, **result.as_dict()})
    return after_codes, after_results


def request_pending_verifications(session: Session, finding_id: uuid.UUID) -> None:
    """Ask again for the verification of the finding's unverified rectifications, now that
    its photos are all stored and analysed."""
    finding = session.get(Finding, finding_id)
    if finding is None or finding.status is not FindingStatus.PENDING_VERIFICATION:
        return
    latest = latest_rectification(session, finding_id)
    # Tested here: an unset JSON column holds JSON null, not SQL NULL.
    if latest is not None and latest.verification is None:
        request_verification(session, latest.id, f"before:{photo_set(finding.photos)}")


def index_photo_hash(session: Session, photo: Photo, upright: Image.Image) -> None:
    """Remember a stored photo's perceptual hash so later uploads can be checked against it.

    ``upright``: the photo as displayed (EXIF orientation applied), at any scale (the hash
    reads 32×32 pixels). A phone's portrait shot is stored sideways with a rotation tag, and
    a copy of it re-encoded upright must still read as the same picture.
    """
    from ai.verification import perceptual_hash

    if photo.phash is None:
        photo.phash = perceptual_hash(upright)
        session.add(photo)
