from __future__ import annotations

import uuid
from typing import Any

import msgspec

from backend.db.models import Enterprise


class EnterpriseOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    name: str
    industry: str
    major_hazard_source: bool
    credit_code: str
    address: str
    legal_representative: str
    contacts: list[dict[str, Any]]
    version: int

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterpriseOut:
        return cls(
            id=enterprise.id,
            code=enterprise.code,
            name=enterprise.name,
            industry=enterprise.industry,
            major_hazard_source=enterprise.major_hazard_source,
            credit_code=enterprise.credit_code,
            address=enterprise.address,
            legal_representative=enterprise.legal_representative,
            contacts=enterprise.contacts,
            version=enterprise.version,
        )
