"""Keep ultralytics (and OpenVINO) fully offline: no downloads, no telemetry, settings under our data dir."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def configure_ultralytics_offline(data_dir: Path) -> None:
    """Must run before ``ultralytics`` is imported; it reads these at import time."""
    config_dir = data_dir / "ultralytics"
    config_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("YOLO_CONFIG_DIR", str(config_dir))
    os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_VERBOSE", "False")
    # Fonts and weights are fetched from the hub on demand; plots are disabled in training
    # and no pretrained weight name is ever passed, so nothing triggers a download.
    os.environ.setdefault("ULTRALYTICS_SYNC", "False")


def decline_openvino_telemetry() -> None:
    """OpenVINO's model conversion sends usage data unless its consent file says no, and counts a
    missing file as consent. Write "no" (what its ``opt_in_out --opt_out`` does) unless the
    user has already decided either way."""
    try:
        from openvino_telemetry.utils.opt_in_checker import ConsentCheckResult, OptInChecker
    except ImportError:
        return
    checker = OptInChecker()
    if checker.consent_file_base_dir() is not None and not os.path.exists(checker.consent_file()):
        checker.update_result(ConsentCheckResult.DECLINED)


def import_yolo(data_dir: Path) -> Any:
    """ultralytics' ``YOLO`` class, imported offline, with its process-wide PIL patch undone.

    Importing ultralytics replaces ``PIL.Image.open`` with a wrapper that, on the first file
    Pillow cannot identify, pip-installs a HEIF plugin and imports it. Here that would be a
    download at run time and, offline, an ImportError where photo intake must answer 422:
    so the original ``Image.open`` is put back.
    """
    configure_ultralytics_offline(data_dir)
    from PIL import Image
    from ultralytics import YOLO  # type: ignore[attr-defined]
    from ultralytics.utils import patches

    Image.open = getattr(patches, "_image_open", Image.open)
    return YOLO
