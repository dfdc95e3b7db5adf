"""Verification checks on real site photos: same scene, new photo, taken after dispatch, hazard gone."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageEnhance

pytest.importorskip("cv2", reason="OpenCV comes with the 'ai' extra")

from ai.verification import BEFORE_PHOTO, AfterPhoto, perceptual_hash, verify

VAL = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "ppe-sfchd" / "val" / "images"
DISPATCHED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def photo(index: int) -> Image.Image:
    images = sorted(VAL.glob("*.jpg"))
    if len(images) <= index:
        pytest.skip(f"dataset not found at {VAL}")
    return Image.open(images[index]).convert("RGB")


def later_at_the_same_place(before: Image.Image) -> Image.Image:
    """The same scene photographed again: another framing, other light, the area changed."""
    width, height = before.size
    after = ImageEnhance.Brightness(
        before.crop((int(width * 0.12), int(height * 0.1), width, height))
    ).enhance(1.25)
    ImageDraw.Draw(after).rectangle(
        (0, int(after.height * 0.55), int(after.width * 0.5), after.height), fill=(128, 128, 120)
    )
    return after.resize((width, height))


def after_photo(
    image: Image.Image, sha: str = "a" * 64, taken_at: datetime | None = None, codes: set[str] | None = None
) -> AfterPhoto:
    return AfterPhoto(sha, image, perceptual_hash(image), taken_at, codes or set())


def test_a_new_photo_of_the_same_place_without_the_hazard_passes() -> None:
    before = photo(40)
    result = verify(
        [before],
        {"no_helmet"},
        [after_photo(later_at_the_same_place(before), taken_at=DISPATCHED + timedelta(days=1))],
        {"b" * 64: perceptual_hash(before), "c" * 64: perceptual_hash(photo(90))},
        DISPATCHED,
    )
    assert result.verdict == "pass", result.reasons


def test_the_before_photo_sent_again_is_flagged_as_reused() -> None:
    before = photo(40)
    buffer = io.BytesIO()
    before.save(buffer, "JPEG", quality=55)  # re-encoded: other bytes, same picture
    resent = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    result = verify([before], set(), [after_photo(resent)], {"b" * 64: perceptual_hash(before)}, DISPATCHED)
    assert result.verdict == "flagged"
    assert any("近似重复" in reason or "相同" in reason for reason in result.reasons)


def test_a_reused_photo_is_named_by_where_it_is_used_and_by_position_never_by_its_whole_hash() -> None:
    """An enterprise reads the reasons: a whole hash of another enterprise's photo would let it fetch it."""
    before, elsewhere = photo(40), photo(90)
    sources = {"b" * 64: BEFORE_PHOTO, "e" * 64: "隐患 AB12CD34 的照片"}
    hashes = {"b" * 64: perceptual_hash(before), "e" * 64: perceptual_hash(elsewhere)}
    new = later_at_the_same_place(before)
    result = verify(
        [before],
        set(),
        [after_photo(new), after_photo(elsewhere, "f" * 64)],
        hashes,
        DISPATCHED,
        None,
        sources,
    )
    assert "整改后照片第2张与隐患 AB12CD34 的照片相同 / reused photo" in result.reasons
    assert not any("第1张" in reason and "reused" in reason for reason in result.reasons)
    assert "e" * 64 not in str(result.as_dict()) and "b" * 64 not in str(result.as_dict())


@pytest.mark.parametrize(
    "box",
    [
        (0.025, 0.025, 0.975, 0.975),  # 5 % trimmed: the pHash reads 10 or more apart on some photos
        (0.0, 0.1, 0.85, 1.0),  # cut off one side
        (0.2, 0.2, 1.0, 1.0),  # a corner blown up to full size
    ],
)
def test_a_crop_of_the_before_photo_is_flagged_as_a_copy(box: tuple[float, float, float, float]) -> None:
    for before in (photo(40), photo(90), photo(150)):
        width, height = before.size
        cropped = before.crop(
            (int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height))
        ).resize((width, height))
        buffer = io.BytesIO()
        cropped.save(buffer, "JPEG", quality=90)
        sent = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
        result = verify([before], set(), [after_photo(sent)], {"b" * 64: perceptual_hash(before)}, DISPATCHED)
        assert result.verdict == "flagged"
        assert any("近似重复" in reason or "裁剪或缩放副本" in reason for reason in result.reasons)


