from __future__ import annotations

import dataclasses
from typing import Any

from litestar import get
from litestar.di import NamedDependency

from backend.domain.accounts.principal import Principal
from backend.domain.findings.service import FindingFilter, FindingService
from backend.domain.oversight.stats import compute


@get("/stats", operation_id="stats", tags=["oversight"], sync_to_thread=True)
def stats(
    principal: NamedDependency[Principal],
    finding_service: NamedDependency[FindingService],
    finding_filter: NamedDependency[FindingFilter],
) -> dict[str, Any]:
    """隐患排查治理 statistics: open findings by level, status and enterprise, overdue, 督办,
    median time to close, repeat offenders, per quarter and per year (enterprise staff: their own); the finding list's
    filters narrow it (e.g. the findings observed in one month)."""
    findings = finding_service.all_matching(principal, finding_filter)
    return dataclasses.asdict(compute(findings, finding_service.enterprises_by_id(principal)))
