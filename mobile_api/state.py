"""The long-lived objects one app instance holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session

from backend.db.engine import DatabaseProbe
from backend.db.migrate import SchemaCheck
from backend.jobs import JobQueue
from backend.jobs.dispatcher import OutboxDispatcher
from backend.settings import Settings
from backend.storage import ObjectStore


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    job_queue: JobQueue
    object_store: ObjectStore
    outbox: OutboxDispatcher
    database: DatabaseProbe
    schema: SchemaCheck

    @staticmethod
    def of(app: Any) -> AppState:
        state: AppState = app.state.parksafe
        return state
