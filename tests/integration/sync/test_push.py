"""Pushing offline mutations: at most once, in order, none blocking the others."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, func, select

from backend.db.bulk import COPY_THRESHOLD
from backend.db.models import AuditEvent, Finding, Rectification, SyncMutation
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from backend.settings import Settings
from tests import factories
from tests.conftest import ParkWorld
from tests.devices import (
    Device,
    comment_mutation,
    delete_mutation,
    edit_mutation,
    finding_mutation,
    jpeg_photo,
    new_id,
    rectification_mutation,
    settle,
)


def device(client: TestClient[Litestar], world: ParkWorld, role: Role = Role.INSPECTOR) -> Device:
    return Device(client, world.headers(client, role))


def count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())


def test_inspector_reports_a_finding_and_reads_it_back(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    mutation = finding_mutation(world.own.id, photos=["a" * 64])
    [result] = phone.push_ok([mutation])
    assert result["status"] == "applied"
    assert result["id"] == mutation["id"]
    assert result["version"] > 0
    finding = client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()
    assert finding["description"] == mutation["data"]["description"]
    assert finding["status"] == "reported"
    assert finding["reported_by"] == str(world.users[Role.INSPECTOR].id)
    assert finding["missing_photos"] == ["a" * 64]
    settle(client)
    settled = client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()
    # Matching ran after the push: the finding now carries its suggested legal basis.
    assert [step["action"] for step in settled["timeline"]] == ["finding.reported", "finding.matched"]
    assert settled["matches"]["checklist"]


def test_retried_batch_returns_the_same_results_and_changes_nothing(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    phone = device(client, world)
    batch_id = new_id()
    mutations = [finding_mutation(world.own.id, f"隐患{n}") for n in range(3)]
    first = phone.push_ok(mutations, batch_id)
    settle(client)
    findings_after_first, audit_after_first = count(db, Finding), count(db, AuditEvent)
    again = phone.push_ok(mutations, batch_id)
    settle(client)
    assert again == first
    assert (count(db, Finding), count(db, AuditEvent)) == (findings_after_first, audit_after_first)


def test_a_retried_batch_that_creates_edits_and_comments_one_finding_returns_the_same_versions(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """Offline, an inspector reports, corrects the wording and comments before the network
    returns; the reply to a resent batch is the reply the lost one carried."""
    phone = device(client, world)
    report = finding_mutation(world.own.id, "配电箱门未关闭")
    batch_id = new_id()
    mutations = [
        report,
        edit_mutation("finding", report["id"], None, description="配电箱门未关闭且无警示标识"),
        comment_mutation(report["id"], "已口头告知企业"),
    ]
    first = phone.push_ok(mutations, batch_id)
    assert [r["status"] for r in first] == ["applied"] * 3
    again = phone.push_ok(mutations, batch_id)
    assert [r["version"] for r in again] == [r["version"] for r in first]
    assert again == first


def test_mutation_resent_in_a_new_batch_is_a_duplicate_with_the_same_outcome(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    phone = device(client, world)
    mutation = finding_mutation(world.own.id)
    [first] = phone.push_ok([mutation])
    [again] = phone.push_ok([mutation])
    assert again["status"] == "duplicate"
    assert (again["id"], again["version"]) == (first["id"], first["version"])
    assert count(db, Finding) == 3  # the world's two plus this one


def test_one_invalid_mutation_is_rejected_without_blocking_the_others(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    bad = finding_mutation(world.own.id, "")  # empty description
    results = phone.push_ok(
        [finding_mutation(world.own.id, "第一条"), bad, finding_mutation(world.own.id, "第三条")]
    )
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["error"]["code"] == "invalid_data"
    assert "description" in results[1]["error"]["message"]
    assert results[1]["error"]["detail"] == {"path": "description"}  # where, for the phone to name
    assert results[0]["version"] < results[2]["version"]


def test_batch_over_the_mutation_limit_is_413_and_applies_nothing(
    client: TestClient[Litestar], world: ParkWorld, settings: Settings, db: Session
) -> None:
    phone = device(client, world)
    response = phone.push([finding_mutation(world.own.id) for _ in range(settings.sync_max_mutations + 1)])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert count(db, Finding) == 2
    assert count(db, SyncMutation) == 0


def test_enterprise_staff_are_told_they_may_not_delete_a_finding_they_can_see(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    own, other = (
        staff.push_ok([delete_mutation("finding", finding.id, None)])[0]
        for finding in (world.own_finding, world.other_finding)
    )
    assert (own["status"], own["error"]["code"]) == ("rejected", "forbidden")
    assert "不能删除" in own["error"]["message"]
    assert other["error"]["code"] == "not_found"  # another enterprise's: never leak that it exists
    assert client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).status_code == 200


def test_enterprise_staff_cannot_report_or_comment_outside_their_enterprise(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    results = staff.push_ok(
        [
            finding_mutation(world.own.id),
            comment_mutation(world.other_finding.id),
            comment_mutation(new_id()),
            comment_mutation(world.own_finding.id),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "rejected", "applied"]
    assert results[0]["error"]["code"] == "forbidden"
    # Another enterprise's finding reads exactly like one that does not exist.
    assert results[1]["error"] == results[2]["error"]
    assert results[1]["error"]["code"] == "not_found"


def test_staff_editing_their_enterprises_finding_are_told_to_submit_a_rectification(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    own, other = world.own_finding, world.other_finding
    [edit, foreign] = staff.push_ok(
        [
            edit_mutation("finding", own.id, own.version, measures="已整改"),
            edit_mutation("finding", other.id, other.version, measures="已整改"),
        ]
    )
    assert edit["error"]["code"] == "forbidden"
    assert edit["error"]["message"].startswith("企业用户不能修改园区检查隐患，整改情况请提交整改记录")
    assert foreign["error"]["code"] == "not_found"  # another enterprise's finding: as if none


def test_server_owned_fields_cannot_be_set_but_may_be_echoed(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    created = finding_mutation(world.own.id)
    [applied] = phone.push_ok([created])
    results = phone.push_ok(
        [
            {
                **finding_mutation(world.own.id),
                "data": {**finding_mutation(world.own.id)["data"], "status": "closed"},
            },
            {
                "mutation_id": new_id(),
                "entity": "finding",
                "op": "upsert",
                "id": created["id"],
                "base_version": applied["version"],
                "data": {"level": "major"},
            },
            {
                "mutation_id": new_id(),
                "entity": "finding",
                "op": "upsert",
                "id": created["id"],
                "base_version": applied["version"],
                "data": {"status": "reported", "measures": "立即停止作业"},
            },
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert results[0]["error"]["detail"] == {"fields": ["status"]}
    assert results[1]["error"]["code"] == "server_owned_field"


def test_times_echoed_from_the_findings_api_are_the_same_times(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """GET writes ``…Z``, pull writes ``…+00:00``, a browser's toISOString() keeps milliseconds: the
    same instant sent back is an echo, not an attempt to change it."""
    phone = device(client, world)
    report = finding_mutation(world.own.id, "泵房地面油污未清理")
    phone.push_ok([report])
    settle(client)
    shown = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    created = datetime.fromisoformat(shown["created_at"])
    for written in (
        shown["created_at"],
        created.isoformat(),
        created.astimezone(timezone(timedelta(hours=8))).isoformat(),
    ):
        [result] = phone.push_ok(
            [
                edit_mutation(
                    "finding", report["id"], shown["version"], created_at=written, measures="已安排清理"
                )
            ]
        )
        assert result["status"] == "applied", (written, result["error"])
        settle(client)
        shown = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    an_hour_later = (created + timedelta(hours=1)).isoformat()
    [moved] = phone.push_ok(
        [edit_mutation("finding", report["id"], shown["version"], created_at=an_hour_later)]
    )
    assert moved["status"] == "rejected" and moved["error"]["code"] == "server_owned_field"


def test_a_finding_echoed_as_pulled_with_photos_still_missing_is_edited(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """A device may send back the whole record it pulled: the photo it has not uploaded yet
    (``missing_photos``) and the steps so far (``timeline``) are views, not an attempt to set them."""
    phone = device(client, world)
    report = finding_mutation(world.own.id, "储罐区两名作业人员未佩戴安全帽", photos=["b" * 64])
    phone.push_ok([report])
    settle(client)
    for stale in ({}, {"missing_photos": [], "timeline": [], "status_label": "旧"}):
        [pulled] = [c for c in Device(client, phone.headers).pull_all() if c["id"] == report["id"]]
        assert pulled["data"]["missing_photos"] == ["b" * 64] and pulled["data"]["timeline"]
        data = {**pulled["data"], **stale, "description": f"{pulled['data']['description']}，已制止"}
        edit = edit_mutation("finding", report["id"], pulled["version"], **data)
        [result] = phone.push_ok([edit])
        assert result["status"] == "applied", result["error"]
        # The edit asks for matching again: a pull while that job commits reads up to the counter
        # committed when its page started, so the record shows in the next pull, not this one.
        settle(client)


def test_an_echo_of_server_fields_changed_since_the_pull_is_not_an_attempt_to_set_them(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """A phone pulls a finding; matching then rewrites its ``matches`` (another phone changed the
    description). The first phone's edit of another field echoes the older matches: it merges."""
    phone, other = device(client, world), device(client, world)
    report = finding_mutation(world.own.id, "储罐区两名作业人员未佩戴安全帽")
    phone.push_ok([report])
    settle(client)
    [pulled] = [c for c in phone.pull_all() if c["id"] == report["id"]]
    [moved] = other.push_ok(
        [edit_mutation("finding", report["id"], pulled["version"], description="配电室门口堆放易燃纸箱")]
    )
    assert moved["status"] == "applied"
    settle(client)
    now = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert now["matches"] != pulled["data"]["matches"]

    echo = {**pulled["data"], "measures": "已责令立即整改"}
    [result] = phone.push_ok([edit_mutation("finding", report["id"], pulled["version"], **echo)])
    assert result["status"] == "conflict", result
    assert result["error"]["detail"]["fields"] == ["description"]

    echo.pop("description")
    [result] = phone.push_ok([edit_mutation("finding", report["id"], pulled["version"], **echo)])
    assert result["status"] == "applied", result["error"]
    merged = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert (merged["description"], merged["measures"]) == ("配电室门口堆放易燃纸箱", "已责令立即整改")
    assert merged["matches"] == now["matches"]


