"""``new`` builds the same rows as the models' own constructors, without sharing mutable defaults."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
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


def test_a_row_built_first_thing_in_a_fresh_process_reads_back(tmp_path: Path) -> None:
    """The models' own constructors configure the mappers; ``new`` must too, or a worker whose
    first database work is ``new`` cannot read the attributes of what it built."""
    script = (
        "import uuid\n"
        "from backend.db.construct import new\n"
        "from backend.db.models import Photo\n"
        "photo = new(Photo, sha256='a' * 64, content_type='image/jpeg', bytes=1, width=1, height=1)\n"
        "print(photo.phash, photo.thumbnail_ready, photo.sha256 == 'a' * 64)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "False", "True"]
