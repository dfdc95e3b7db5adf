"""Every inference backend serves the same detections as the PyTorch weights they come from."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from PIL import Image

from ai.detection import Detector
from ai.export import AUTO_ORDER, ExportFailed, backend_available, export, exported_path, serving_weights
from ai.images import UprightPhoto, upright_photo
from ai.registry import find_model
from tests.integration.ai.conftest import DATASET, WORKERS_WITHOUT_HELMETS

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site_photos() -> list[Path]:
    photos = [WORKERS_WITHOUT_HELMETS, *sorted(DATASET.glob("*.jpg"))[:2]]
    if not all(photo.exists() for photo in photos):
        pytest.skip(f"dataset not found at {DATASET}")
    return photos


Found = tuple[str, list[float], float]  # label, box, confidence
# bf16 (OpenVINO on CPUs that have it) moves confidences by a few hundredths: a box that close to
# its class threshold may be kept by one backend and dropped by the other.
NEAR_THRESHOLD = 0.05


@pytest.fixture(scope="module")
def reference(site_photos: list[Path], tmp_path_factory: pytest.TempPathFactory) -> list[list[Found]]:
    return detections("torch", site_photos, tmp_path_factory.mktemp("torch"))


def clear(found: Found) -> bool:
    """Confident enough that every backend must agree on it."""
    return found[2] >= find_model().threshold(found[0]) + NEAR_THRESHOLD


def detections(backend: str, photos: list[Path], data_dir: Path) -> list[list[Found]]:
    entry = msgspec.structs.replace(find_model(), backend=backend)
    detector = Detector(entry, data_dir)
    assert detector.backend == backend
    results = detector.detect([upright_photo(photo.read_bytes(), entry.image_size) for photo in photos])
    return [[(d.label, list(d.box), d.confidence) for d in result.detections] for result in results]


@pytest.mark.parametrize("backend", AUTO_ORDER)
def test_an_exported_backend_finds_what_pytorch_finds_on_a_batch_of_site_photos(
    backend: str, site_photos: list[Path], reference: list[list[Found]], tmp_path: Path
) -> None:
    if not backend_available(backend):  # type: ignore[arg-type]
        pytest.skip(f"{backend} is not installed")
    served = detections(backend, site_photos, tmp_path)
    assert any(label == "no_helmet" for label, _, _ in served[0])
    for theirs, ours in zip(served, reference, strict=True):
        # Same boxes, to a few pixels: OpenVINO computes in bf16 on CPUs that have it. Their
        # order may differ where two confidences tie to within that rounding.
        unmatched = list(theirs)
        for label, expected, confidence in ours:
            match = next(
                (
                    found
                    for found in unmatched
                    if found[0] == label
                    and max(abs(a - b) for a, b in zip(found[1], expected, strict=True)) < 4.0  # pixels
                ),
                None,
            )
            if match is None:
                assert not clear((label, expected, confidence)), (label, expected, confidence, theirs)
                continue
            unmatched.remove(match)
        assert [found for found in unmatched if clear(found)] == []


def test_auto_serves_the_first_backend_that_runs_here(tmp_path: Path) -> None:
    detector = Detector(find_model(), tmp_path)
    expected = next((backend for backend in AUTO_ORDER if backend_available(backend)), "torch")
    assert detector.backend == expected


def test_a_finding_with_portrait_and_landscape_photos_gets_what_each_photo_gets_alone(
    site_photos: list[Path], tmp_path: Path
) -> None:
    # A mixed batch is letterboxed to the full square input, so before photos were grouped by
    # size the sideways photo's boxes and confidences shifted against its own detection alone.
    entry = find_model()
    detector = Detector(entry, tmp_path)
    landscape = upright_photo(site_photos[0].read_bytes(), entry.image_size)
    portrait = UprightPhoto(
        landscape.image.transpose(Image.Transpose.ROTATE_90), landscape.height, landscape.width
    )
    together = detector.detect([landscape, portrait, landscape])
    alone = [detector.detect([photo])[0] for photo in (landscape, portrait, landscape)]
    for batched, single in zip(together, alone, strict=True):
        # Same detections to rounding (a batch of two may add differently than one); the square
        # padding of a mixed batch moved boxes by pixels.
        assert [d.label for d in batched.detections] == [d.label for d in single.detections]
        for a, b in zip(batched.detections, single.detections, strict=True):
            assert a.box == pytest.approx(b.box, abs=0.1) and a.confidence == pytest.approx(
                b.confidence, abs=1e-3
            )
    assert [(r.width, r.height) for r in together] == [
        (landscape.width, landscape.height),
        (landscape.height, landscape.width),
        (landscape.width, landscape.height),
    ]


def test_an_export_that_fails_is_named_and_auto_serves_the_shipped_weights(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not yolo weights")
    entry = msgspec.structs.replace(find_model(), weights=str(broken), version="broken", backend="auto")
    with pytest.raises(ExportFailed, match=r"onnx export of broken\.pt failed"):
        export(entry, tmp_path / "data", "onnx")
    assert not exported_path(entry, tmp_path / "data").exists()
    assert serving_weights(entry, tmp_path / "data") == (broken, "torch")
