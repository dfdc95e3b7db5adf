"""``new`` builds the same rows as the models' own constructors, without sharing mutable defaults."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from backend.db.construct import new
from backend.db.models import Finding, JobOutbox


def fields(record: Finding) -> dict[str, object]:
    return {name: getattr(record, name) for name in Finding.model_fields}


def test_a_finding_built_by_new_equals_one_built_by_the_model() -> None:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "park_id": uuid.uuid4(),
        "enterprise_id": uuid.uuid4(),
        "description": "罐区作业人员未戴安全帽",
        "observed_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    fast, plain = new(Finding, **values), Finding(**values)
    differing = {name for name, value in fields(fast).items() if value != fields(plain)[name]} - {
        "created_at",
        "updated_at",
    }  # clock readings a few microseconds apart
    assert differing == set()
    assert fast.status.value == "reported" and fast.photos == [] and fast.field_versions == {}


def test_mutable_defaults_are_not_shared_between_rows() -> None:
    first = new(JobOutbox, key="a", name="job")
    second = new(JobOutbox, key="b", name="job")
    first.payload["x"] = 1
    assert second.payload == {}
