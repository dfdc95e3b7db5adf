"""What each notification says (zh-CN): enterprise, hazard, deadline and a link into the app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.db.models import Enterprise, Finding
from rules.park_time import BEIJING


@dataclass(frozen=True, slots=True)
class Message:
    title: str
    body: str


def _when(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else "未设定"


def _summary(finding: Finding) -> str:
    text = finding.description.strip().replace("\n", " ")
    return text if len(text) <= 60 else text[:60] + "…"


def compose(kind: str, finding: Finding, enterprise: Enterprise, base_url: str, note: str = "") -> Message:
    link = f"{base_url.rstrip('/')}/#/findings/{finding.id}"
    level = "重大隐患" if finding.level.value == "major" else "一般隐患"
    titles = {
        "dispatched": f"【隐患整改通知】{enterprise.name}",
        "reminder": f"【整改期限提醒】{enterprise.name}",
        "overdue": f"【隐患督办】{enterprise.name}",
        "escalated": f"【隐患督办】{enterprise.name}",
        "pending_verification": f"【待验收】{enterprise.name}",
        "rejected": f"【整改验收未通过】{enterprise.name}",
        "approved": f"【整改已验收】{enterprise.name}",
        "major": f"【重大隐患】{enterprise.name}",
        "plan_submitted": f"【治理方案待审核】{enterprise.name}",
        "plan_accepted": f"【治理方案已通过】{enterprise.name}",
        "plan_returned": f"【治理方案被退回】{enterprise.name}",
    }
    lines = [
        f"企业：{enterprise.name}",
        f"隐患：{_summary(finding)}（{level}）",
        f"整改期限：{_when(finding.deadline)}",
    ]
    if note:
        lines.append(note)
    lines.append(f"详情：{link}")
    return Message(titles.get(kind, f"【园安通知】{enterprise.name}"), "\n".join(lines))
