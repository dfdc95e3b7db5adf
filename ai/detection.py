"""Running the registered detectors on photos, offline, loaded once per process.

Boxes are in pixels of the upright image (EXIF orientation applied), and every result
says the width and height they refer to.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai.export import Backend, serving_weights
from ai.images import UprightPhoto
from ai.offline import import_yolo
from ai.registry import ModelEntry, load_registry


@dataclass(frozen=True)
class Detection:
    label: str
    title: str  # what users read (zh-CN)
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
                    "title": d.title,
                    "hazard_code": d.hazard_code,
                    "confidence": round(d.confidence, 4),
                    "box": [round(v, 1) for v in d.box],
                }
                for d in self.detections
            ],
        }


class Detector:
    """One loaded model. ``predict`` is serialised: ultralytics models are not thread-safe."""

    backend: Backend

    def __init__(self, entry: ModelEntry, data_dir: Path) -> None:
        YOLO = import_yolo(data_dir)
        self.entry = entry
        weights, self.backend = serving_weights(entry, data_dir)
        self.model = YOLO(str(weights), task="detect")  # the loaded ultralytics model; detect() is the way in
        self._lock = threading.Lock()

    def detect(self, photos: list[UprightPhoto]) -> list[DetectionResult]:
        """Detect on several upright photos, one batch per image size; boxes in each full photo's pixels."""
        if not photos:
            return []
        floor = min([self.entry.default_threshold, *self.entry.thresholds.values()])
        predictions: dict[int, Any] = {}
        with self._lock:
            for batch in same_size_batches(photos):
                batch_predictions = self.model.predict(
                    [photos[i].image for i in batch],
                    imgsz=self.entry.image_size,
                    conf=floor,
                    iou=self.entry.nms_iou,
                    verbose=False,
                    device="cpu",
                )
                predictions.update(zip(batch, batch_predictions, strict=True))
        results = []
        for index, photo in enumerate(photos):
            prediction = predictions[index]
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
                        self.entry.title(label),
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


def same_size_batches(photos: list[UprightPhoto]) -> list[list[int]]:
    """Indexes of the photos grouped by image size, in first-seen order.

    ultralytics letterboxes a batch of mixed sizes to the full square input, but a batch of
    one size only to the nearest stride: mixing a portrait and a landscape photo would make
    the model look at a third more padding than either alone.
    """
    groups: dict[tuple[int, int], list[int]] = {}
    for index, photo in enumerate(photos):
        groups.setdefault(photo.image.size, []).append(index)
    return list(groups.values())


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
