"""AI verification of a rectification: is the after-photo a real, new photo of the same place,
and is the hazard gone? (整改照片核验 — fake rectification photos are common.)

Three checks, each with a score and a reason (thresholds measured on dataset photos,
see docs/verification.md):
(a) hazard codes detected before are no longer detected after;
(b) the after photo shows the same scene: ORB feature matches with Lowe's ratio test;
(c) the after photo is new: its perceptual hash is not near any earlier photo's, it is not a
    crop or rescale of a before-photo (the before-photo aligned onto it by the ORB matches
    correlates almost perfectly, which a pHash misses once a crop passes ~5 %), and where EXIF
    has a capture time it was taken after the finding was dispatched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import cv2
import numpy as np
from PIL import Image

SAME_SCENE_MIN_MATCHES = 25  # good ORB matches between before and after photos
NEAR_DUPLICATE_MAX_DISTANCE = 8  # Hamming distance of 64-bit pHashes
# Correlation of the after-photo with a before-photo aligned onto it (affine transform from
# the ORB matches, 160 px wide): crops, rescales and re-encodes of one picture give 0.99 and more.
COPY_MIN_CORRELATION = 0.985
COPY_MIN_OVERLAP = 0.5  # of the after-photo covered by the aligned before-photo
WORKING_SIZE = 640
# ORB looks for corners at least 31 px from the border (its patch size): a photo narrower than this
# at the working size (a 4000×4 strip is 640×1) holds no features, and OpenCV fails on a 1 px side.
MIN_COMPARABLE_SIDE = 64


def perceptual_hash(image: Image.Image) -> str:
    """64-bit DCT hash (pHash) of the greyscale image, as 16 hex digits."""
    grey = np.asarray(image.convert("L").resize((32, 32), Image.Resampling.LANCZOS), dtype=np.float32)
    low = cv2.dct(grey)[:8, :8]
    bits = (low > np.median(low)).flatten()
    return f"{int(''.join('1' if bit else '0' for bit in bits), 2):016x}"


def hamming(left: str, right: str) -> int:
    return bin(int(left, 16) ^ int(right, 16)).count("1")


def comparable(image: Image.Image) -> bool:
    """Whether the photo, at the working size, is large enough on both sides to compare scenes."""
    width, height = image.size
    scale = min(1.0, WORKING_SIZE / max(width, height))
    return min(width, height) * scale >= MIN_COMPARABLE_SIDE


def _grey(image: Image.Image) -> np.ndarray:
    small = image.copy()
    small.thumbnail((WORKING_SIZE, WORKING_SIZE))
    return np.asarray(small.convert("L"))


@dataclass(frozen=True)
class SceneComparison:
    matches: int  # good ORB matches (Lowe's ratio 0.75)
    copy_correlation: float | None  # None: too few matches to align, or too little overlap


def compare_scenes(before: Image.Image, after: Image.Image) -> SceneComparison:
    if not (comparable(before) and comparable(after)):
        return SceneComparison(0, None)
    grey_before, grey_after = _grey(before), _grey(after)
    orb = cv2.ORB_create(nfeatures=1500)  # type: ignore[attr-defined]
    before_points, before_descriptors = orb.detectAndCompute(grey_before, None)
    after_points, after_descriptors = orb.detectAndCompute(grey_after, None)
    if (
        before_descriptors is None
        or after_descriptors is None
        or len(before_descriptors) < 2
        or len(after_descriptors) < 2
    ):
        return SceneComparison(0, None)
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(after_descriptors, before_descriptors, k=2)
    good = [pair[0] for pair in pairs if len(pair) == 2 and pair[0].distance < 0.75 * pair[1].distance]
    if len(good) < SAME_SCENE_MIN_MATCHES:
        return SceneComparison(len(good), None)
    source = np.array([before_points[m.trainIdx].pt for m in good], dtype=np.float32)
    target = np.array([after_points[m.queryIdx].pt for m in good], dtype=np.float32)
    return SceneComparison(len(good), _aligned_correlation(grey_before, grey_after, source, target))


def _aligned_correlation(
    grey_before: np.ndarray, grey_after: np.ndarray, source: np.ndarray, target: np.ndarray
) -> float | None:
    transform, _ = cv2.estimateAffine2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    if transform is None:
        return None
    height, width = grey_after.shape
    warped = cv2.warpAffine(grey_before, transform, (width, height), flags=cv2.INTER_AREA)
    covered = cv2.warpAffine(np.full(grey_before.shape, 255, np.uint8), transform, (width, height)) > 250
    covered = cv2.erode(covered.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # no resampled edge
    if covered.mean() < COPY_MIN_OVERLAP:
        return None
    size = (160, max(1, round(160 * height / width)))
    inside = cv2.resize(covered.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    after_values = cv2.resize(grey_after, size, interpolation=cv2.INTER_AREA).astype(np.float32)[inside]
    before_values = cv2.resize(warped, size, interpolation=cv2.INTER_AREA).astype(np.float32)[inside]
    after_values -= after_values.mean()
    before_values -= before_values.mean()
    spread = float(np.sqrt((after_values**2).sum() * (before_values**2).sum()))
    return float((after_values * before_values).sum() / spread) if spread > 0 else None


@dataclass
class Verification:
    verdict: str = "pass"
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, Any] = field(default_factory=dict)

    def flag(self, reason: str) -> None:
        self.verdict = "flagged"
        self.reasons.append(reason)

    def as_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "reasons": self.reasons, "scores": self.scores}


@dataclass(frozen=True)
class AfterPhoto:
    sha256: str
    image: Image.Image
    phash: str
    taken_at: datetime | None
    hazard_codes: set[str]


BEFORE_PHOTO = "整改前照片"


def verify(
    before_images: list[Image.Image],
    before_codes: set[str],
    after: list[AfterPhoto],
    earlier_hashes: dict[str, str],
    dispatched_at: datetime | None,
    hazard_titles: dict[str, str] | None = None,
    earlier_sources: dict[str, str] | None = None,
    filed_codes: set[str] | None = None,
) -> Verification:
    """``earlier_hashes``: sha256 → pHash of the photos already in use as evidence or proof, the
    finding's own before-photos included. ``earlier_sources``: what a reason calls each of them
    (``BEFORE_PHOTO``, "隐患 AB12CD34 的照片"); reasons and scores never carry a whole hash, which
    would let an enterprise fetch another's photo. ``hazard_titles``: what reasons call a hazard code.
    ``filed_codes``: the hazard codes of the checklist item the finding is filed under (None where
    it is filed under none): only those must be gone. A bystander in street clothes seen before
    and after does not make a fixed 未戴安全帽 finding fail; that is noted in the scores."""
    result = Verification()
    sources = earlier_sources or {}
    seen_after = set().union(*(photo.hazard_codes for photo in after))
    checked = before_codes if filed_codes is None else before_codes & filed_codes
    still = sorted(checked & seen_after)
    result.scores["hazards_before"] = sorted(before_codes)
    result.scores["hazards_after"] = sorted(seen_after)
    if other := sorted((before_codes & seen_after) - checked):
        result.scores["other_hazards_still_seen"] = other
    if still:
        named = "、".join((hazard_titles or {}).get(code, code) for code in still)
        result.flag(f"整改后照片仍识别到隐患：{named} / hazard still detected after rectification")
    if not before_images:  # "pass" would say the scene and the hazard were checked: neither was
        result.flag(
            "隐患没有整改前照片，无法比对是否同一场景、隐患是否消除，请人工核对 "
            "/ no before-photo: scene and hazard not compared"
        )
    scenes = [image for image in before_images if comparable(image)]
    if before_images and not scenes:
        result.flag(
            "整改前照片过小或过窄，无法比对是否同一场景，请人工核对 / before-photo too small to compare scenes"
        )
    for number, photo in enumerate(after, start=1):
        which = "整改后照片" if len(after) == 1 else f"整改后照片第{number}张"
        comparisons = [compare_scenes(before, photo.image) for before in scenes]
        matches = max((c.matches for c in comparisons), default=0)
        result.scores[f"scene_matches:{photo.sha256[:12]}"] = matches
        copy = max((c.copy_correlation for c in comparisons if c.copy_correlation is not None), default=None)
        result.scores[f"copy_correlation:{photo.sha256[:12]}"] = None if copy is None else round(copy, 4)
        if scenes and not comparable(photo.image):
            width, height = photo.image.size
            result.flag(
                f"{which}过小或过窄（{width}×{height} 像素），无法比对是否同一场景，请人工核对 "
                "/ photo too small to compare scenes"
            )
        elif scenes and matches < SAME_SCENE_MIN_MATCHES:
            result.flag(f"{which}与整改前不是同一场景（相同特征仅 {matches} 处） / different scene")
        # On a tie the finding's own before-photo is named: "与整改前照片相同" says what happened.
        nearest = min(
            (
                (hamming(photo.phash, other), sources.get(sha) != BEFORE_PHOTO, sha)
                for sha, other in earlier_hashes.items()
            ),
            default=None,
        )
        if nearest is not None:
            distance, _, sha = nearest
            source = sources.get(sha, f"已有照片（{sha[:12]}）")
            result.scores[f"nearest_earlier_photo:{photo.sha256[:12]}"] = {
                "distance": distance,
                "photo": sha[:12],
                "source": source,
            }
            if distance <= NEAR_DUPLICATE_MAX_DISTANCE:
                same = "相同" if distance == 0 else "近似重复"
                result.flag(f"{which}与{source}{same} / reused photo")
                copy = None  # one reason for one reuse
        if copy is not None and copy >= COPY_MIN_CORRELATION:
            result.flag(f"{which}是整改前照片的裁剪或缩放副本 / a cropped or rescaled copy of a before-photo")
        if photo.taken_at is not None and dispatched_at is not None and photo.taken_at < dispatched_at:
            result.flag(f"{which}拍摄时间早于下发整改时间 / photo taken before the finding was dispatched")
    return result
