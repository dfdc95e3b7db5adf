"""The supervisor's verification queue: rectified findings, those the AI flagged first."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from ai.detection import ai_available
from backend.db.models import DetectionCorrection, Enterprise, Finding, Rectification
from backend.domain.accounts.principal import Principal
from backend.domain.accounts.roles import Role
from backend.domain.errors import Forbidden
from backend.domain.findings.vocabulary import FindingStatus
from backend.domain.pagination import Page, PageRequest
from backend.domain.photos.links import stored_hashes

REVIEWERS = frozenset({Role.SUPERVISOR, Role.PARK_ADMIN})
# flagged by the AI, then not yet checked, then passed: the riskiest rectifications first
_VERDICT_ORDER = {"flagged": 0, None: 1, "pass": 2}


@dataclass(frozen=True)
class ReviewItem:
    finding: Finding
    enterprise_name: str
    rectification: Rectification | None
    corrections: list[DetectionCorrection]
    stored: frozenset[str]  # which of its before- and after-photos have arrived

    @property
    def waiting_for(self) -> str | None:
        """Why there is no AI verdict yet, in the supervisor's words; None once there is one."""
        if self.verdict is not None:
            return None
        after = [
            sha for sha in (self.rectification.photos if self.rectification else []) if sha not in self.stored
        ]
        before = [sha for sha in self.finding.photos if sha not in self.stored]
        if after:
            return f"等待企业上传整改照片（{len(after)} 张未到），到齐后进行 AI 核验"
        if before:
            return f"等待检查人员上传整改前照片（{len(before)} 张未到），到齐后进行 AI 核验"
        if not ai_available():
            return "未安装 AI 组件，无 AI 核验：请人工比对整改前后照片"
        return "AI 核验进行中"

    @property
    def verdict(self) -> str | None:
        verification = self.rectification.verification if self.rectification else None
        return verification.get("verdict") if verification else None

    @property
    def submitted_at(self) -> datetime:
        return self.rectification.created_at if self.rectification else self.finding.updated_at


class ReviewQueue:
    def __init__(self, session: Session) -> None:
        self._session = session

    def page(self, principal: Principal, request: PageRequest) -> Page[ReviewItem]:
        if principal.role not in REVIEWERS:
            raise Forbidden("只有监管审核员和园区管理员可以查看待验收队列 / only supervisors and park admins")
        findings = list(
            self._session.exec(
                select(Finding).where(
                    Finding.park_id == principal.park_id,
                    col(Finding.deleted_at).is_(None),
                    Finding.status == FindingStatus.PENDING_VERIFICATION,
                )
            ).all()
        )
        ids = [finding.id for finding in findings]
        latest: dict[uuid.UUID, Rectification] = {}
        for rectification in self._session.exec(
            select(Rectification)
            .where(col(Rectification.finding_id).in_(ids), col(Rectification.deleted_at).is_(None))
            .order_by(col(Rectification.created_at))
        ).all():
            latest[rectification.finding_id] = rectification
        corrections: dict[uuid.UUID, list[DetectionCorrection]] = defaultdict(list)
        for correction in self._session.exec(
            select(DetectionCorrection)
            .where(col(DetectionCorrection.finding_id).in_(ids))
            .order_by(col(DetectionCorrection.created_at))
        ).all():
            corrections[correction.finding_id].append(correction)
        names = {
            enterprise.id: enterprise.name
            for enterprise in self._session.exec(
                select(Enterprise).where(col(Enterprise.id).in_({f.enterprise_id for f in findings}))
            ).all()
        }
        wanted = {sha for f in findings for sha in f.photos} | {
            sha for r in latest.values() for sha in r.photos
        }
        stored = frozenset(stored_hashes(self._session, wanted))
        items = [
            ReviewItem(f, names.get(f.enterprise_id, ""), latest.get(f.id), corrections[f.id], stored)
            for f in findings
        ]
        items.sort(
            key=lambda item: (_VERDICT_ORDER.get(item.verdict, 1), item.submitted_at, str(item.finding.id))
        )
        return Page(
            items[request.offset : request.offset + request.limit], len(items), request.limit, request.offset
        )
