"""Running the registered detectors on photos, offline, loaded once per process.

Boxes are in pixels of the upright image (EXIF orientation applied), and every result
says the width and height they refer to.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from ai.export import Backend, serving_weights
from ai.offline import import_yolo
from ai.registry import ModelEntry, load_registry


@dataclass(frozen=True)
class Detection:
    label: str
    hazard_code: str | None
    confidence: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class DetectionResult:
    model: str
    model_version: str
    width: int
    height: int
    detections: list[Detection]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": {"name": self.model, "version": self.model_version},
            "width": self.width,
            "height": self.height,
            "detections": [
                {
                    "label": d.label,
                    "hazard_code": d.hazard_code,
                    "confidence": round(d.confidence, 4),
                    "box": [round(v, 1) for v in d.box],
                }
                for d in self.detections
            ],
        }


@dataclass(frozen=True)
class UprightPhoto:
    """A photo ready for a detector: upright RGB pixels, possibly decoded at a reduced scale,
    and the size of the full upright photo, which boxes are reported in."""

    image: Image.Image
    width: int
    height: int

    @classmethod
    def of(cls, image: Image.Image) -> UprightPhoto:
        return cls(image, image.width, image.height)


_ORIENTATION = 0x0112
_QUARTER_TURNS = {5, 6, 7, 8}  # EXIF orientations that swap width and height


def upright_photo(data: bytes, at_least: int | None = None) -> UprightPhoto:
    """Decode, apply EXIF orientation and bring any mode (16-bit, CMYK, grey, alpha) to RGB.

    ``at_least``: a JPEG is decoded at the smallest DCT scale (1/2 … 1/8) that keeps both sides
    at least this long. A detector with a 416 px input needs no more, and a 12-megapixel phone
    photo then decodes in a fraction of the time.
    """
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        orientation = image.getexif().get(_ORIENTATION, 1)
        if orientation in _QUARTER_TURNS:
            width, height = height, width
        if at_least and image.format == "JPEG":
            image.draft("RGB", (at_least, at_least))
        # exif_transpose copies the pixels even when there is nothing to turn
        upright = ImageOps.exif_transpose(image) if orientation not in (None, 1) else image
        return UprightPhoto(_rgb(upright), width, height)


def upright_rgb(data: bytes) -> Image.Image:
    """The full upright photo in RGB (see ``upright_photo``)."""
    return upright_photo(data).image


def _rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return background
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        return image.point(lambda value: value / 256).convert("L").convert("RGB")
    if image.mode == "RGB":
        image.load()  # the pixels outlive the source file
        return image
    return image.convert("RGB")


class Detector:
    """One loaded model. ``predict`` is serialised: ultralytics models are not thread-safe."""

    backend: Backend

    def __init__(self, entry: ModelEntry, data_dir: Path) -> None:
        YOLO = import_yolo(data_dir)
        self.entry = entry
        weights, self.backend = serving_weights(entry, data_dir)
        self._model = YOLO(str(weights), task="detect")
        self._lock = threading.Lock()

    def detect(self, photos: list[UprightPhoto]) -> list[DetectionResult]:
        """Detect on several upright photos in one batch; boxes in each full photo's pixels."""
        if not photos:
            return []
        images = [photo.image for photo in photos]
        floor = min([self.entry.default_threshold, *self.entry.thresholds.values()])
        with self._lock:
            predictions: list[Any] = list(
                self._model.predict(
                    images, imgsz=self.entry.image_size, conf=floor, verbose=False, device="cpu"
                )
            )
        results = []
        for photo, prediction in zip(photos, predictions, strict=True):
            names = prediction.names
            sx, sy = photo.width / photo.image.width, photo.height / photo.image.height
            found = []
            for box, confidence, cls in zip(
                prediction.boxes.xyxy.tolist(),
                prediction.boxes.conf.tolist(),
                prediction.boxes.cls.tolist(),
                strict=True,
            ):
                label = names[int(cls)]
                if confidence < self.entry.threshold(label):
                    continue
                found.append(
                    Detection(
                        label,
                        self.entry.hazards.get(label),
                        float(confidence),
                        (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy),
                    )
                )
            found.sort(key=lambda d: -d.confidence)
            results.append(
                DetectionResult(self.entry.name, self.entry.version, photo.width, photo.height, found)
            )
        return results


_detectors: dict[str, Detector] = {}
_lock = threading.Lock()


def get_detectors(data_dir: Path) -> list[Detector]:
    with _lock:
        for entry in load_registry().models:
            if entry.name not in _detectors:
                _detectors[entry.name] = Detector(entry, data_dir)
        return [_detectors[entry.name] for entry in load_registry().models]


def ai_available() -> bool:
    """Whether the 'ai' extra is installed; looks without importing (importing patches PIL)."""
    return importlib.util.find_spec("ultralytics") is not None
