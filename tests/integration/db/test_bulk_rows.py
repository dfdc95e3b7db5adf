"""Rows built with ``new`` and written set-wise are the rows a flush would write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from backend.db.bulk import COPY_THRESHOLD, BulkRows
from backend.db.construct import new
from backend.db.models import Finding, JobOutbox
from tests.conftest import ParkWorld


def a_finding(world: ParkWorld, description: str) -> Finding:
    return new(
        Finding,
        id=uuid.uuid4(),
        park_id=world.own.park_id,
        enterprise_id=world.own.id,
        description=description,
        observed_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def test_a_row_built_by_new_and_added_to_the_session_is_inserted_whole_and_then_tracked(
    db: Session, world: ParkWorld
) -> None:
    finding = a_finding(world, "储罐区防火堤内堆放杂物")
    db.add(finding)
    db.commit()
    first_version = finding.version
    assert first_version > 0 and finding.field_versions["description"] == first_version

    finding.measures = "清理杂物"
    db.add(finding)
    db.commit()
    db.expire_all()
    stored = db.get(Finding, finding.id)
    assert stored is not None
    assert (stored.description, stored.measures) == ("储罐区防火堤内堆放杂物", "清理杂物")
    assert stored.version > first_version
    assert stored.field_versions["measures"] == stored.version
    assert stored.field_versions["description"] == first_version


def test_set_wise_rows_get_the_versions_a_flush_would_give(db: Session, world: ParkWorld) -> None:
    flushed = a_finding(world, "甲类仓库未设置可燃气体报警")
    db.add(flushed)
    db.flush()
    rows = BulkRows()
    bulk = [a_finding(world, f"装卸区静电接地失效{n}") for n in range(COPY_THRESHOLD)]  # COPY on PostgreSQL
    for finding in bulk:
        rows.add(finding)
    rows.add(new(JobOutbox, key=f"test:{bulk[0].id}", name="finding.match_new", payload={"n": 3}))
    rows.write(db)
    db.commit()

    stored = db.exec(select(Finding).where(col(Finding.id).in_([f.id for f in bulk]))).all()
    versions = sorted(f.version for f in stored)
    assert versions == list(range(flushed.version + 1, flushed.version + 1 + COPY_THRESHOLD))
    for finding in stored:
        assert set(finding.field_versions) == set(flushed.field_versions)
        assert set(finding.field_versions.values()) == {finding.version}
    job = db.exec(select(JobOutbox).where(JobOutbox.key == f"test:{bulk[0].id}")).one()
    assert job.id is not None and job.payload == {"n": 3}  # the database chose the key
