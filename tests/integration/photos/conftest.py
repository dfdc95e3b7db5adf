"""An S3 endpoint for photo tests: moto's server over real HTTP (no patched clients)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator

import boto3
import pytest
from litestar import Litestar
from moto.server import ThreadedMotoServer

from backend.settings import Settings
from mobile_api.app import create_app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "parksafe-test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "parksafe-test-secret")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint: str) -> str:
    name = f"parksafe-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["local", "s3"])
def app(request: pytest.FixtureRequest, settings: Settings) -> Litestar:
    """Photo routes run against both stores: the local folder and S3 (moto over HTTP)."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = request.getfixturevalue("s3_bucket")
        settings = Settings(
            **{**settings.model_dump(), "storage_url": f"s3://{bucket}/photos", "s3_endpoint_url": endpoint},
            _env_file=None,
        )
    return create_app(settings)
