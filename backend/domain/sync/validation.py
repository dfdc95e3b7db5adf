"""Checking the ``data`` of pushed mutations: types, ranges, and who owns which field."""

from __future__ import annotations

import re
import typing
import uuid
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import msgspec

from backend.db.models.base import SyncedModel
from backend.domain.control_characters import MESSAGE as CONTROL_CHARACTERS
from backend.domain.control_characters import control_character_paths
from backend.domain.findings.vocabulary import Handling, HazardSource, HazardType, ManagementClass, label
from backend.domain.plausible_times import too_early, too_late
from backend.domain.sync.merge import changed_after
from backend.domain.sync.mutations import Mutation, Rejection
from backend.domain.validation_messages import in_chinese

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_PHOTOS = 20

Text2000 = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
ShortText = Annotated[str, msgspec.Meta(max_length=100)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
PhotoList = Annotated[list[str], msgspec.Meta(max_length=MAX_PHOTOS)]
# Texts a reader needs (a finding's description, a comment): only spaces, 全角空格 or newlines is none.
NON_BLANK = frozenset({"description", "text"})


class Location(msgspec.Struct, forbid_unknown_fields=True):
    text: Annotated[str, msgspec.Meta(max_length=500)] = ""
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lng: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None


class FindingData(msgspec.Struct, forbid_unknown_fields=True):
    """Device-writable finding fields; any may be omitted in an edit."""

    enterprise_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    description: Text2000 | msgspec.UnsetType = msgspec.UNSET
    location: Location | msgspec.UnsetType = msgspec.UNSET
    photos: PhotoList | msgspec.UnsetType = msgspec.UNSET
    observed_at: datetime | msgspec.UnsetType = msgspec.UNSET
    inspection_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    source: HazardSource | msgspec.UnsetType = msgspec.UNSET
    hazard_type: HazardType | msgspec.UnsetType = msgspec.UNSET
    management_class: ManagementClass | msgspec.UnsetType | None = msgspec.UNSET
    handling: Handling | msgspec.UnsetType = msgspec.UNSET
    checklist_code: Annotated[str, msgspec.Meta(max_length=32)] | msgspec.UnsetType | None = msgspec.UNSET
    responsible_person: ShortText | msgspec.UnsetType = msgspec.UNSET
    measures: LongText | msgspec.UnsetType = msgspec.UNSET
    cost_yuan: Annotated[float, msgspec.Meta(ge=0, le=1_000_000_000)] | msgspec.UnsetType | None = (
        msgspec.UNSET
    )


class RectificationData(msgspec.Struct, forbid_unknown_fields=True):
    finding_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    note: LongText | msgspec.UnsetType = msgspec.UNSET
    photos: PhotoList | msgspec.UnsetType = msgspec.UNSET


class CommentData(msgspec.Struct, forbid_unknown_fields=True):
    finding_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    text: Text2000 | msgspec.UnsetType = msgspec.UNSET


FINDING_SERVER_FIELDS = frozenset(
    {
        "status",
        "status_label",
        "level",
        "deadline",
        "ai",
        "matches",
        "penalty_draft",
        "reported_by",
        "dispatched_at",
        "overdue",
        "escalation_level",
        "accepted_by",
        "accepted_at",
        "acceptance_comment",
        "missing_photos",
        "timeline",
        "created_at",
        "updated_at",
        "version",
        "id",
    }
)
# Views computed for each reply rather than stored values: a device echoing an older pull of
# them (a photo since uploaded, a step since added, a deadline since passed) is not trying to change anything.
DERIVED_VIEWS = frozenset({"status_label", "missing_photos", "timeline", "overdue"})
GENERIC_SERVER_FIELDS = frozenset(
    {"submitted_by", "author_id", "created_at", "updated_at", "version", "id", "verification"}
)

S = TypeVar("S", bound=msgspec.Struct)


def error_path(error: msgspec.ValidationError) -> str | None:
    """Where the bad value is, from msgspec's message ("... - at `$.location.lat`" → location.lat);
    for a field the schema does not know, the field itself ("unknown field `b` - at `$.location`"
    → location.b)."""
    where = re.search(r"at `\$\.([^`]+)`", str(error))
    place = where.group(1) if where else None
    if unknown := re.search(r"unknown field `([^`]+)`", str(error)):
        return f"{place}.{unknown.group(1)}" if place else unknown.group(1)
    return place


def _choices(schema: type[msgspec.Struct], path: str) -> list[tuple[str, str]]:
    """The values (and what users read for them) of the enum field at ``path``, if it is one."""
    field_type = typing.get_type_hints(schema).get(path)
    for option in typing.get_args(field_type) or (field_type,):
        if isinstance(option, type) and issubclass(option, StrEnum):
            return [(member.value, label(member)) for member in option]
    return []


def _same_value(sent: Any, stored: Any) -> bool:
    """An echo is unchanged when equal, or when both are times of the same instant however written
    (``…Z`` from GET, ``…+00:00`` from pull, a device's ``toISOString()``)."""
    if sent == stored:
        return True
    if isinstance(sent, str) and isinstance(stored, str):
        try:
            sent_time, stored_time = datetime.fromisoformat(sent), datetime.fromisoformat(stored)
        except ValueError:
            return False
        if (sent_time.tzinfo is None) != (stored_time.tzinfo is None):
            return False
        return sent_time == stored_time
    return False


def parse_data(
    data: dict[str, Any],
    schema: type[S],
    server_fields: frozenset[str],
    server_values: dict[str, Any] | None,
    changed_since_base: Collection[str] = (),
) -> dict[str, Any]:
    """Validate ``data`` against ``schema``; return the fields that were sent, typed.

    Server-owned fields may be echoed back unchanged (devices send what they pulled),
    but any attempt to change one is refused; derived views are ignored whatever they hold,
    and so are server-owned fields the server changed after the device's base version
    (``changed_since_base``): the device echoes an older copy, it is not setting them.
    """
    ignored = DERIVED_VIEWS | set(changed_since_base)
    owned = sorted(name for name in data if name in server_fields and name not in ignored)
    changed_owned = [
        name
        for name in owned
        if server_values is None or not _same_value(data[name], server_values.get(name))
    ]
    if changed_owned:
        raise Rejection(
            "server_owned_field",
            f"这些字段由服务器维护，设备不能修改 / server-owned fields cannot be set: {', '.join(changed_owned)}",
            {"fields": changed_owned},
        )
    device_part = {name: value for name, value in data.items() if name not in server_fields}
    if paths := control_character_paths(device_part, "data"):
        raise Rejection("control_characters", f"{CONTROL_CHARACTERS}: {', '.join(paths)}", {"fields": paths})
    try:
        parsed = msgspec.convert(device_part, schema, strict=True)
    except msgspec.ValidationError as exc:
        where = error_path(exc)
        message = f"数据不合法：{in_chinese(str(exc))} / invalid data: {exc}"
        detail: dict[str, Any] | None = {"path": where} if where else None
        if choices := _choices(schema, where) if where else []:
            message += "；可选值 / allowed: " + "、".join(f"{value}（{name}）" for value, name in choices)
            detail = {"path": where, "allowed": [value for value, _ in choices]}
        raise Rejection("invalid_data", message, detail) from exc
    if blank := sorted(
        name for name in NON_BLANK & set(device_part) if not str(getattr(parsed, name)).strip()
    ):
        raise Rejection(
            "blank_text",
            f"内容不能只有空格或空行 / must not be blank: {', '.join(blank)}",
            {"fields": blank},
        )
    return {
        name: getattr(parsed, name)
        for name in schema.__struct_fields__
        if getattr(parsed, name) is not msgspec.UNSET
    }


def parse_edit(
    mutation: Mutation,
    schema: type[S],
    server_fields: frozenset[str],
    before: dict[str, Any],
    record: SyncedModel,
) -> dict[str, Any]:
    """``parse_data`` for an edit of ``record`` (``before``: its document as devices pull it): echoes
    of server-owned fields the server wrote after the edit's base version are not attempts to set them."""
    stale = changed_after(mutation.base_version, record.field_versions, record.version)
    return parse_data(mutation.data, schema, server_fields, before, stale)


def check_photos(photos: list[str]) -> None:
    bad = [sha for sha in photos if not SHA256.match(sha)]
    if bad:
        raise Rejection(
            "invalid_photo_hash",
            "照片标识应为 64 位小写十六进制 SHA-256 / photos must be sha256 hex",
            {"photos": bad},
        )
    if repeated := sorted({sha for sha in photos if photos.count(sha) > 1}):
        raise Rejection("duplicate_photo", "同一照片重复出现 / a photo is listed twice", {"photos": repeated})


def check_device_time(name: str, value: datetime | None, now: datetime, refuse_early: bool = True) -> None:
    """A time a device reports: with a zone, at most a day ahead of the server and, where it is
    stored (``refuse_early``), not before 2000."""
    if value is None:
        return
    if value.tzinfo is None:
        raise Rejection("invalid_time", f"{name} 必须带时区 / {name} needs a time zone (RFC 3339)")
    if refuse_early and too_early(value):
        raise Rejection(
            "time_too_early",
            f"{name} 早于 2000 年，设备时间可能有误 / {name} is before 2000: check the device clock",
            {"field": name, "value": value.isoformat()},
        )
    if too_late(value, now):
        raise Rejection(
            "time_in_future",
            f"{name} 晚于服务器时间超过 24 小时 / {name} is too far in the future",
            {"field": name, "value": value.isoformat()},
        )
