"""``parksafe seed``: the park itself, the libraries, and (``--demo``) a demo park.

Idempotent: records are matched by their codes and usernames; what exists is left as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from backend.db.models import Enterprise, Park, User
from backend.domain.accounts.roles import Role
from backend.domain.accounts.service import AccountService
from backend.settings import Settings
from regulations.library import load_library
from rules.checklist_loader import default_checklist
from seed.libraries import seed_checklist, seed_regulations

DEMO_FIXTURE = Path(__file__).parent / "fixtures" / "demo_park.json"


@dataclass
class SeedReport:
    parks_created: int = 0
    enterprises_created: int = 0
    users_created: int = 0
    articles_written: int = 0
    checklist_written: int = 0

    def summary(self) -> str:
        return (
            f"园区 +{self.parks_created}，企业 +{self.enterprises_created}，用户 +{self.users_created}，"
            f"法规条文 +{self.articles_written}，检查项 +{self.checklist_written} / "
            f"parks +{self.parks_created}, enterprises +{self.enterprises_created}, users +{self.users_created}, "
            f"articles +{self.articles_written}, checklist items +{self.checklist_written}"
        )


def ensure_park(session: Session, settings: Settings, report: SeedReport) -> Park:
    park = session.exec(select(Park).where(Park.code == settings.park_code)).first()
    if park is None:
        park = Park(
            code=settings.park_code,
            name=settings.park_name,
            authority=f"{settings.park_name}管委会安全监管局",
        )
        session.add(park)
        session.flush()
        report.parks_created += 1
    return park


def seed_demo(session: Session, settings: Settings, park: Park, report: SeedReport) -> None:
    fixture: dict[str, Any] = json.loads(DEMO_FIXTURE.read_text(encoding="utf-8"))
    existing = {code for code in session.exec(select(Enterprise.code)).all()}
    for entry in fixture["enterprises"]:
        if entry["code"] not in existing:
            session.add(Enterprise(park_id=park.id, **entry))
            report.enterprises_created += 1
    session.flush()
    accounts = AccountService(session, settings)
    usernames = set(session.exec(select(User.username)).all())
    for entry in fixture["users"]:
        if entry["username"] in usernames:
            continue
        accounts.create_user(
            username=entry["username"],
            password=entry["password"],
            role=Role(entry["role"]),
            enterprise_code=entry.get("enterprise"),
            park_code=park.code,
            display_name=entry["display_name"],
            phone=entry["phone"],
        )
        report.users_created += 1


def run_seed(session: Session, settings: Settings, demo: bool) -> SeedReport:
    report = SeedReport()
    park = ensure_park(session, settings, report)
    library = load_library()
    report.articles_written = seed_regulations(session, library)
    report.checklist_written = seed_checklist(session, default_checklist(), library)
    if demo:
        seed_demo(session, settings, park, report)
    return report