def test_a_status_sent_with_the_latest_version_is_still_refused(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    phone = device(client, world)
    report = finding_mutation(world.own.id)
    phone.push_ok([report])
    settle(client)
    [pulled] = [c for c in phone.pull_all() if c["id"] == report["id"]]
    [result] = phone.push_ok(
        [edit_mutation("finding", report["id"], pulled["version"], **{**pulled["data"], "status": "closed"})]
    )
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "server_owned_field"
    assert result["error"]["detail"] == {"fields": ["status"]}


def test_duplicate_mutation_ids_in_one_batch_apply_once(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    phone = device(client, world)
    mutation = finding_mutation(world.own.id)
    results = phone.push_ok([mutation, mutation])
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["error"]["code"] == "duplicate_mutation_id"
    assert count(db, Finding) == 3


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


def test_rectification_by_the_finding_enterprise_moves_it_to_pending_verification(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    world.own_finding.status = FindingStatus.DISPATCHED
    world.other_finding.status = FindingStatus.DISPATCHED
    db.add(world.own_finding)
    db.add(world.other_finding)
    db.commit()
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    results = staff.push_ok(
        [
            rectification_mutation(world.other_finding.id, ["b" * 64]),
            rectification_mutation(world.own_finding.id, []),
            rectification_mutation(world.own_finding.id, ["c" * 64]),
            rectification_mutation(world.own_finding.id, ["d" * 64]),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied", "rejected"]
    assert [r["error"]["code"] for r in (results[0], results[1], results[3])] == [
        "not_found",
        "photos_required",
        "illegal_transition",
    ]
    assert results[3]["error"]["detail"] == {"status": "pending_verification"}
    finding = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()
    assert finding["status"] == "pending_verification"
    assert finding["timeline"][-1]["action"] == "rectification.submitted"


def test_a_submitted_rectification_is_edited_only_by_its_side_and_keeps_an_after_photo(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    world.own_finding.status = FindingStatus.DISPATCHED
    db.add(world.own_finding)
    db.commit()
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    first = rectification_mutation(world.own_finding.id, ["c" * 64], note="已补发安全帽")
    staff.push_ok([first])
    stored = db.get(Rectification, uuid.UUID(first["id"]))
    assert stored is not None
    stored.verification = {"verdict": "pass", "reasons": []}  # as the AI verification leaves it
    db.add(stored)
    db.commit()

    inspector = device(client, world, Role.INSPECTOR)
    [rewritten] = inspector.push_ok(
        [edit_mutation("rectification", first["id"], None, note="改写的整改说明", photos=["f" * 64])]
    )
    assert rewritten["status"] == "rejected" and rewritten["error"]["code"] == "forbidden"
    [emptied] = staff.push_ok([edit_mutation("rectification", first["id"], None, photos=[])])
    assert emptied["status"] == "rejected" and emptied["error"]["code"] == "photos_required"
    db.expire_all()
    kept = db.get(Rectification, uuid.UUID(first["id"]))
    assert kept is not None and (kept.note, kept.photos) == ("已补发安全帽", ["c" * 64])

    [replaced] = staff.push_ok([edit_mutation("rectification", first["id"], kept.version, photos=["d" * 64])])
    assert replaced["status"] == "applied"
    db.expire_all()
    edited = db.get(Rectification, uuid.UUID(first["id"]))
    assert edited is not None and edited.photos == ["d" * 64]
    assert edited.verification is None  # the verdict on the old photo no longer stands
    timeline = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=staff.headers).json()[
        "timeline"
    ]
    [change] = [step for step in timeline if step["action"] == "rectification.edited"]
    assert change["detail"] == {
        "rectification_id": first["id"],
        "photos": ["d" * 64],
    }  # what the supervisor now reviews


def test_rectification_of_a_finding_not_yet_dispatched_is_rejected(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    staff = device(client, world, Role.ENTERPRISE_STAFF)
    [result] = staff.push_ok([rectification_mutation(world.own_finding.id, ["e" * 64])])
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "illegal_transition"
    assert result["error"]["detail"] == {"status": "reported"}


def test_new_findings_written_set_wise_read_back_like_one_written_through_the_unit_of_work(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """A batch of only new findings takes the set-wise path; a new finding edited in the same
    batch takes the unit-of-work path. Devices and jobs must not tell them apart."""
    phone = device(client, world)
    photo, data = jpeg_photo(11)
    assert phone.upload(photo, data).status_code == 201
    # Enough rows that PostgreSQL writes them with COPY (backend.db.bulk.COPY_THRESHOLD).
    set_wise = [
        finding_mutation(world.own.id, f"消防通道堵塞{n}", photos=[photo]) for n in range(COPY_THRESHOLD)
    ]
    through_orm = finding_mutation(world.own.id, "消防通道堵塞（车间）", photos=[photo])
    edit = edit_mutation("finding", through_orm["id"], None, measures="立即清理")
    results = phone.push_ok(set_wise) + phone.push_ok([through_orm, edit])
    assert [r["status"] for r in results] == ["applied"] * (COPY_THRESHOLD + 2)
    versions = [r["version"] for r in results[:-1]]
    assert len(set(versions)) == len(versions) and min(versions) > 0
    settle(client)

    pulled = {c["id"]: c for c in phone.pull_all() if c["entity"] == "finding"}
    documents = [pulled[m["id"]]["data"] for m in [*set_wise, through_orm]]
    varying = {
        "description",
        "measures",
        "observed_at",
        "created_at",
        "updated_at",
        "matches",
        "penalty_draft",
        "ai",
        "timeline",  # times, and the order the jobs ran in
    }
    orm_view = {k: v for k, v in documents[-1].items() if k not in varying}
    steps = sorted(step["action"] for step in documents[-1]["timeline"] if step["action"] != "finding.edited")
    for document in documents[:-1]:
        assert {k: v for k, v in document.items() if k not in varying} == orm_view
        assert sorted(step["action"] for step in document["timeline"]) == steps
    for mutation in [*set_wise, through_orm]:
        finding = client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()
        assert finding["missing_photos"] == []
        assert finding["matches"]["checklist"], "matching ran for every new finding"
        assert finding["timeline"][0]["action"] == "finding.reported"
        assert "finding.photos_complete" in [step["action"] for step in finding["timeline"]]
    stored = db.get(Finding, uuid.UUID(set_wise[0]["id"]))
    assert stored is not None
    written = ("description", "photos", "location", "observed_at", "enterprise_id")
    assert {stored.field_versions[name] for name in written} == {results[0]["version"]}


def test_a_closed_finding_can_no_longer_be_changed_from_a_device(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    world.own_finding.status = FindingStatus.CLOSED
    db.add(world.own_finding)
    db.commit()
    phone = device(client, world)
    [result] = phone.push_ok(
        [edit_mutation("finding", world.own_finding.id, world.own_finding.version, description="改过的描述")]
    )
    assert result["status"] == "rejected" and result["error"]["code"] == "finding_closed"
    stored = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=phone.headers).json()
    assert stored["description"] == world.own_finding.description


def test_a_base_version_never_handed_out_cannot_overwrite_an_edit_the_device_never_saw(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    first, second = device(client, world), device(client, world)
    seen = world.own_finding.version
    [edited] = first.push_ok([edit_mutation("finding", world.own_finding.id, seen, measures="设置警戒线")])
    assert edited["status"] == "applied"
    made_up = edited["version"] + 1_000_000
    results = second.push_ok(
        [
            edit_mutation("finding", world.own_finding.id, made_up, measures="无需处理"),
            delete_mutation("finding", world.own_finding.id, made_up),
        ]
    )
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert {r["error"]["code"] for r in results} == {"invalid_base_version"}
    stored = client.get(f"/api/v1/findings/{world.own_finding.id}", headers=first.headers).json()
    assert stored["measures"] == "设置警戒线"  # kept, and the finding was not deleted (200)


def test_another_users_mutation_id_gets_neither_its_outcome_nor_its_record(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    inspector = device(client, world)
    mutation = finding_mutation(world.own.id, "储罐区防火堤内堆放杂物")
    inspector.push_ok([mutation])
    other_staff = device(client, world, Role.ENTERPRISE_STAFF)
    [result] = other_staff.push_ok(
        [{**comment_mutation(world.other_finding.id), "mutation_id": mutation["mutation_id"]}]
    )
    assert result["status"] == "rejected" and result["error"]["code"] == "mutation_id_taken"
    assert result["server"] is None and result["id"] != mutation["id"]
    assert inspector.push_ok([mutation])[0]["status"] == "duplicate"  # its owner still gets the replay


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


def test_an_edited_or_deleted_comment_reads_as_it_is_now_on_the_timeline_and_in_pulls(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """A phone number posted by mistake, then deleted, must not stay readable to everyone."""
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    finding_id = world.own_finding.id
    slip, kept = (
        comment_mutation(finding_id, "误发：手机号13800000000"),
        comment_mutation(finding_id, "已安排检修"),
    )
    slip_added, kept_added = staff.push_ok([slip, kept])
    [edited] = staff.push_ok(
        [edit_mutation("comment", kept["id"], kept_added["version"], text="已安排检修，周五完成")]
    )
    assert edited["status"] == "applied"
    [deleted] = staff.push_ok([delete_mutation("comment", slip["id"], slip_added["version"])])
    assert deleted["status"] == "applied"

    timeline = client.get(f"/api/v1/findings/{finding_id}", headers=staff.headers).json()["timeline"]
    comments = {
        step["detail"]["comment_id"]: step["detail"] for step in timeline if step["action"] == "comment.added"
    }
    assert comments[slip["id"]]["text"] == "" and comments[slip["id"]]["deleted"] is True
    assert comments[kept["id"]]["text"] == "已安排检修，周五完成" and comments[kept["id"]]["edited"] is True
    reader = Device(client, world.headers(client, Role.SUPERVISOR))
    pulled = {c["id"]: c for c in reader.pull_all() if c["entity"] == "comment"}
    assert pulled[slip["id"]]["deleted"] is True
    assert "13800000000" not in str(pulled[slip["id"]])


def test_a_rectification_echoed_as_pulled_with_its_ai_verdict_is_edited(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The verdict is the server's: a phone that edits the note and sends the pulled record back
    whole is not trying to change it."""
    finding = factories.finding(
        db, world.own, status=FindingStatus.DISPATCHED, dispatched_at=datetime.now(UTC)
    )
    db.commit()
    staff = Device(client, world.headers(client, Role.ENTERPRISE_STAFF))
    sha, photo = jpeg_photo(41, (80, 60))
    assert staff.upload(sha, photo).status_code == 201
    [submitted] = staff.push_ok([rectification_mutation(finding.id, [sha])])
    settle(client)
    [pulled] = [c for c in staff.pull_all() if c["id"] == submitted["id"]]
    echo = {**pulled["data"], "note": "已补发安全帽，班组长签字确认"}
    [edited] = staff.push_ok([edit_mutation("rectification", submitted["id"], pulled["version"], **echo)])
    assert edited["status"] == "applied", edited
    [changed] = staff.push_ok(
        [edit_mutation("rectification", submitted["id"], edited["version"], verification={"verdict": "pass"})]
    )
    assert changed["status"] == "rejected" and changed["error"]["code"] == "server_owned_field"
