"""Factories for records tests need, written through the real session (and its versioning)."""

from __future__ import annotations

import functools
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from backend.db.models import Enterprise, Finding, Park, User
from backend.domain.accounts import passwords
from backend.domain.accounts.roles import Role
from backend.domain.enterprises.credit_code import check_character

_sequence = itertools.count(1)
# Argon2 is slow by design; tests build many users with the same few passwords.
hash_password = functools.cache(passwords.hash_password)
DEFAULT_PASSWORD = "Correct-Horse-9"


def park(session: Session, code: str = "DEMO", **fields: Any) -> Park:
    existing = session.exec(select(Park).where(Park.code == code)).first()
    if existing is not None:
        return existing
    record = Park(code=code, name=fields.pop("name", "测试园区"), **fields)
    session.add(record)
    session.flush()
    return record


def enterprise(session: Session, park_record: Park, **fields: Any) -> Enterprise:
    n = next(_sequence)
    base = f"9132090{n:010d}"
    defaults: dict[str, Any] = {
        "code": f"T{n:04d}",
        "name": f"测试化工有限公司{n}",
        "credit_code": base + check_character(base),
        "industry": "精细化工",
        "major_hazard_source": False,
    }
    record = Enterprise(park_id=park_record.id, **(defaults | fields))
    session.add(record)
    session.flush()
    return record


def user(
    session: Session,
    park_record: Park,
    role: Role,
    enterprise_record: Enterprise | None = None,
    password: str = DEFAULT_PASSWORD,
    **fields: Any,
) -> User:
    n = next(_sequence)
    record = User(
        park_id=park_record.id,
        enterprise_id=enterprise_record.id if enterprise_record else None,
        username=fields.pop("username", f"{role.value}{n}"),
        password_hash=hash_password(password),
        role=role,
        **fields,
    )
    session.add(record)
    session.flush()
    return record


def finding(session: Session, enterprise_record: Enterprise, **fields: Any) -> Finding:
    n = next(_sequence)
    defaults: dict[str, Any] = {
        "id": uuid.uuid4(),
        "park_id": enterprise_record.park_id,
        "enterprise_id": enterprise_record.id,
        "description": f"储罐区作业人员未佩戴安全帽（{n}）",
        "location": {"text": "罐区A", "lat": 32.1, "lng": 119.4},
        "observed_at": datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=n),
    }
    record = Finding(**(defaults | fields))
    session.add(record)
    session.flush()
    return record
