"""The hazard lifecycle (隐患闭环) as one transition table.

    reported ──dispatch──▶ dispatched ──rectify──▶ pending_verification ──approve──▶ closed
        │                      ▲                          │
        └──rectify_on_the_spot─┼──────────────────────────┘ (即查即改 with an after-photo)
                               └────────────reject─────────┘

Every other move is illegal and reported with the current status.
"""

from __future__ import annotations

from enum import StrEnum

from backend.domain.errors import DomainError, ErrorKind
from backend.domain.findings.vocabulary import FindingStatus, label


class LifecycleEvent(StrEnum):
    DISPATCH = "dispatch"
    RECTIFY = "rectify"
    RECTIFY_ON_THE_SPOT = "rectify_on_the_spot"
    APPROVE = "approve"
    REJECT = "reject"


TRANSITIONS: dict[tuple[FindingStatus, LifecycleEvent], FindingStatus] = {
    (FindingStatus.REPORTED, LifecycleEvent.DISPATCH): FindingStatus.DISPATCHED,
    (FindingStatus.REPORTED, LifecycleEvent.RECTIFY_ON_THE_SPOT): FindingStatus.PENDING_VERIFICATION,
    (FindingStatus.DISPATCHED, LifecycleEvent.RECTIFY): FindingStatus.PENDING_VERIFICATION,
    (FindingStatus.PENDING_VERIFICATION, LifecycleEvent.APPROVE): FindingStatus.CLOSED,
    (FindingStatus.PENDING_VERIFICATION, LifecycleEvent.REJECT): FindingStatus.DISPATCHED,
}

EVENT_LABELS: dict[LifecycleEvent, str] = {
    LifecycleEvent.DISPATCH: "下发整改",
    LifecycleEvent.RECTIFY: "提交整改",
    LifecycleEvent.RECTIFY_ON_THE_SPOT: "即查即改",
    LifecycleEvent.APPROVE: "验收通过",
    LifecycleEvent.REJECT: "验收驳回",
}


class IllegalTransition(DomainError):
    kind = ErrorKind.CONFLICT
    code = "illegal_transition"

    def __init__(self, status: FindingStatus, event: LifecycleEvent) -> None:
        super().__init__(
            f"隐患当前为“{label(status)}”，不能{EVENT_LABELS[event]} / "
            f"not allowed while the finding is {status.value.replace('_', ' ')}",
            {"status": status.value, "event": event.value},
        )
        self.status = status


def next_status(status: FindingStatus, event: LifecycleEvent) -> FindingStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise IllegalTransition(status, event) from None
