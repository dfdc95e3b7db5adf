"""Helpers shared by the push tests."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient
from sqlmodel import Session, func, select

from backend.domain.accounts.roles import Role
from tests.conftest import ParkWorld
from tests.devices import Device


def device(client: TestClient[Litestar], world: ParkWorld, role: Role = Role.INSPECTOR) -> Device:
    return Device(client, world.headers(client, role))


def count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())
