"""``parksafe ai average`` turns several checkpoints of a run into one servable weights file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ai.registry import find_model
from backend.cli import cli
from tests.integration.ai.conftest import WORKERS_WITHOUT_HELMETS

pytest.importorskip("ultralytics", reason="the 'ai' extra is not installed")
pytestmark = pytest.mark.slow


def boxes(weights: Path, photo: Path, data_dir: Path) -> list[tuple[int, list[float]]]:
    from ai.offline import import_yolo

    model = import_yolo(data_dir)(str(weights), task="detect")
    [result] = model.predict(str(photo), imgsz=512, conf=0.35, verbose=False, device="cpu")
    return [
        (int(c), [round(v) for v in b])
        for c, b in zip(result.boxes.cls.tolist(), result.boxes.xyxy.tolist(), strict=True)
    ]


def test_the_average_of_a_model_with_itself_detects_what_the_model_does(tmp_path: Path) -> None:
    if not WORKERS_WITHOUT_HELMETS.exists():
        pytest.skip("dataset not found")
    weights = find_model().weights_path
    out = tmp_path / "soup.pt"
    result = CliRunner().invoke(cli, ["ai", "average", str(out), str(weights), str(weights)])
    assert result.exit_code == 0, result.output
    assert "2" in result.output and out.exists()
    assert out.stat().st_size < 10 * 1024 * 1024  # stripped for serving, like best.pt
    expected = boxes(weights, WORKERS_WITHOUT_HELMETS, tmp_path)
    assert expected and boxes(out, WORKERS_WITHOUT_HELMETS, tmp_path) == expected


def test_a_file_that_is_not_weights_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    not_weights = tmp_path / "notes.txt"
    not_weights.write_text("not a checkpoint")
    out = tmp_path / "soup.pt"
    result = CliRunner().invoke(
        cli, ["ai", "average", str(out), str(find_model().weights_path), str(not_weights)]
    )
    assert result.exit_code == 1
    assert "notes.txt" in result.output and not out.exists()


def test_averaging_keeps_ultralytics_settings_under_the_data_dir_not_the_home(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    weights = find_model().weights_path
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PARKSAFE_DATA_DIR": str(tmp_path / "data")}
    for name in ("YOLO_CONFIG_DIR", "XDG_CONFIG_HOME"):
        env.pop(name, None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.cli",
            "ai",
            "average",
            str(tmp_path / "soup.pt"),
            str(weights),
            str(weights),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "home" / ".config" / "Ultralytics").exists()
    assert (tmp_path / "data" / "ultralytics").is_dir()
