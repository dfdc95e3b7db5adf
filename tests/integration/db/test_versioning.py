"""Server-assigned versions: monotonic, and visible in the order they were handed out."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.models import Enterprise
from backend.db.versioning import allocate_versions, current_version, update_synced
from tests import factories


def test_every_insert_and_update_gets_a_higher_version(db: Session) -> None:
    park = factories.park(db)
    first = factories.enterprise(db, park)
    second = factories.enterprise(db, park)
    db.commit()
    assert 0 < first.version < second.version
    first.name = "改名后的企业"
    db.add(first)
    db.commit()
    assert first.version > second.version
    assert current_version(db) == first.version


def test_unchanged_records_keep_their_version(db: Session) -> None:
    park = factories.park(db)
    enterprise = factories.enterprise(db, park)
    db.commit()
    before = enterprise.version
    enterprise.name = enterprise.name  # no real change
    db.add(enterprise)
    db.commit()
    assert enterprise.version == before


def test_tombstones_are_versioned_like_edits(db: Session) -> None:
    park = factories.park(db)
    enterprise = factories.enterprise(db, park)
    db.commit()
    before = enterprise.version
    enterprise.deleted_at = datetime.now(UTC)
    db.add(enterprise)
    db.commit()
    assert enterprise.version > before


def test_a_row_updated_without_loading_it_is_stamped_as_a_flush_would_stamp_it(db: Session) -> None:
    park = factories.park(db)
    enterprise = factories.enterprise(db, park)
    db.commit()
    created = enterprise.version

    version = allocate_versions(db, 1)
    update_synced(
        db,
        Enterprise,
        enterprise.id,
        {"name": "改名后的企业"},
        field_versions=enterprise.field_versions,
        version=version,
    )
    db.commit()
    db.expire_all()
    stored = db.get(Enterprise, enterprise.id)
    assert stored is not None
    assert stored.name == "改名后的企业"
    assert stored.version == version > created
    assert stored.field_versions["name"] == version
    assert {key: v for key, v in stored.field_versions.items() if key != "name"} == {
        key: created for key in stored.field_versions if key != "name"
    }
    assert current_version(db) == version


def test_a_later_writer_waits_so_versions_commit_in_order(
    session_factory: sessionmaker[Session], database_url: str
) -> None:
    """The gap a sequence would leave: B must not commit version N+1 while A still holds N."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time; the reordering can only happen on PostgreSQL")
    with session_factory() as setup:
        park = factories.park(setup)
        setup.commit()
        park_id = park.id

    a_flushed = threading.Event()
    committed: list[tuple[str, int]] = []

    def writer_a() -> None:
        with session_factory() as session:
            record = factories.enterprise(session, session.get(type(park), park_id))  # type: ignore[arg-type]
            a_flushed.set()
            time.sleep(0.5)  # A holds its version uncommitted for a while
            session.commit()
            committed.append(("a", record.version))

    def writer_b() -> None:
        a_flushed.wait()
        with session_factory() as session:
            record = factories.enterprise(session, session.get(type(park), park_id))  # type: ignore[arg-type]
            session.commit()
            committed.append(("b", record.version))

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert [name for name, _ in committed] == ["a", "b"]
    assert committed[0][1] < committed[1][1]
    with session_factory() as session:
        versions = session.exec(sa.select(Enterprise.version).order_by(Enterprise.version)).all()  # type: ignore[call-overload]
        assert [v for (v,) in versions] == sorted(v for _, v in committed)
