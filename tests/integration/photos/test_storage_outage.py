"""An S3 store that refuses (a missing bucket, an endpoint that is down) is a 503 the phone retries,
and nothing is recorded for the photo it could not keep."""

from __future__ import annotations

import hashlib

from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from backend.settings import Settings
from mobile_api.app import create_app
from tests.conftest import ParkWorld
from tests.photos import camera_jpeg


def test_a_photo_the_store_cannot_take_is_503_and_not_recorded(
    settings: Settings, world: ParkWorld, s3_endpoint: str
) -> None:
    broken = Settings(
        **{
            **settings.model_dump(),
            "storage_url": "s3://no-such-bucket/photos",
            "s3_endpoint_url": s3_endpoint,
        },
        _env_file=None,
    )
    photo = camera_jpeg()
    url = f"/api/v1/photos/{hashlib.sha256(photo).hexdigest()}"
    with TestClient(create_app(broken)) as client:
        headers = world.headers(client, Role.INSPECTOR)
        response = client.put(url, content=photo, headers={**headers, "content-type": "image/jpeg"})
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "storage_unavailable"
        assert response.headers["retry-after"]
        assert client.head(url, headers=headers).status_code == 404
