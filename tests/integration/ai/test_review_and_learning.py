"""On a real site photo: the queue shows the AI's verdict, the annotated photo shows its boxes, a supervisor
corrects them, and `parksafe ai export-dataset` turns the corrections into training labels."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

from backend.domain.accounts.roles import Role
from backend.settings import Settings
from tests.conftest import ParkWorld
from tests.integration.ai.conftest import WORKERS_WITHOUT_HELMETS

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


def export_dataset(settings: Settings, out: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PARKSAFE_DATABASE_URL": str(settings.database_url),
        "PARKSAFE_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", "ai", "export-dataset", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def rgb(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    r, g, b = image.convert("RGB").getpixel((x, y))  # type: ignore[misc]
    return int(r), int(g), int(b)


def test_the_queue_shows_the_flag_and_the_annotated_photo_shows_the_boxes(
    client: TestClient[Litestar], world: ParkWorld, flagged: dict[str, Any]
) -> None:
    [item] = client.get("/api/v1/reviews", headers=flagged["supervisor"]).json()["items"]
    assert item["verdict"] == "flagged" and item["reasons"]
    # The same picture as proof: the hazard is still there, named as users read it.
    assert any(reason.startswith("整改后照片仍识别到隐患：未戴安全帽") for reason in item["reasons"]), item[
        "reasons"
    ]
    assert item["ai"][0]["detections"], "the model finds the workers on this photo"
    assert_hazard_box_drawn(client, flagged["supervisor"], item["before"][0]["annotated_url"], item["ai"][0])


def test_the_after_photo_shows_where_the_model_still_finds_the_hazard(
    client: TestClient[Litestar], world: ParkWorld, flagged: dict[str, Any]
) -> None:
    [item] = client.get("/api/v1/reviews", headers=flagged["supervisor"]).json()["items"]
    [after] = item["after_ai"]
    assert after["photo"] == item["after"][0]["sha256"]
    assert any(d["hazard_code"] == "no_helmet" for d in after["detections"]), (
        "the same workers, still bare-headed"
    )
    assert_hazard_box_drawn(client, flagged["supervisor"], item["after"][0]["annotated_url"], after)


def test_a_box_on_the_after_photo_can_be_marked_wrong_and_leaves_the_training_labels(
    client: TestClient[Litestar],
    world: ParkWorld,
    flagged: dict[str, Any],
    settings: Settings,
    tmp_path: Path,
) -> None:
    """The verdict is about the after-photo: its boxes are corrected like the before-photo's."""
    [item] = client.get("/api/v1/reviews", headers=flagged["supervisor"]).json()["items"]
    [after] = item["after_ai"]
    detection = after["detections"][0]
    wrong = {"photo": after["photo"], "kind": "wrong", "label": detection["label"], "box": detection["box"]}
    path = f"/api/v1/findings/{world.own_finding.id}/ai-corrections"
    created = client.post(path, json=wrong, headers=flagged["supervisor"])
    assert created.status_code == 201, created.text

    out = tmp_path / "learned"
    assert export_dataset(settings, out).returncode == 0
    [labels] = list(out.glob(f"labels/*/{after['photo']}.txt"))
    assert len(labels.read_text().splitlines()) == len(after["detections"]) - 1