def test_a_photo_of_another_place_is_flagged_as_a_different_scene() -> None:
    result = verify([photo(40)], set(), [after_photo(photo(120))], {}, DISPATCHED)
    assert result.verdict == "flagged"
    assert any("不是同一场景" in reason for reason in result.reasons)


def test_without_a_before_photo_the_proof_is_flagged_for_a_person_to_check() -> None:
    """Nothing was compared: a pass would tell the supervisor the scene and the hazard were checked."""
    result = verify(
        [], set(), [after_photo(photo(40), taken_at=DISPATCHED + timedelta(days=1))], {}, DISPATCHED
    )
    assert result.verdict == "flagged"
    assert result.reasons == [
        "隐患没有整改前照片，无法比对是否同一场景、隐患是否消除，请人工核对 "
        "/ no before-photo: scene and hazard not compared"
    ]


@pytest.mark.parametrize("size", [(1, 1), (4000, 4), (640, 1), (3000, 2)])
def test_a_strip_sent_as_proof_is_flagged_for_a_person_not_left_unverified(size: tuple[int, int]) -> None:
    """OpenCV failed on a photo 1 px high at the working size: the job retried to its end and the
    proof never got a verdict, so a strip skipped the check."""
    strip = Image.new("RGB", size, (90, 90, 90))
    result = verify([photo(40)], set(), [after_photo(strip)], {}, DISPATCHED)
    assert result.verdict == "flagged"
    assert (
        f"整改后照片过小或过窄（{size[0]}×{size[1]} 像素），无法比对是否同一场景，请人工核对"
        in result.reasons[0]
    )


def test_a_strip_as_the_before_photo_is_flagged_for_a_person_to_check() -> None:
    strip = Image.new("RGB", (4000, 4), (90, 90, 90))
    result = verify([strip], set(), [after_photo(photo(40))], {}, DISPATCHED)
    assert result.verdict == "flagged"
    assert result.reasons == [
        "整改前照片过小或过窄，无法比对是否同一场景，请人工核对 / before-photo too small to compare scenes"
    ]


def test_a_hazard_still_detected_after_is_flagged() -> None:
    before = photo(40)
    result = verify(
        [before],
        {"no_helmet"},
        [after_photo(later_at_the_same_place(before), codes={"no_helmet"})],
        {},
        DISPATCHED,
        {"no_helmet": "未戴安全帽"},
    )
    assert result.verdict == "flagged"
    assert any(reason.startswith("整改后照片仍识别到隐患：未戴安全帽") for reason in result.reasons)


def test_only_the_hazard_the_finding_is_filed_under_must_be_gone() -> None:
    """A 未戴安全帽 finding fixed (helmets on) while a bystander in street clothes is still in the
    picture: the bystander is noted, the fix is not failed for it."""
    before = photo(40)
    after = [
        after_photo(
            later_at_the_same_place(before), codes={"no_wear"}, taken_at=DISPATCHED + timedelta(hours=2)
        )
    ]
    titles = {"no_helmet": "未戴安全帽", "no_wear": "未穿工作服"}
    fixed = verify(
        [before], {"no_helmet", "no_wear"}, after, {}, DISPATCHED, titles, filed_codes={"no_helmet"}
    )
    assert fixed.verdict == "pass", fixed.reasons
    assert fixed.scores["other_hazards_still_seen"] == ["no_wear"]
    unfiled = verify([before], {"no_helmet", "no_wear"}, after, {}, DISPATCHED, titles)
    assert unfiled.verdict == "flagged"
    assert any(reason.startswith("整改后照片仍识别到隐患：未穿工作服") for reason in unfiled.reasons)


def test_a_photo_taken_before_dispatch_is_flagged() -> None:
    before = photo(40)
    result = verify(
        [before],
        set(),
        [after_photo(later_at_the_same_place(before), taken_at=DISPATCHED - timedelta(hours=2))],
        {},
        DISPATCHED,
    )
    assert result.verdict == "flagged"
    assert any("早于下发" in reason for reason in result.reasons)
