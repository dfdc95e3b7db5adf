"""An S3 store that refuses (a missing bucket, an endpoint that is down) is a 503 the phone retries,
and nothing is recorded for the photo it could not keep."""

from __future__ import annotations

import hashlib
import socket
import threading
from typing import Any

import pytest
from litestar.testing import TestClient

from backend.domain.accounts.roles import Role
from backend.settings import Settings
from mobile_api.app import create_app
from tests.conftest import ParkWorld
from tests.devices import Device, finding_mutation
from tests.photos import camera_jpeg
from tests.s3 import with_s3_store


def test_a_photo_the_store_cannot_take_is_503_and_not_recorded(
    settings: Settings, world: ParkWorld, s3_endpoint: str
) -> None:
    broken = with_s3_store(settings, "s3://no-such-bucket/photos", s3_endpoint)
    photo = camera_jpeg()
    url = f"/api/v1/photos/{hashlib.sha256(photo).hexdigest()}"
    with TestClient(create_app(broken)) as client:
        headers = world.headers(client, Role.INSPECTOR)
        response = client.put(url, content=photo, headers={**headers, "content-type": "image/jpeg"})
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "storage_unavailable"
        assert response.headers["retry-after"]
        assert client.head(url, headers=headers).status_code == 404


def test_a_stored_photo_the_store_cannot_serve_is_503_before_any_byte_is_sent(
    settings: Settings, world: ParkWorld, s3_endpoint: str, s3_bucket: str
) -> None:
    photo = camera_jpeg()
    url = f"/api/v1/photos/{hashlib.sha256(photo).hexdigest()}"
    working = with_s3_store(settings, f"s3://{s3_bucket}/photos", s3_endpoint)
    with TestClient(create_app(working)) as client:
        headers = world.headers(client, Role.INSPECTOR)
        stored = client.put(url, content=photo, headers={**headers, "content-type": "image/jpeg"})
        assert stored.status_code == 201, stored.text
    # The same database, its bucket gone (a store outage as the API replica sees it).
    broken = with_s3_store(settings, "s3://no-such-bucket/photos", s3_endpoint)
    with TestClient(create_app(broken)) as client:
        response = client.get(url, headers=world.headers(client, Role.INSPECTOR))
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "storage_unavailable"


class HungStore:
    """A TCP endpoint that accepts connections and never answers: an S3 gateway that hangs."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.endpoint = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.reached = threading.Event()
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # closed
                return
            self._held.append(connection)
            self.reached.set()

    def close(self) -> None:
        self._listener.close()
        for connection in self._held:
            connection.close()


def test_a_hung_store_fails_the_upload_in_seconds_without_holding_up_other_inspectors_sync(
    settings: Settings, world: ParkWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "parksafe-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "parksafe-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    hung = HungStore()
    stuck_settings = with_s3_store(
        settings,
        "s3://photos/site",
        hung.endpoint,
        s3_read_timeout_seconds=4.0,
        s3_connect_timeout_seconds=1.0,
        s3_max_attempts=1,
    )
    photo = camera_jpeg()
    url = f"/api/v1/photos/{hashlib.sha256(photo).hexdigest()}"
    upload: dict[str, Any] = {}
    try:
        with TestClient(create_app(stuck_settings)) as stuck, TestClient(create_app(settings)) as other:
            headers = world.headers(stuck, Role.INSPECTOR)

            def put_photo() -> None:
                upload["response"] = stuck.put(
                    url, content=photo, headers={**headers, "content-type": "image/jpeg"}
                )

            uploader = threading.Thread(target=put_photo)
            uploader.start()
            assert hung.reached.wait(10), "the upload never reached the store"
            phone = Device(other, world.headers(other, Role.INSPECTOR))
            pushed = phone.push_ok([finding_mutation(world.own.id)])
            assert pushed[0]["status"] == "applied"
            assert uploader.is_alive(), "the push waited for the hung upload to give up"
            uploader.join(30)
            assert not uploader.is_alive(), "the upload did not give up within the store's timeout"
    finally:
        hung.close()
    response = upload["response"]
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "storage_unavailable"


def test_a_photo_whose_bytes_were_lost_is_404_photo_missing_until_uploaded_again(
    settings: Settings, world: ParkWorld
) -> None:
    photo = camera_jpeg()
    sha256 = hashlib.sha256(photo).hexdigest()
    url = f"/api/v1/photos/{sha256}"
    with TestClient(create_app(settings)) as client:
        headers = world.headers(client, Role.INSPECTOR)
        upload = {**headers, "content-type": "image/jpeg"}
        assert client.put(url, content=photo, headers=upload).status_code == 201
        # The photo folder restored from a backup older than the photo.
        (settings.resolved_data_dir / "photos" / "originals" / sha256[:2] / sha256).unlink()

        lost = client.get(url, headers=headers)
        assert lost.status_code == 404, lost.text
        assert lost.json()["error"]["code"] == "photo_missing"
        assert "重新上传" in lost.json()["error"]["message"]

        again = client.put(url, content=photo, headers=upload)
        assert again.status_code == 200, again.text
        restored = client.get(url, headers=headers)
        assert restored.status_code == 200
        assert restored.content == photo
