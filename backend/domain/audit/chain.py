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
    before_text: str,
    after_text: str,
) -> str:
    """The hash of ``prev_hash`` and the event's content, ``before`` and ``after`` given in
    canonical form (a writer that stores those texts encodes each document once). The content is
    ``canonical({"seq": …, "at": …, "actor": …, "action": …, "entity": …, "entity_id": …,
    "before": …, "after": …})``: keys in sorted order, nested values in their canonical form."""
    content = (
        f'{{"action":{canonical(action)},"actor":{canonical(actor_id)},"after":{after_text},'
        f'"at":{canonical(at.isoformat())},"before":{before_text},"entity":{canonical(entity)},'
        f'"entity_id":{canonical(entity_id)},"seq":{int(sequence)}}}'
    )
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()
