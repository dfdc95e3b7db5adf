"""Field-level merge of a device's edit into the server copy (policy in docs/sync.md).

A device sends, with ``base_version`` (the version it last pulled), only the fields it
changed. For each such field whose value differs from the server's:
- the server has not changed it since the base → the device's value is taken;
- the server changed it after the base → both sides edited the same field: conflict.
Fields the device did not send are never touched, so edits of different fields merge.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from backend.domain.sync.mutations import Conflict, Rejection


def merge_fields(
    current: Mapping[str, Any],
    field_versions: Mapping[str, int],
    base_version: int | None,
    changes: Mapping[str, Any],
    own_fields: Collection[str] | None = (),
    *,
    record_version: int,
) -> dict[str, Any]:
    """Return the fields to write, or raise ``Conflict`` naming the contested ones.

    ``own_fields`` were written earlier in the same batch by the same device (None: all
    of them, the batch created the record); they are the device's own and never contested.
    """
    check_base_version(base_version, record_version)
    base = base_version if base_version is not None else 0
    to_write: dict[str, Any] = {}
    contested: list[str] = []
    for name, value in changes.items():
        if current.get(name) == value:
            continue
        if own_fields is not None and name not in own_fields and field_versions.get(name, 0) > base:
            contested.append(name)
        else:
            to_write[name] = value
    if contested:
        raise Conflict(sorted(contested))
    return to_write


def check_base_version(base_version: int | None, record_version: int) -> None:
    """Refuse a ``base_version`` above the record's: it was never handed out for the record, and
    trusting it would let an edit or delete overwrite changes the device never saw."""
    if base_version is not None and base_version > record_version:
        raise Rejection(
            "invalid_base_version",
            "base_version 大于记录的当前版本 / base_version is newer than the record's version",
            {"base_version": base_version, "version": record_version},
        )


def record_field_versions(
    field_versions: Mapping[str, int], fields: list[str], version: int
) -> dict[str, int]:
    updated = dict(field_versions)
    for name in fields:
        updated[name] = version
    return updated


def changed_after(
    base_version: int | None, field_versions: Mapping[str, int], record_version: int
) -> set[str]:
    """The fields the server wrote after ``base_version``: a device echoing the record it pulled
    holds older values of these, which says nothing about what it wants (see ``parse_data``)."""
    if base_version is None or base_version >= record_version:
        return set()
    written = {name for name, version in field_versions.items() if version > base_version}
    return written | {"updated_at", "version"}
