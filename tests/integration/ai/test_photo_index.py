"""Stored photos are indexed by perceptual hash as displayed, so reused pictures are recognised."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import Session

from ai.images import upright_rgb
from backend.db.construct import new
from backend.db.models import Photo
from backend.domain.photos.thumbnails import thumbnail_source
from backend.domain.photos.verification_service import index_photo_hash
from tests.integration.ai.conftest import DATASET, WORKERS_WITHOUT_HELMETS
from tests.photos import sha256

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")


def stored(db: Session, data: bytes) -> Photo:
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    photo = new(
        Photo, sha256=sha256(data), content_type="image/jpeg", bytes=len(data), width=width, height=height
    )
    index_photo_hash(db, photo, thumbnail_source(data, 320))  # as the thumbnail job does
    db.commit()
    return photo


def test_a_portrait_shot_stored_sideways_hashes_like_its_upright_copy(db: Session) -> None:
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip(f"dataset not found at {DATASET}")
    with Image.open(WORKERS_WITHOUT_HELMETS) as picture:
        upright, sideways = io.BytesIO(), io.BytesIO()
        picture.save(upright, "JPEG", quality=90)
        exif = Image.Exif()
        exif[0x0112] = 6  # the phone stored the pixels turned; the tag turns them back for display
        picture.transpose(Image.Transpose.ROTATE_90).save(sideways, "JPEG", quality=90, exif=exif)
    from ai.verification import hamming

    first, second = stored(db, sideways.getvalue()), stored(db, upright.getvalue())
    assert first.phash is not None and second.phash is not None
    assert hamming(first.phash, second.phash) <= 4, (first.phash, second.phash)


def test_the_index_hash_from_a_reduced_decode_matches_the_full_photo_hash(db: Session) -> None:
    """The thumbnail job hashes its reduced-scale decode; verification hashes after-photos in
    full. The same picture must land well inside the near-duplicate distance."""
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip(f"dataset not found at {DATASET}")
    from ai.verification import NEAR_DUPLICATE_MAX_DISTANCE, hamming, perceptual_hash

    data = WORKERS_WITHOUT_HELMETS.read_bytes()
    indexed = stored(db, data)
    assert indexed.phash is not None
    assert hamming(indexed.phash, perceptual_hash(upright_rgb(data))) <= NEAR_DUPLICATE_MAX_DISTANCE // 4
