"""Keep ultralytics fully offline: no downloads, no telemetry, settings under our data dir."""

from __future__ import annotations

import os
from pathlib import Path


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
