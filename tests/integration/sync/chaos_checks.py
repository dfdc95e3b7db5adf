"""What must hold after the chaos test's day: nothing lost, duplicated, skipped or leaked."""

from __future__ import annotations

import random
import time
from collections import Counter

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, func, select

from backend.db.models import (
    AuditEvent,
    Comment,
    Finding,
    Photo,
    Rectification,
    SyncMutation,
)
from backend.domain.audit.service import verify_chain
from tests.integration.sync.chaos_day import (
    Outcome,
)
from tests.integration.sync.chaos_devices import (
    JSON,
    SEED,
    login,
)


def every_mutation_was_answered_as_expected(day: Outcome) -> None:
    for device in day.devices:
        assert not device.backlog and not device.carried, device.name
        unanswered = set(device.expected) - set(device.answers)
        assert not unanswered, f"{device.name}: {len(unanswered)} mutations never got an answer"
    assert sum(d.sent_mutations for d in day.devices) >= 350, "the day was too quiet to prove anything"


def list_findings(client: TestClient[Litestar], headers: dict[str, str]) -> list[JSON]:
    items: list[JSON] = []
    while True:
        response = client.get(
            "/api/v1/findings", params={"limit": 500, "offset": len(items)}, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if not page["items"] or len(items) >= page["total"]:
            assert len(items) == page["total"]
            return items


def expected_status(day: Outcome, finding_id: str) -> str:
    rectified = set(day.rectifications().values())
    if finding_id in rectified:
        return "pending_verification"
    return "dispatched" if finding_id in day.dispatched else "reported"


def every_believed_finding_exists_exactly_once(day: Outcome, client: TestClient[Litestar]) -> None:
    headers = login(client, day.park.admin)
    items = list_findings(client, headers)
    listed = Counter(item["id"] for item in items)
    assert [fid for fid, n in listed.items() if n > 1] == [], "a finding is listed twice"
    live = day.live_findings()
    assert set(listed) - set(live) == set(), "findings nobody reported (or deleted ones) are listed"
    assert set(live) - set(listed) == set(), "findings devices believe applied are missing"
    planned = day.planned_findings()
    for item in items:
        fid = item["id"]
        assert item["enterprise_id"] == live[fid]
        assert item["missing_photos"] == [], f"finding {fid} still misses photos"
        assert item["status"] == expected_status(day, fid), fid
        if fid in planned:
            assert item["photos"] == planned[fid].photos, fid
            assert item["measures"] == planned[fid].measures, fid
    for fid in (f.id for f in planned.values() if f.deleted):
        assert client.get(f"/api/v1/findings/{fid}", headers=headers).status_code == 404


def nothing_was_applied_twice(day: Outcome, session_factory: sessionmaker[Session]) -> None:
    sent = {mid for device in day.devices for mid in device.expected}
    with session_factory() as session:
        recorded = Counter(str(mid) for mid in session.exec(select(SyncMutation.mutation_id)).all())
        assert set(recorded) == sent, "every mutation is recorded once, and nothing else is"
        reported = Counter(
            session.exec(select(AuditEvent.entity_id).where(AuditEvent.action == "finding.reported")).all()
        )
        planned = day.planned_findings()
        assert {fid: reported[fid] for fid in planned} == dict.fromkeys(planned, 1), "a report applied twice"
        added = session.exec(select(AuditEvent.after).where(AuditEvent.action == "comment.added")).all()
        added_ids = Counter(str(after["comment_id"]) for after in added if after)
        assert added_ids == Counter(list(day.comments())), "a comment applied twice, or one lost"
        submitted = session.exec(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "rectification.submitted")
        ).one()
        assert submitted == len(day.rectifications())
        assert {str(i) for i in session.exec(select(Comment.id)).all()} == set(day.comments())
        assert {str(i) for i in session.exec(select(Rectification.id)).all()} == set(day.rectifications())
        checked, chain_break = verify_chain(session)
        assert chain_break is None, chain_break
        assert checked >= len(planned)


def named_photos(day: Outcome) -> dict[str, set[str]]:
    """Photo hash -> the enterprises whose records name it."""
    enterprise_of = day.enterprise_of()
    named: dict[str, set[str]] = {}
    for finding in day.planned_findings().values():
        for sha in finding.photos:
            named.setdefault(sha, set()).add(finding.enterprise_id)
    for device in day.staff_devices:
        for rid, photos in device.rectification_photos.items():
            for sha in photos:
                named.setdefault(sha, set()).add(enterprise_of[device.rectifications[rid]])
    return named


