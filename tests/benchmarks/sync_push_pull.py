"""Push and pull throughput against the same work done with bare SQLAlchemy Core.

- push: 10,000 findings from one device in batches of 100, through the push service
  (validation, merge, versions, outcomes, audit chain), vs inserting the same rows
  with Core, one transaction per 100 rows. Goal ≤ 6×.
- pull: paging through 10,000 changes, vs one bare SELECT of the same rows.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from backend.db.engine import create_db_engine, create_session_factory, transaction
from backend.db.migrate import upgrade
from backend.db.models import Enterprise, Finding, User
from backend.domain.accounts.service import principal_of
from backend.domain.sync.mutations import Entity, Mutation, Op, PushBatch
from backend.domain.sync.pull import PullService
from backend.domain.sync.push import PushService
from backend.settings import Settings
from seed.loader import run_seed
from tests.benchmarks.report import Figure

FINDINGS = 10_000
BATCH = 100


def _settings(folder: Path, database_url: str | None) -> Settings:
    return Settings(
        _env_file=None, data_dir=folder, database_url=database_url or f"sqlite:///{folder / 'sync.db'}"
    )


def _rows(enterprise: Enterprise, count: int) -> list[dict[str, Any]]:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    return [
        {
            "id": uuid.uuid4(),
            "description": f"动火作业现场未配备灭火器（{n}）",
            "observed_at": start + timedelta(minutes=n),
            "location": {
                "text": "二车间",
                "lat": 32.0,
                "lng": 119.0,
            },
            "photos": [],
        }
        for n in range(count)
    ]


def measure(database_url: str | None = None) -> list[Figure]:
    with tempfile.TemporaryDirectory() as folder:
        settings = _settings(Path(folder), database_url)
        upgrade(settings.resolved_database_url)
        engine = create_db_engine(settings)
        factory = create_session_factory(engine)
        with transaction(factory) as session:
            run_seed(session, settings, demo=True)
        with factory() as session:
            enterprise = session.exec(select(Enterprise).order_by(Enterprise.code)).first()
            inspector = session.exec(select(User).where(User.username == "inspector")).one()
            assert enterprise is not None
        principal = principal_of(inspector)
        kind = "PostgreSQL" if settings.resolved_database_url.startswith("postgresql") else "SQLite"

        core_rows = _rows(enterprise, FINDINGS)
        table = Finding.__table__  # type: ignore[attr-defined]
        now = datetime.now(UTC)
        started = time.perf_counter()
        for offset in range(0, FINDINGS, BATCH):
            with engine.begin() as connection:
                connection.execute(
                    table.insert(),
                    [
                        {
                            **row,
                            "park_id": enterprise.park_id,
                            "enterprise_id": enterprise.id,
                            "created_at": now,
                            "updated_at": now,
                            "version": 0,
                            "field_versions": {},
                            "status": "reported",
                            "level": "general",
                            "source": "routine",
                            "hazard_type": "other",
                            "handling": "deadline",
                            "responsible_person": "",
                            "measures": "",
                            "overdue": False,
                            "escalation_level": 0,
                            "acceptance_comment": "",
                            "ai": [],
                            "matches": {},
                        }
                        for row in core_rows[offset : offset + BATCH]
                    ],
                )
        core_seconds = time.perf_counter() - started

        pushed = _rows(enterprise, FINDINGS)
        started = time.perf_counter()
        for offset in range(0, FINDINGS, BATCH):
            mutations = [
                Mutation(
                    uuid.uuid4(),
                    Entity.FINDING,
                    Op.UPSERT,
                    row["id"],
                    None,
                    now,
                    {
                        "enterprise_id": str(enterprise.id),
                        "description": row["description"],
                        "observed_at": row["observed_at"].isoformat(),
                        "location": row["location"],
                        "photos": [],
                    },
                )
                for row in pushed[offset : offset + BATCH]
            ]
            with transaction(factory) as session:
                PushService(session, principal, settings).push(
                    "bench-device", PushBatch("bench-device", uuid.uuid4(), mutations)
                )
        push_seconds = time.perf_counter() - started

        started = time.perf_counter()
        pages = 0
        cursor: str | None = None
        while True:
            with factory() as session:
                page = PullService(session).pull(principal, cursor, 500)
            pages += 1
            cursor = page.cursor
            if not page.has_more:
                break
        pull_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with engine.connect() as connection:
            connection.execute(sa.select(table).where(table.c.version > 0).order_by(table.c.version)).all()
        select_seconds = time.perf_counter() - started
        engine.dispose()
    return [
        Figure(
            f"push 10k findings, batches of 100 ({kind})",
            push_seconds,
            core_seconds,
            "Core inserts",
            goal=6.0,
            lower_is_better=True,
        ),
        Figure(
            f"pull 10k changes, {pages} pages ({kind}); {pull_seconds / pages * 1000:.0f} ms/page",
            pull_seconds,
            select_seconds,
            "one bare SELECT",
            lower_is_better=True,
        ),
    ]
