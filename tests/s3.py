"""An S3 endpoint for tests: moto's server over real HTTP (no patched clients)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from backend.settings import Settings
from tests.ports import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "parksafe-test",
    "AWS_SECRET_ACCESS_KEY": "parksafe-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    for name, value in CREDENTIALS.items():
        os.environ.setdefault(name, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    name = f"parksafe-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name


def with_s3_store(settings: Settings, storage_url: str, endpoint: str, **extra: object) -> Settings:
    """``settings`` with photos in an S3 store: ``s3://bucket/prefix`` at ``endpoint``."""
    return Settings(
        **{**settings.model_dump(), "storage_url": storage_url, "s3_endpoint_url": endpoint, **extra},
        _env_file=None,
    )