def assert_hazard_box_drawn(
    client: TestClient[Litestar], headers: dict[str, str], annotated_url: str, result: dict[str, Any]
) -> None:
    """The annotated photo has the first hazard's box drawn in red where the original has none."""
    annotated = client.get(annotated_url, headers=headers)
    assert annotated.status_code == 200 and annotated.headers["content-type"] == "image/jpeg"
    drawn = Image.open(io.BytesIO(annotated.content)).convert("RGB")
    plain = Image.open(io.BytesIO(WORKERS_WITHOUT_HELMETS.read_bytes())).convert("RGB").resize(drawn.size)
    hazard = next(d for d in result["detections"] if d["hazard_code"])
    x1, y1, _x2, y2 = (round(v * drawn.width / result["width"]) for v in hazard["box"])
    left_edge = [rgb(drawn, x1 + 1, y) for y in range((y1 + y2) // 2, y2 - 2)]
    assert sum(1 for r, g, b in left_edge if r - max(g, b) > 60) > len(left_edge) * 0.8, "a red edge"
    assert rgb(drawn, x1 + 1, y2 - 3) != rgb(plain, x1 + 1, y2 - 3)


def test_corrections_become_training_labels(
    client: TestClient[Litestar],
    world: ParkWorld,
    flagged: dict[str, Any],
    settings: Settings,
    tmp_path: Path,
) -> None:
    path = f"/api/v1/findings/{world.own_finding.id}/ai-corrections"
    detection = flagged["ai"][0]["detections"][0]
    wrong = {"photo": flagged["photo"], "kind": "wrong", "label": detection["label"], "box": detection["box"]}
    missing = {"photo": flagged["photo"], "kind": "missing", "label": "no_wear", "box": [10, 20, 60, 120]}
    assert client.post(path, json=wrong, headers=flagged["supervisor"]).status_code == 201
    assert client.post(path, json=missing, headers=flagged["supervisor"]).status_code == 201
    no_such_box = {**wrong, "box": [0, 0, 5, 5]}
    refused = client.post(path, json=no_such_box, headers=flagged["supervisor"])
    assert refused.status_code == 422 and "没有这个识别框" in refused.json()["error"]["message"]
    for sliver in ([1, 1, 1.0000001, 1.0000001], [10, 10, 11, 60]):  # zero-wide once stored; 1 px wide
        too_small = client.post(path, json={**missing, "box": sliver}, headers=flagged["supervisor"])
        assert too_small.status_code == 422, sliver  # would become a zero- or one-pixel YOLO label
    unicorn = client.post(path, json={**missing, "label": "unicorn"}, headers=flagged["supervisor"])
    assert unicorn.status_code == 422  # a label the model has no class for would poison the dataset
    assert unicorn.json()["error"]["detail"]["allowed"] == ["helmet", "no_helmet", "no_wear", "wear"]
    for repeated in (missing, {**wrong, "box": [v + 0.9 for v in wrong["box"]]}):
        twice = client.post(path, json=repeated, headers=flagged["supervisor"])
        assert twice.status_code == 409, twice.text  # the same correction, already recorded
    inspector = client.post(path, json=missing, headers=world.headers(client, Role.INSPECTOR))
    assert inspector.status_code == 403
    listed = client.get(path, headers=world.headers(client, Role.ENTERPRISE_STAFF)).json()
    assert [c["kind"] for c in listed["items"]] == ["wrong", "missing"]
    timeline = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=flagged["supervisor"]).json()[
        "timeline"
    ]
    assert [s["action"] for s in timeline].count("finding.ai_corrected") == 2

    out = tmp_path / "learned"
    done = export_dataset(settings, out)
    assert done.returncode == 0, done.stderr
    data = yaml.safe_load((out / "data.yaml").read_text())
    assert data["names"] == {0: "helmet", 1: "no_helmet", 2: "no_wear", 3: "wear"}
    [labels] = list(out.glob(f"labels/*/{flagged['photo']}.txt"))
    lines = labels.read_text().splitlines()
    kept = flagged["ai"][0]["detections"][1:]
    assert len(lines) == len(kept) + 1  # the wrong box dropped, the missing one added
    width, height = flagged["ai"][0]["width"], flagged["ai"][0]["height"]
    assert f"2 {35 / width:.6f} {70 / height:.6f} {50 / width:.6f} {100 / height:.6f}" in lines
    assert (out / "images" / labels.parent.name / f"{flagged['photo']}.jpg").exists()

    again = export_dataset(settings, out)  # never into a folder that holds something
    assert again.returncode != 0 and "is not empty" in again.stderr
