"""The annotated photo a supervisor reviews: the picture as taken, every label readable."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from backend.domain.photos.annotation import HAZARD_COLOUR, annotate


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def result(box: list[float], width: int, height: int) -> dict[str, object]:
    detection = {
        "label": "no_helmet",
        "title": "未戴安全帽",
        "hazard_code": "no_helmet",
        "confidence": 0.87,
        "box": box,
    }
    return {"width": width, "height": height, "detections": [detection]}


def reds(image: Image.Image) -> np.ndarray:
    pixels = np.asarray(image.convert("RGB")).astype(int)
    target = np.array(HAZARD_COLOUR)
    return np.abs(pixels - target).sum(axis=2) < 60  # type: ignore[no-any-return]


def test_a_16_bit_greyscale_photo_keeps_its_tones() -> None:
    grey = Image.fromarray(np.full((240, 320), 20000, dtype=np.uint16))  # mid-grey in 16 bits
    annotated = Image.open(io.BytesIO(annotate(png(grey), [result([10, 10, 60, 60], 320, 240)])))
    corner = np.asarray(annotated.convert("L"))[200:, 200:]
    assert 60 < corner.mean() < 100  # 20000/65535 of white, not blown out to white


def test_a_label_of_a_box_at_the_right_edge_is_moved_left_to_stay_whole() -> None:
    photo = Image.new("RGB", (400, 300), (200, 200, 200))
    annotated = Image.open(io.BytesIO(annotate(png(photo), [result([370, 150, 398, 200], 400, 300)])))
    red = reds(annotated)
    label_rows = red[100:150]  # the label sits above the box
    columns = np.flatnonzero(label_rows.any(axis=0))
    assert columns.min() < 370 - 40  # the label reaches left of the box to fit "未戴安全帽 87%"


def test_a_strip_far_wider_than_high_is_drawn_not_refused() -> None:
    strip = Image.new("RGB", (3300, 1), (120, 120, 120))  # a stored upload: 1 px high once scaled
    annotated = Image.open(io.BytesIO(annotate(png(strip), [])))
    assert annotated.size == (1600, 1)
