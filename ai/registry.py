"""The model registry (ai/models.yaml): which detectors run, with what thresholds and meaning."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from rules.loader import load_rules

AI_DIR = Path(__file__).parent
REGISTRY = AI_DIR / "models.yaml"
Confidence = Annotated[float, msgspec.Meta(gt=0, lt=1)]


class ModelEntry(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    version: str
    weights: str
    image_size: Annotated[int, msgspec.Meta(ge=32, le=2048)]
    card: str | None = None
    backend: Literal["auto", "torch", "onnx", "openvino"] = "auto"
    default_threshold: Confidence = 0.35
    # Two boxes of one class overlapping more than this (IoU) are one object: the weaker is dropped.
    nms_iou: Annotated[float, msgspec.Meta(gt=0, lt=1)] = 0.7
    thresholds: dict[str, Confidence] = {}
    hazards: dict[str, Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+$")]] = {}
    classes: list[str] = []  # the model's class names in id order (for exported datasets)
    titles: dict[str, str] = {}  # class name → what users read (zh-CN); the name itself where absent

    def title(self, label: str) -> str:
        return self.titles.get(label, label)

    @property
    def weights_path(self) -> Path:
        return (AI_DIR / self.weights).resolve()

    def threshold(self, label: str) -> float:
        return self.thresholds.get(label, self.default_threshold)


class Registry(msgspec.Struct, forbid_unknown_fields=True):
    version: Literal[1]
    models: Annotated[list[ModelEntry], msgspec.Meta(min_length=1)]


@cache
def load_registry(path: Path = REGISTRY) -> Registry:
    return load_rules(path, Registry)


def hazard_titles() -> dict[str, str]:
    """Hazard code → what users read, from the registered models' class titles."""
    return {
        code: entry.title(label) for entry in load_registry().models for label, code in entry.hazards.items()
    }


class UnknownModel(LookupError):
    pass


def find_model(name: str | None = None) -> ModelEntry:
    """The registered model called ``name``; the first one when no name is given."""
    entries = load_registry().models
    entry = next((e for e in entries if e.name == name), None) if name else entries[0]
    if entry is None:
        known = ", ".join(e.name for e in entries)
        raise UnknownModel(f"ai/models.yaml 中没有模型 {name!r}（已有：{known}）/ no model named {name!r}")
    return entry
