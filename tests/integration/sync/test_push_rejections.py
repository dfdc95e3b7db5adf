"""Bad mutations are rejected one by one, each naming its problem in Chinese; the rest of the batch applies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.models import Finding
from tests.conftest import ParkWorld
from tests.devices import (
    comment_mutation,
    edit_mutation,
    finding_mutation,
    new_id,
    settle,
)
from tests.integration.sync.pushing import count, device


def test_far_future_client_time_unknown_entity_and_op_are_rejected(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    future = finding_mutation(world.own.id)
    future["client_time"] = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    future_observation = finding_mutation(
        world.own.id, observed_at=(datetime.now(UTC) + timedelta(days=3)).isoformat()
    )
    unknown_entity = {**finding_mutation(world.own.id), "entity": "spaceship"}
    unknown_op = {**finding_mutation(world.own.id), "op": "explode"}
    results = phone.push_ok(
        [future, future_observation, unknown_entity, unknown_op, finding_mutation(world.own.id)]
    )
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["applied"]
    assert [r["error"]["code"] for r in results[:4]] == [
        "time_in_future",
        "time_in_future",
        "unknown_entity_or_op",
        "unknown_entity_or_op",
    ]


def test_times_at_the_ends_of_the_calendar_are_rejected_alone(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    # Python can hold year 1 and year 9999 but not move them to UTC: these used to fail the
    # whole batch with a 500, on every retry, and a year-1 finding broke its matching job.
    phone = device(client, world)
    results = phone.push_ok(
        [
            finding_mutation(world.own.id, observed_at="0001-01-01T00:00:00+14:00"),
            finding_mutation(world.own.id, observed_at="0001-01-01T00:00:00Z"),
            finding_mutation(world.own.id, observed_at="9999-12-31T23:59:59-12:00"),
            # client_time is only checked, never stored: a phone whose clock reset keeps its report
            {**finding_mutation(world.own.id), "client_time": "1970-01-01T00:00:00Z"},
        ]
    )
    assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied"]
    assert [r["error"]["code"] for r in results[:3]] == ["time_too_early", "time_too_early", "time_in_future"]
    assert "observed_at" in results[0]["error"]["message"]
    settle(client)
    applied = client.get(f"/api/v1/findings/{results[3]['id']}", headers=phone.headers).json()
    assert applied["matches"]["checklist"]  # the job after them ran


def test_a_time_that_is_not_rfc3339_text_is_rejected_not_read_as_a_unix_timestamp(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    # A phone that sent Date.now() or its digits as text got a finding observed in 2025 or 1970.
    phone = device(client, world)
    results = phone.push_ok(
        [
            finding_mutation(world.own.id, observed_at=1765000000),
            finding_mutation(world.own.id, observed_at="1765000000"),
            finding_mutation(world.own.id, observed_at=1765000000.5),
            finding_mutation(world.own.id, observed_at="2026-12-06T09:00:00+08:00"),
        ]
    )
    assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied"]
    assert [r["error"]["detail"] for r in results[:3]] == [{"path": "observed_at"}] * 3
    assert results[0]["error"]["message"].startswith(
        "数据不合法：应为RFC 3339 时间，实际为整数（位置：observed_at）"
    )
    assert results[1]["error"]["message"].startswith(
        "数据不合法：不是有效的 RFC 3339 时间（位置：observed_at）"
    )


def test_control_characters_in_text_reject_that_mutation_alone(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    # PostgreSQL refuses NUL in text and spreadsheets refuse the other control characters: one
    # such description used to break the XLSX ledger export for everyone who could see it.
    phone = device(client, world)
    results = phone.push_ok(
        [
            finding_mutation(world.own.id, "储罐区\x00未戴安全帽"),
            finding_mutation(world.own.id, "泵房\x01漏油", location={"text": "二号\x07罐区"}),
            finding_mutation(world.own.id, "多行描述\n第二行\t制表符可以"),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert {r["error"]["code"] for r in results[:2]} == {"control_characters"}
    assert results[1]["error"]["detail"]["fields"] == ["data.description", "data.location.text"]


def test_half_a_coordinate_is_rejected_and_the_stored_location_kept(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    report = finding_mutation(world.own.id, location={"text": "罐区A", "lat": 32.05, "lng": 119.42})
    [created] = phone.push_ok([report])
    results = phone.push_ok(
        [
            finding_mutation(world.own.id, location={"text": "罐区B", "lat": 32.1}),
            edit_mutation("finding", report["id"], created["version"], location={"lat": 5.0}),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert [r["error"]["detail"] for r in results] == [{"path": "location.lng"}] * 2
    assert "纬度和经度" in results[0]["error"]["message"]
    finding = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert finding["location"] == {"text": "罐区A", "lat": 32.05, "lng": 119.42}


def test_a_rejection_quoting_a_control_character_is_stored_and_replayed_not_a_500(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    # A rejection is stored for replay, and PostgreSQL refuses NUL even inside JSON: what the
    # device sent is quoted back with its control characters written out (\x00).
    phone = device(client, world)
    nul_key = {
        **finding_mutation(world.own.id),
        "data": {**finding_mutation(world.own.id)["data"], "\x00": 1},
    }
    batch = [nul_key, finding_mutation(world.own.id)]
    results = phone.push_ok(batch)
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["error"]["detail"]["fields"] == ["data.\\x00"]
    assert "data.\\x00" in results[0]["error"]["message"]
    assert phone.push_ok(batch)[0] == results[0]  # replayed from what was stored


def test_a_malformed_mutation_is_rejected_alone_naming_the_bad_field(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """One bad mutation never blocks the others (contract): it gets its own rejection."""
    phone = device(client, world)
    good = finding_mutation(world.own.id)
    malformed = [
        ({**good, "id": "123"}, "id"),
        ({k: v for k, v in good.items() if k != "op"}, "op"),
        ({**good, "data": ["not", "an", "object"]}, "data"),
        ({**good, "data": None}, "data"),
        ({**good, "client_time": "昨天下午"}, "client_time"),
        ({**good, "base_version": -1}, "base_version"),
    ]
    for broken, path in malformed:
        neighbour = finding_mutation(world.own.id)
        results = phone.push_ok([{**broken, "mutation_id": new_id()}, neighbour])
        assert [r["status"] for r in results] == ["rejected", "applied"], path
        assert results[0]["error"]["code"] == "invalid_mutation"
        assert results[0]["error"]["detail"] == {"path": path}
    assert count(db, Finding) == 2 + len(malformed)  # the world's two and each neighbour


def test_an_unknown_choice_is_rejected_listing_the_choices(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    [result] = phone.push_ok([finding_mutation(world.own.id, handling="immediate")])
    assert result["status"] == "rejected"
    error = result["error"]
    assert error["detail"] == {"path": "handling", "allowed": ["on_the_spot", "deadline"]}
    assert "on_the_spot（即查即改）" in error["message"]


def test_an_unknown_field_or_a_photo_listed_twice_is_named_in_the_rejection(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """A device build that sends a field this server does not know (or repeats a photo) is told which,
    so the fault can be found from the phone's sync log."""
    phone = device(client, world)
    report = finding_mutation(world.own.id)
    photo = "b" * 64
    results = phone.push_ok(
        [
            {**report, "data": {**report["data"], "weather": "晴"}},
            {
                **report,
                "mutation_id": new_id(),
                "data": {**report["data"], "location": {"text": "罐区", "alt": 3}},
            },
            finding_mutation(world.own.id, photos=[photo, "c" * 64, photo]),
        ]
    )
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert [r["error"]["detail"] for r in results] == [
        {"path": "weather"},
        {"path": "location.alt"},
        {"photos": [photo]},
    ]
    assert "包含未知字段 weather" in results[0]["error"]["message"]
    assert [r["error"]["code"] for r in results] == ["invalid_data", "invalid_data", "duplicate_photo"]


