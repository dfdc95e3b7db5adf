"""Faster inference backends: the registered PyTorch weights exported with ultralytics, cached.

Exports are derived data (an ONNX file, an OpenVINO IR folder), so they are not committed: each is
written once per model version under ``DATA_DIR/models`` and reused by every worker. An export that
fails (its package missing, disk full) falls back to the next backend, never to a broken model.
``auto`` serves the fastest backend that runs here, in ``AUTO_ORDER`` (measured by ``make bench``
on this project's 2-core CPUs: ONNX Runtime 20 ms a photo, OpenVINO 22 ms, PyTorch 42 ms; on CPUs
where OpenVINO wins, set ``backend: openvino`` in ai/models.yaml).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Literal

from ai.offline import decline_openvino_telemetry, import_yolo
from ai.registry import ModelEntry

log = logging.getLogger(__name__)
Backend = Literal["torch", "onnx", "openvino"]
Exported = Literal["onnx", "openvino"]
AUTO_ORDER: tuple[Exported, ...] = ("onnx", "openvino")
_REQUIRES: dict[Exported, tuple[str, ...]] = {"onnx": ("onnx", "onnxruntime"), "openvino": ("openvino",)}
_lock = threading.Lock()


def backend_available(backend: Exported) -> bool:
    return all(importlib.util.find_spec(name) is not None for name in _REQUIRES[backend])


def exported_path(entry: ModelEntry, data_dir: Path, backend: Exported = "onnx") -> Path:
    stem = data_dir / "models" / f"{entry.name}-{entry.version}-{entry.image_size}"
    return (
        stem.with_name(f"{stem.name}.onnx")
        if backend == "onnx"
        else stem.with_name(f"{stem.name}_openvino_model")
    )


class ExportFailed(RuntimeError):
    """The export's child process failed; its message ends with the child's error output."""


def export(entry: ModelEntry, data_dir: Path, backend: Exported) -> Path:
    """Export (once) and return the ONNX file or OpenVINO folder; dynamic batch and size, so several
    photos go in one run."""
    target = exported_path(entry, data_dir, backend)
    with _lock:
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
            weights = Path(scratch) / entry.weights_path.name
            shutil.copyfile(entry.weights_path, weights)
            produced = _export_in_child(weights, backend, entry.image_size, data_dir)
            os.replace(produced, target)  # atomic: a reader never sees half an export
        log.info("exported %s %s to %s", entry.name, entry.version, target)
        return target


def _export_in_child(weights: Path, backend: Exported, image_size: int, data_dir: Path) -> Path:
    """Run ultralytics' export in a child Python. torch's TorchScript ONNX exporter leaves native
    threads behind that abort the process that ran it at exit ("terminate called without an active
    exception", exit status 134): a server or worker that exported would end every stop that way."""
    command = [sys.executable, "-m", "ai.export", str(weights), backend, str(image_size), str(data_dir)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise ExportFailed(f"{backend} export of {weights.name} failed: {done.stderr.strip()[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


def _export_here(weights: Path, backend: Exported, image_size: int, data_dir: Path) -> Path:
    YOLO = import_yolo(data_dir)
    if backend == "openvino":
        decline_openvino_telemetry()
    options = {"simplify": False} if backend == "onnx" else {}
    produced = YOLO(str(weights), task="detect").export(
        format=backend, imgsz=image_size, dynamic=True, verbose=False, **options
    )
    return Path(produced)


def serving_weights(entry: ModelEntry, data_dir: Path) -> tuple[Path, Backend]:
    """The weights to load for ``entry.backend``: the backend asked for, or (``auto``) the fastest
    one that exports and runs here; PyTorch when none does."""
    if entry.backend == "torch":
        return entry.weights_path, "torch"
    candidates = AUTO_ORDER if entry.backend == "auto" else (entry.backend,)
    for backend in candidates:
        if entry.backend == "auto" and not backend_available(backend):
            continue
        try:
            return export(entry, data_dir, backend), backend
        except Exception:  # any export failure falls back to the weights we ship
            if entry.backend != "auto":
                raise
            log.warning("%s export of %s failed; trying the next backend", backend, entry.name, exc_info=True)
    return entry.weights_path, "torch"


if __name__ == "__main__":  # the child of _export_in_child: prints where the export was written
    weights_arg, backend_arg, size_arg, data_dir_arg = sys.argv[1:]
    exported_format: Exported = "openvino" if backend_arg == "openvino" else "onnx"
    print(_export_here(Path(weights_arg), exported_format, int(size_arg), Path(data_dir_arg)))
