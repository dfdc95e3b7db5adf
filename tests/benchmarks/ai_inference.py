"""AI figures, each against a baseline measured in the same run on the same real site photos:

- the detection job's time per photo (read the photo from storage, decode upright, predict, merge into
  the finding under the change lock, audit) vs a bare ``model.predict`` on the same file. Goal ≤ 1.2×;
- ONNX Runtime and OpenVINO vs PyTorch per-photo latency with the same weights. Goal ≤ 1×;
- the worker's resident memory with the detector loaded vs the interpreter with ultralytics imported.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.benchmarks.report import Figure

DATASET = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "ppe-sfchd" / "val" / "images"
PHOTOS = int(os.environ.get("BENCH_AI_PHOTOS", "24"))
LABELS = {"onnx": "ONNX Runtime", "openvino": "OpenVINO"}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _per_photo(run: Callable[[Path], object], items: list[Path]) -> float:
    timings = []
    for item in items:
        started = time.perf_counter()
        run(item)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def measure() -> list[Figure]:
    images = sorted(DATASET.glob("*.jpg"))[:PHOTOS]
    if not images:
        print(f"(the PPE data set is not at {DATASET}: AI figures skipped)")
        return []
    with tempfile.TemporaryDirectory() as scratch:
        return _measure(images, Path(scratch))


def _measure(images: list[Path], scratch: Path) -> list[Figure]:
    from ai.offline import import_yolo

    YOLO = import_yolo(scratch)  # the baseline for memory: imported, no model loaded

    from ai.detection import get_detectors
    from ai.export import backend_available, export
    from ai.registry import find_model

    bare_rss = rss_mb()
    entry = find_model()
    [detector] = get_detectors(scratch)
    loaded_rss = rss_mb()
    torch_model = YOLO(str(entry.weights_path), task="detect")
    exported = {
        backend: YOLO(str(export(entry, scratch, backend)), task="detect")
        for backend in ("onnx", "openvino")
        if backend_available(backend)
    }
    models = {"torch": torch_model, **exported}
    # The job's baseline is the job's own loaded model, called bare: a second copy of the same
    # weights, run in turn with the job, would evict the job's weights from the CPU caches.
    serving = detector.model
    options: dict[str, Any] = {
        "imgsz": entry.image_size,
        "conf": 0.25,
        "iou": entry.nms_iou,
        "verbose": False,
        "device": "cpu",
    }
    for model in models.values():
        model.predict(str(images[0]), **options)  # warm

    def bare(model: Any) -> float:
        return _per_photo(lambda path: model.predict(str(path), **options), images)

    latency = {name: bare(model) for name, model in models.items()}

    def bare_on(paths: list[Path]) -> None:
        for path in paths:
            serving.predict(str(path), **options)

    job_s, bare_s = _job_per_photo(images, scratch / "one", 1, bare_on)
    job3_s, bare3_s = _job_per_photo(images, scratch / "three", 3, bare_on)
    return [
        Figure(
            "detection job per photo, 1 photo a finding (ms)",
            job_s * 1000,
            bare_s * 1000,
            "bare predict",
            1.2,
            True,
            "ms",
        ),
        Figure(
            "detection job per photo, 3 photos a finding (ms)",
            job3_s * 1000,
            bare3_s * 1000,
            "bare predict",
            1.2,
            True,
            "ms",
        ),
        *(
            Figure(
                f"{LABELS[name]} per photo (ms)",
                seconds * 1000,
                latency["torch"] * 1000,
                "PyTorch",
                1.0,
                True,
                "ms",
            )
            for name, seconds in latency.items()
            if name != "torch"
        ),
        Figure(
            "worker RSS with the detector loaded (MB)",
            loaded_rss,
            bare_rss,
            "ultralytics imported",
            None,
            True,
            "MB",
        ),
    ]


def _job_per_photo(
    images: list[Path], scratch: Path, per_finding: int, bare_on: Callable[[list[Path]], None]
) -> tuple[float, float]:
    """Findings of ``per_finding`` photos each, run through the real detection job against SQLite and
    local storage (a finding's photos go to the model in one batch); median time per photo of the
    job and, measured right before each job on the same photos, of the bare predict. Pairing the
    two keeps drifts of this shared machine's speed out of the ratio."""
    from backend.db.engine import create_db_engine, create_session_factory
    from backend.db.migrate import upgrade
    from backend.domain.photos.detection_service import detect_on_finding
    from backend.domain.photos.service import original_key
    from backend.settings import Settings
    from backend.storage import create_object_store
    from tests import factories
    from tests.photos import sha256

    # SQLite and photos in the scratch folder, whatever PARKSAFE_* the environment holds.
    settings = Settings(_env_file=None, data_dir=scratch, database_url=None, storage_url=None)
    settings.resolved_data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    engine = create_db_engine(settings)
    factory = create_session_factory(engine)
    store = create_object_store(settings)
    finding_ids = []
    with factory() as session:
        park = factories.park(session)
        enterprise = factories.enterprise(session, park)
        hashes = []
        for image in images:
            data = image.read_bytes()
            if not store.exists(original_key(sha256(data))):
                store.put_bytes(original_key(sha256(data)), data, "image/jpeg")
            hashes.append(sha256(data))
        batches = []
        for start in range(0, len(hashes) - per_finding + 1, per_finding):
            photos = hashes[start : start + per_finding]
            finding_ids.append(factories.finding(session, enterprise, photos=photos).id)
            batches.append(images[start : start + per_finding])
        session.commit()
    detect_on_finding(factory, store, scratch, finding_ids[0])  # warm: the first run loads nothing new
    job_timings, bare_timings = [], []
    for finding_id, paths in zip(finding_ids[1:], batches[1:], strict=True):
        started = time.perf_counter()
        bare_on(paths)
        bare_timings.append((time.perf_counter() - started) / per_finding)
        started = time.perf_counter()
        detect_on_finding(factory, store, scratch, finding_id)
        job_timings.append((time.perf_counter() - started) / per_finding)
    engine.dispose()
    return statistics.median(job_timings), statistics.median(bare_timings)
