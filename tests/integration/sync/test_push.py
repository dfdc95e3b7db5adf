"""Pushing offline mutations: at most once, in order, none blocking the others."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session

from backend.db.bulk import COPY_THRESHOLD
from backend.db.models import AuditEvent, Finding, SyncMutation
from backend.domain.accounts.roles import Role
from backend.domain.findings.vocabulary import FindingStatus
from backend.settings import Settings
from tests.conftest import ParkWorld
from tests.devices import (
    Device,
    comment_mutation,
    delete_mutation,
    edit_mutation,
    finding_mutation,
    jpeg_photo,
    new_id,
    settle,
)
from tests.integration.sync.pushing import count, device


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


def test_a_finding_reported_without_a_location_reads_back_with_an_empty_one_of_the_same_shape(
    client: TestClient[Litestar], world: ParkWorld
) -> None:
    """Clients read location.text and location.lat whether or not the inspector gave a place."""
    phone = device(client, world)
    mutation = finding_mutation(world.own.id)
    del mutation["data"]["location"]
    phone.push_ok([mutation])
    empty = {"text": "", "lat": None, "lng": None}
    assert client.get(f"/api/v1/findings/{mutation['id']}", headers=phone.headers).json()["location"] == empty
    [pulled] = [c for c in phone.pull_all() if c["id"] == mutation["id"]]
    assert pulled["data"]["location"] == empty


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
    # Another enterprise's finding reads exactly like one that does not exist, each named by its id.
    foreign, missing = (str(world.other_finding.id), results[2]["error"]["detail"]["id"])
    assert results[1]["error"]["message"].replace(foreign, missing) == results[2]["error"]["message"]
    assert results[1]["error"]["detail"] == {"entity": "finding", "id": foreign}
    assert results[1]["error"]["code"] == results[2]["error"]["code"] == "not_found"
    assert results[2]["error"]["message"].startswith(f"隐患不存在或无权访问：{missing}")


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


def test_duplicate_mutation_ids_in_one_batch_apply_once(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    phone = device(client, world)
    mutation = finding_mutation(world.own.id)
    results = phone.push_ok([mutation, mutation])
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert results[1]["error"]["code"] == "duplicate_mutation_id"
    assert count(db, Finding) == 3


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


def test_after_dispatch_evidence_photos_may_be_added_but_not_removed_and_handling_stays(
    client: TestClient[Litestar], world: ParkWorld, db: Session
) -> None:
    """The enterprise was told of them, and the AI checks the fix against them."""
    phone = device(client, world)
    first, first_bytes = jpeg_photo(31)
    second, second_bytes = jpeg_photo(32)
    for sha, data in ((first, first_bytes), (second, second_bytes)):
        assert phone.upload(sha, data).status_code == 201
    report = finding_mutation(world.own.id, "消防通道堆放杂物", photos=[first])
    assert phone.push_ok([report])[0]["status"] == "applied"
    dispatched = client.post(
        f"/api/v1/findings/{report['id']}/dispatch",
        json={"deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
        headers=world.headers(client, Role.PARK_ADMIN),
    )
    assert dispatched.status_code == 200, dispatched.text
    version = dispatched.json()["version"]

    [emptied] = phone.push_ok([edit_mutation("finding", report["id"], version, photos=[])])
    assert emptied["status"] == "rejected" and emptied["error"]["code"] == "locked_field"
    assert emptied["error"]["message"].startswith("隐患已下发，证据照片只能补充、不能删除")
    [switched] = phone.push_ok([edit_mutation("finding", report["id"], version, handling="on_the_spot")])
    assert switched["status"] == "rejected" and switched["error"]["code"] == "locked_field"
    assert switched["error"]["message"].startswith("隐患已下发，不能修改处理方式")  # a ticket stays one
    assert switched["error"]["detail"] == {"fields": ["handling"]}
    [added] = phone.push_ok([edit_mutation("finding", report["id"], version, photos=[first, second])])
    assert added["status"] == "applied", added
    stored = client.get(f"/api/v1/findings/{report['id']}", headers=phone.headers).json()
    assert stored["photos"] == [first, second] and stored["handling"] == "deadline"


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
