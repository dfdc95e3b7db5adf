"""`parksafe storage init`: a fresh MinIO has no bucket, and without one every photo upload fails."""

from __future__ import annotations

import uuid
from pathlib import Path

import boto3

from tests.integration.cli.test_cli import run
from tests.s3 import CREDENTIALS


def test_storage_init_creates_the_missing_bucket_once_and_checks_it_takes_photos(
    tmp_path: Path, s3_endpoint: str
) -> None:
    bucket = f"parksafe-{uuid.uuid4().hex[:12]}"
    env = {
        **CREDENTIALS,
        "PARKSAFE_DATA_DIR": str(tmp_path),
        "PARKSAFE_STORAGE_URL": f"s3://{bucket}/prod",
        "PARKSAFE_S3_ENDPOINT_URL": s3_endpoint,
    }
    first = run(["storage", "init"], env)
    assert first.returncode == 0, first.stderr
    assert "已创建存储桶" in first.stdout
    s3 = boto3.client("s3", endpoint_url=s3_endpoint)
    assert bucket in {b["Name"] for b in s3.list_buckets()["Buckets"]}

    again = run(["storage", "init"], env)
    assert again.returncode == 0, again.stderr
    assert "读写正常" in again.stdout


def test_storage_init_against_an_unreachable_store_says_so_in_one_line(tmp_path: Path) -> None:
    env = {
        **CREDENTIALS,
        "PARKSAFE_DATA_DIR": str(tmp_path),
        "PARKSAFE_STORAGE_URL": "s3://photos/prod",
        "PARKSAFE_S3_ENDPOINT_URL": "http://127.0.0.1:9",  # discard port: nothing listens
        "PARKSAFE_S3_CONNECT_TIMEOUT_SECONDS": "1",
        "PARKSAFE_S3_MAX_ATTEMPTS": "1",
    }
    result = run(["storage", "init"], env)
    assert result.returncode == 1
    assert "照片存储不可用" in result.stderr
    assert "Traceback" not in result.stderr


def test_storage_init_on_the_default_photo_folder_checks_it_and_changes_nothing_else(tmp_path: Path) -> None:
    result = run(["storage", "init"], {"PARKSAFE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "读写正常" in result.stdout
    assert (tmp_path / "photos" / "parksafe" / "probe").is_file()
