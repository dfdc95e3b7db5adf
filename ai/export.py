"""Faster inference backends: the registered PyTorch weights exported with ultralytics, cached.

The ONNX file is derived data (about 10 MB, twice the fp16 checkpoint), so it is not committed: it
is written once per model version under ``DATA_DIR/models`` and reused by every worker. An export
that fails (``onnx`` missing, disk full) leaves PyTorch serving, never a broken model.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Literal

from ai.offline import import_yolo
from ai.registry import ModelEntry

log = logging.getLogger(__name__)
Backend = Literal["torch", "onnx"]
_lock = threading.Lock()


def onnx_runtime_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))


def exported_path(entry: ModelEntry, data_dir: Path) -> Path:
    return data_dir / "models" / f"{entry.name}-{entry.version}-{entry.image_size}.onnx"


def export_onnx(entry: ModelEntry, data_dir: Path) -> Path:
    """Export (once) and return the ONNX file; dynamic batch and size, so several photos go in one run."""
    target = exported_path(entry, data_dir)
    with _lock:
        if target.is_file():
            return target
        YOLO = import_yolo(data_dir)

        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            weights = Path(scratch) / entry.weights_path.name
            shutil.copyfile(entry.weights_path, weights)
            produced = YOLO(str(weights), task="detect").export(
                format="onnx", imgsz=entry.image_size, dynamic=True, simplify=False, verbose=False
            )
            Path(produced).replace(target)  # atomic: a reader never sees half a file
        log.info("exported %s %s to %s", entry.name, entry.version, target)
        return target


def serving_weights(entry: ModelEntry, data_dir: Path) -> tuple[Path, Backend]:
    """The weights to load for ``entry.backend``: ONNX when asked for or (``auto``) when it can run."""
    if entry.backend == "torch" or (entry.backend == "auto" and not onnx_runtime_available()):
        return entry.weights_path, "torch"
    try:
        return export_onnx(entry, data_dir), "onnx"
    except Exception:  # any export failure falls back to the weights we ship
        if entry.backend == "onnx":
            raise
        log.warning("ONNX export of %s failed; serving with PyTorch", entry.name, exc_info=True)
        return entry.weights_path, "torch"
