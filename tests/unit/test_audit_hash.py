"""The audit hash, built from pre-encoded documents, is the hash of the canonical event, byte for byte."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.domain.audit.chain import canonical, event_hash

AT = datetime(2026, 11, 25, 8, 30, 1, 123456, tzinfo=UTC)
ENTITY = ("0b6f8a4e-1d2c-4f5e-9a7b-3c2d1e0f9a8b",)


def hash_of_canonical_event(actor: str | None, before: Any, after: Any) -> str:
    """The definition: the canonical JSON of the whole event, chained to the previous hash."""
    content = canonical(
        {
            "seq": 42,
            "at": AT.isoformat(),
            "actor": actor,
            "action": "finding.edited",
            "entity": "finding",
            "entity_id": ENTITY[0],
            "before": before,
            "after": after,
        }
    )
    return hashlib.sha256(f"prev\n{content}".encode()).hexdigest()


DOCUMENTS: list[Any] = [
    None,
    {},
    {"description": "罐区“东侧”作业人员未戴安全帽\n\\", "z": [1.5, None, True, {"b": 1e16}], "a": -0.0},
    [1, "二", {"三": 3}],
    "只是一段文字",
]


@pytest.mark.parametrize("document", DOCUMENTS)
@pytest.mark.parametrize("actor", [None, 'user-"7"'])
def test_pre_encoded_documents_hash_like_the_canonical_event(actor: str | None, document: Any) -> None:
    expected = hash_of_canonical_event(actor, document, {"after": document})
    texts = (canonical(document), canonical({"after": document}))
    assert event_hash("prev", 42, AT, actor, "finding.edited", "finding", *ENTITY, *texts) == expected
