"""Hash chaining of audit events: each event's hash covers its content and the previous hash,
so editing, deleting or reordering any stored event breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = ""


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(
    prev_hash: str,
    sequence: int,
    at: datetime,
    actor_id: str | None,
    action: str,
    entity: str,
    entity_id: str,
    before: Any,
    after: Any,
) -> str:
    content = canonical(
        {
            "seq": sequence,
            "at": at.isoformat(),
            "actor": actor_id,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "before": before,
            "after": after,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()
