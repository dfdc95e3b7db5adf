"""A real ParkSafe server in a subprocess (SQLite, local photos, demo park) for the browser tests,
plus a small HTTP client to check what the server holds."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.ports import free_port

PARKSAFE = str(Path(sys.executable).with_name("parksafe"))

DEMO_PASSWORDS = {
    "admin": "Admin@2026",
    "inspector": "Inspect@2026",
    "supervisor": "Verify@2026",
    "staff": "Staff@2026",
    "staff2": "Staff@2026",
}

# A 重大隐患's 治理方案, as the enterprise's staff send it (docs/lifecycle.md).
PLAN = {
    "target_tasks": "15 日内恢复液化烃罐区紧急切断功能",
    "methods": "拆除手动旁路，紧急切断阀接入 SIS 并做联锁测试",
    "funding_materials": "专项资金 8 万元，切断阀执行机构已到货",
    "organization_personnel": "设备副总牵头，仪表车间实施，安环部监督",
    "time_limit": "2026 年 12 月 20 日前完成",
    "safety_and_emergency": "改造期间罐区限量储存，专人值守，执行泄漏应急预案",
}


@dataclass
class Server:
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = httpx.post(
                f"{self.url}/api/v1/auth/login",
                json={"username": username, "password": DEMO_PASSWORDS[username]},
            )
            response.raise_for_status()
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def call(self, method: str, path: str, username: str = "admin", **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(username)}", **kwargs.pop("headers", {})}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)

    def findings(self, description: str) -> list[dict[str, Any]]:
        items = self.call("GET", "/api/v1/findings?limit=500").json()["items"]
        return [item for item in items if item["description"] == description]

    def dispatch(self, finding_id: str, days: int = 3) -> None:
        """The park admin sends the finding to its enterprise with a deadline ``days`` ahead."""
        deadline = (datetime.now(UTC) + timedelta(days=days)).isoformat()
        response = self.call("POST", f"/api/v1/findings/{finding_id}/dispatch", json={"deadline": deadline})
        assert response.is_success, response.text

    def grade_major(self, finding_id: str) -> None:
        """The park admin grades the finding 重大隐患: it then waits for its 治理方案."""
        response = self.call("POST", f"/api/v1/findings/{finding_id}/level", json={"level": "major"})
        assert response.is_success, response.text

    def plan_accepted(self, finding_id: str) -> None:
        """The enterprise's staff submit the 治理方案 (PLAN) and the park admin accepts it."""
        path = f"/api/v1/findings/{finding_id}/governance-plan"
        submitted = self.call("POST", path, "staff", json=PLAN)
        assert submitted.is_success, submitted.text
        accepted = self.call("POST", f"{path}/review", json={"decision": "accept", "comment": ""})
        assert accepted.is_success, accepted.text

    def enterprise(self, code: str) -> dict[str, Any]:
        items = self.call("GET", "/api/v1/enterprises?limit=500").json()["items"]
        return next(item for item in items if item["code"] == code)

    def upload(self, picture: Path) -> str:
        """The inspector's phone uploads a photo; its SHA-256."""
        body = picture.read_bytes()
        sha256 = hashlib.sha256(body).hexdigest()
        put = self.call(
            "PUT",
            f"/api/v1/photos/{sha256}",
            "inspector",
            content=body,
            headers={"Content-Type": "image/jpeg"},
        )
        assert put.status_code in (200, 201), put.text
        return sha256

    def push(self, entity: str, data: dict[str, Any], username: str = "inspector") -> str:
        """One record pushed by ``username``'s phone (the inspector's); its id."""
        record_id = str(uuid.uuid4())
        mutation = {"mutation_id": str(uuid.uuid4()), "entity": entity, "op": "upsert", "id": record_id}
        push = self.call(
            "POST",
            "/api/v1/sync/push",
            username,
            json={
                "device_id": "test",
                "batch_id": str(uuid.uuid4()),
                "mutations": [{**mutation, "data": data}],
            },
        )
        assert push.json()["results"][0]["status"] == "applied", push.text
        return record_id

    def report(
        self, description: str, picture: Path, *, upload: bool = True, handling: str | None = None
    ) -> str:
        """An inspector's finding at E001 (the demo staff user's enterprise), pushed over the API;
        ``upload=False``: its photo is still on the inspector's phone."""
        sha256 = self.upload(picture) if upload else hashlib.sha256(picture.read_bytes()).hexdigest()
        data = {
            "enterprise_id": self.enterprise("E001")["id"],
            "description": description,
            "location": {"text": "甲类仓库门口"},
            "photos": [sha256],
            "observed_at": datetime.now(UTC).isoformat(),
            **({"handling": handling} if handling else {}),
        }
        return self.push("finding", data)

    def fix_on_the_spot(self, description: str, before: Path, after: Path) -> str:
        """The inspector reports a hazard as 即查即改 and records the fix made in front of them."""
        finding_id = self.report(description, before, handling="on_the_spot")
        self.push(
            "rectification", {"finding_id": finding_id, "note": "已当场清理", "photos": [self.upload(after)]}
        )
        return finding_id

    def wait_for(self, description: str, predicate: Any, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.findings(description)
            if found and predicate(found[0]):
                return found[0]
            assert time.monotonic() < deadline, f"server never showed {description!r} as expected: {found}"
            time.sleep(0.3)


@contextmanager
def running_server(data_dir: Path) -> Iterator[Server]:
    env = {**os.environ, "PARKSAFE_DATA_DIR": str(data_dir), "PARKSAFE_NOTIFY_URLS": ""}
    env.pop("PARKSAFE_DATABASE_URL", None)
    env.pop("PARKSAFE_STORAGE_URL", None)
    for command in (["db", "upgrade"], ["seed", "--demo"]):
        subprocess.run([PARKSAFE, *command], env=env, check=True, capture_output=True)
    port = free_port()
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [PARKSAFE, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, (data_dir / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield Server(url)
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()
