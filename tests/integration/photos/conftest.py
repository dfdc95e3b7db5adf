"""Photo routes against both stores; the S3 endpoint fixtures are in tests/s3.py."""

from __future__ import annotations

import pytest
from litestar import Litestar

from backend.settings import Settings
from mobile_api.app import create_app
from tests.s3 import with_s3_store


@pytest.fixture(params=["local", "s3"])
def app(request: pytest.FixtureRequest, settings: Settings) -> Litestar:
    """Photo routes run against both stores: the local folder and S3 (moto over HTTP)."""
    if request.param == "s3":
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = request.getfixturevalue("s3_bucket")
        settings = with_s3_store(settings, f"s3://{bucket}/photos", endpoint)
    return create_app(settings)