def every_photo_is_stored_once_linked_and_served(
    day: Outcome, client: TestClient[Litestar], session_factory: sessionmaker[Session]
) -> None:
    named = named_photos(day)
    statuses: dict[str, list[int]] = {}
    for sha, status in day.uploads.statuses:
        statuses.setdefault(sha, []).append(status)
    assert set(named) - set(statuses) == set(), "a named photo was never uploaded (test bug)"
    created_twice = {sha: s for sha, s in statuses.items() if s.count(201) != 1}
    assert created_twice == {}, "each photo is created (201) exactly once, then answered 200"
    headers = login(client, day.park.admin)
    for sha in sorted(named):
        response = client.get(f"/api/v1/photos/{sha}", headers=headers)
        assert response.status_code == 200, (sha, response.text)
        assert response.content == day.photo_bytes[sha], f"photo {sha} served with other bytes"
    with_photos = {fid for fid, f in day.planned_findings().items() if f.photos and not f.deleted}
    deadline = time.monotonic() + 20
    while True:
        with session_factory() as session:
            completed = Counter(
                session.exec(
                    select(AuditEvent.entity_id).where(AuditEvent.action == "finding.photos_complete")
                ).all()
            )
        assert [fid for fid, n in completed.items() if n > 1] == [], "photos_complete ran twice"
        if with_photos <= set(completed) or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert with_photos - set(completed) == set(), "a finding whose photos all arrived never completed"


def current_versions(session_factory: sessionmaker[Session]) -> dict[tuple[str, str], tuple[int, bool]]:
    versions: dict[tuple[str, str], tuple[int, bool]] = {}
    with session_factory() as session:
        for entity, model in (("finding", Finding), ("comment", Comment), ("rectification", Rectification)):
            for record_id, version, deleted_at in session.exec(
                select(model.id, model.version, model.deleted_at)
            ).all():
                versions[(entity, str(record_id))] = (version, deleted_at is not None)
    return versions


def every_puller_that_paged_to_the_end_saw_every_change(
    day: Outcome, session_factory: sessionmaker[Session]
) -> None:
    versions = current_versions(session_factory)
    enterprise_of = day.enterprise_of()
    parents = {("comment", cid): fid for cid, fid in day.comments().items()}
    parents.update({("rectification", rid): fid for rid, fid in day.rectifications().items()})
    logs = day.pullers + [device.pulls for device in day.devices]
    for log in logs:
        assert log.reached_end, log.name
        stale: list[tuple[str, str]] = []
        for key, (version, deleted) in versions.items():
            finding_id = key[1] if key[0] == "finding" else parents[key]
            if log.enterprise_id is not None and enterprise_of[finding_id] != log.enterprise_id:
                continue
            seen = log.latest.get(key)
            if seen is None or seen["version"] != version or seen["deleted"] != deleted:
                stale.append(key)
        assert stale == [], f"{log.name} paged to the end but skipped {len(stale)} changes: {stale[:5]}"


def no_staff_puller_saw_another_enterprises_records(day: Outcome) -> None:
    enterprise_of = day.enterprise_of()
    logs = [log for log in day.pullers + [d.pulls for d in day.devices] if log.enterprise_id is not None]
    assert len(logs) >= 6
    for log in logs:
        own = log.enterprise_id
        assert log.ids("enterprise") == {own}, log.name
        for (entity, record_id), change in log.latest.items():
            if entity == "finding":
                assert change["data"]["enterprise_id"] == own, (log.name, record_id)
            elif entity in ("comment", "rectification"):
                assert enterprise_of[change["data"]["finding_id"]] == own, (log.name, entity, record_id)


def staff_fetch_only_their_own_enterprises_photos(
    day: Outcome, client: TestClient[Litestar], session_factory: sessionmaker[Session]
) -> None:
    named = named_photos(day)
    with session_factory() as session:
        uploader = {
            sha: str(user) for sha, user in session.exec(select(Photo.sha256, Photo.uploaded_by)).all()
        }
    rng = random.Random(SEED)
    for device in day.staff_devices:
        own = device.enterprise_id
        assert own is not None
        foreign = sorted(
            sha for sha, users in named.items() if own not in users and uploader[sha] != str(device.user.id)
        )
        mine = sorted(sha for sha, users in named.items() if own in users)
        assert foreign and mine
        for sha in rng.sample(foreign, min(8, len(foreign))):
            response = client.get(f"/api/v1/photos/{sha}", headers=device.headers)
            assert response.status_code == 404, (device.name, sha, response.status_code)
        for sha in rng.sample(mine, min(4, len(mine))):
            response = client.get(f"/api/v1/photos/{sha}", headers=device.headers)
            assert response.status_code == 200, (device.name, sha, response.status_code)
            assert response.content == day.photo_bytes[sha]
        listed = list_findings(client, device.headers)
        assert {item["enterprise_id"] for item in listed} == {own}, device.name