def test_an_item_whose_mutation_id_cannot_be_read_is_rejected_alone_echoing_what_was_sent(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """One corrupted outbox entry must not keep a phone's other findings from syncing: its result,
    in its place, carries the id it was sent with."""
    phone = device(client, world)
    first, last = finding_mutation(world.own.id), finding_mutation(world.own.id)
    broken = {**finding_mutation(world.own.id), "mutation_id": "m-001"}
    results = phone.push_ok([first, broken, 42, None, last])
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "rejected", "applied"]
    assert [r["mutation_id"] for r in results] == [
        first["mutation_id"],
        "m-001",
        None,
        None,
        last["mutation_id"],
    ]
    assert results[1]["error"]["code"] == "invalid_mutation"
    assert results[1]["error"]["detail"] == {"path": "mutation_id"}
    assert "不是有效的 UUID" in results[1]["error"]["message"]
    assert count(db, Finding) == 4  # the world's two, first and last
    results = phone.push_ok([{**finding_mutation(world.own.id), "data": {"description": "缺企业和时间"}}])
    assert results[0]["error"]["code"] == "missing_fields"
    assert results[0]["error"]["detail"] == {"fields": ["enterprise_id", "observed_at"]}


def test_a_mutation_id_comes_back_as_the_device_wrote_it(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    mutation = finding_mutation(world.own.id)
    written = uuid.UUID(mutation["mutation_id"]).hex.upper()  # no dashes, upper case: still a UUID
    [result] = phone.push_ok([{**mutation, "mutation_id": written}])
    assert result["status"] == "applied"
    assert result["mutation_id"] == written
    [again] = phone.push_ok([{**mutation, "mutation_id": written}])
    assert again["status"] == "duplicate" and again["mutation_id"] == written


def test_a_wrongly_typed_field_is_named_in_chinese(client: TestClient[Litestar], world: ParkWorld) -> None:
    phone = device(client, world)
    [result] = phone.push_ok([{**finding_mutation(world.own.id), "base_version": "abc"}])
    assert result["error"]["message"].startswith(
        "变更格式不合法：应为整数或空值，实际为文本（位置：base_version）"
    )


def test_a_blank_description_or_comment_rejects_that_mutation_alone(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    kept = finding_mutation(world.own.id, "危废暂存间标识缺失")
    results = phone.push_ok(
        [
            finding_mutation(world.own.id, "   "),
            finding_mutation(world.own.id, "\u3000\u3000"),
            finding_mutation(world.own.id, "\n\n"),
            kept,
            comment_mutation(kept["id"], " \u3000 "),
        ]
    )
    assert [r["status"] for r in results] == ["rejected"] * 3 + ["applied", "rejected"]
    assert {r["error"]["code"] for r in results if r["status"] == "rejected"} == {"blank_text"}
    assert results[4]["error"]["detail"]["fields"] == ["text"]
