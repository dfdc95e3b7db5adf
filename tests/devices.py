"""A field device as the tests drive it: builds mutations, pushes batches, pulls changes."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image


def new_id() -> str:
    return str(uuid.uuid4())


def finding_mutation(
    enterprise_id: object,
    description: str = "罐区东侧作业人员未佩戴安全帽",
    *,
    record_id: str | None = None,
    photos: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "mutation_id": new_id(),
        "entity": "finding",
        "op": "upsert",
        "id": record_id or new_id(),
        "base_version": None,
        "client_time": datetime.now(UTC).isoformat(),
        "data": {
            "enterprise_id": str(enterprise_id),
            "description": description,
            "location": {"text": "罐区A", "lat": 32.05, "lng": 119.42},
            "observed_at": datetime.now(UTC).isoformat(),
            "photos": photos or [],
            **extra,
        },
    }


def edit_mutation(entity: str, record_id: object, base_version: int | None, **data: Any) -> dict[str, Any]:
    return {
        "mutation_id": new_id(),
        "entity": entity,
        "op": "upsert",
        "id": str(record_id),
        "base_version": base_version,
        "data": data,
    }


def delete_mutation(entity: str, record_id: object, base_version: int | None) -> dict[str, Any]:
    return {
        "mutation_id": new_id(),
        "entity": entity,
        "op": "delete",
        "id": str(record_id),
        "base_version": base_version,
        "data": {},
    }


def comment_mutation(finding_id: object, text: str = "已通知车间主任") -> dict[str, Any]:
    return {
        "mutation_id": new_id(),
        "entity": "comment",
        "op": "upsert",
        "id": new_id(),
        "data": {"finding_id": str(finding_id), "text": text},
    }


def rectification_mutation(
    finding_id: object, photos: list[str], note: str = "已补发安全帽并开展班前教育"
) -> dict[str, Any]:
    return {
        "mutation_id": new_id(),
        "entity": "rectification",
        "op": "upsert",
        "id": new_id(),
        "data": {"finding_id": str(finding_id), "note": note, "photos": photos},
    }


def jpeg_photo(seed: int, size: tuple[int, int] = (64, 48)) -> tuple[str, bytes]:
    """A small real JPEG whose content (so hash) depends on ``seed``."""
    image = Image.new("RGB", size, ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    image.putpixel((seed % size[0], (seed // size[0]) % size[1]), (255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    return hashlib.sha256(data).hexdigest(), data


@dataclass
class Device:
    client: TestClient[Litestar]
    headers: dict[str, str]
    device_id: str = field(default_factory=lambda: f"phone-{uuid.uuid4().hex[:8]}")
    cursor: str | None = None

    def push(self, mutations: list[Any], batch_id: str | None = None) -> Any:
        body = {"device_id": self.device_id, "batch_id": batch_id or new_id(), "mutations": mutations}
        return self.client.post("/api/v1/sync/push", json=body, headers=self.headers)

    def push_ok(self, mutations: list[Any], batch_id: str | None = None) -> list[dict[str, Any]]:
        response = self.push(mutations, batch_id)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def pull_all(self, limit: int = 500) -> list[dict[str, Any]]:
        changes: list[dict[str, Any]] = []
        while True:
            params: dict[str, Any] = {"limit": limit}
            if self.cursor is not None:
                params["cursor"] = self.cursor
            response = self.client.get("/api/v1/sync/pull", params=params, headers=self.headers)
            assert response.status_code == 200, response.text
            page = response.json()
            changes.extend(page["changes"])
            self.cursor = page["cursor"]
            if not page["has_more"]:
                return changes

    def upload(self, sha256: str, data: bytes, content_type: str = "image/jpeg") -> Any:
        return self.client.put(
            f"/api/v1/photos/{sha256}", content=data, headers={**self.headers, "content-type": content_type}
        )


def settle(client: TestClient[Litestar], rounds: int = 4) -> None:
    """Wait until every background job the app was asked for (and the jobs those ask for) has run.

    Jobs (matching, detection, notifications) change findings after the request that caused
    them; tests that compare versions or counts settle first.
    """
    from backend.jobs.outbox import dispatch_pending

    state = client.app.state.parksafe

    async def drain() -> None:
        for _ in range(rounds):
            await dispatch_pending(state.session_factory, state.job_queue)
            await state.job_queue.join()

    client.blocking_portal.call(drain)
