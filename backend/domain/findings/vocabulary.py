"""The terms a hazard ledger (隐患台账) records, with the Chinese labels users read.

Wire values are English snake_case; labels follow the wording of the enterprises'
双重预防 reporting systems so exports map one to one.
"""

from __future__ import annotations

from enum import StrEnum


class FindingStatus(StrEnum):
    REPORTED = "reported"
    DISPATCHED = "dispatched"
    PENDING_VERIFICATION = "pending_verification"
    CLOSED = "closed"


class HazardLevel(StrEnum):
    GENERAL = "general"
    MAJOR = "major"


class HazardSource(StrEnum):
    ROUTINE = "routine"
    COMPREHENSIVE = "comprehensive"
    PROFESSIONAL = "professional"
    SEASONAL = "seasonal"
    PRE_HOLIDAY = "pre_holiday"
    ACCIDENT_ANALOGY = "accident_analogy"
    PRE_RESUMPTION = "pre_resumption"
    EXTERNAL_EXPERT = "external_expert"
    CONTROL_FAILURE = "control_failure"
    OTHER = "other"


class HazardType(StrEnum):
    SAFETY = "safety"
    PROCESS = "process"
    ELECTRICAL = "electrical"
    INSTRUMENT = "instrument"
    FIRE = "fire"
    LAYOUT = "layout"
    EQUIPMENT = "equipment"
    OTHER = "other"


class ManagementClass(StrEnum):
    UNSAFE_BEHAVIOR = "unsafe_behavior"
    UNSAFE_CONDITION = "unsafe_condition"
    MANAGEMENT_DEFECT = "management_defect"


class Handling(StrEnum):
    ON_THE_SPOT = "on_the_spot"
    DEADLINE = "deadline"


LABELS: dict[StrEnum, str] = {
    FindingStatus.REPORTED: "已上报",
    FindingStatus.DISPATCHED: "整改中",
    FindingStatus.PENDING_VERIFICATION: "待验收",
    FindingStatus.CLOSED: "已验收",
    HazardLevel.GENERAL: "一般隐患",
    HazardLevel.MAJOR: "重大隐患",
    HazardSource.ROUTINE: "日常排查",
    HazardSource.COMPREHENSIVE: "综合性排查",
    HazardSource.PROFESSIONAL: "专业性排查",
    HazardSource.SEASONAL: "季节性排查",
    HazardSource.PRE_HOLIDAY: "节假日前排查",
    HazardSource.ACCIDENT_ANALOGY: "事故类比排查",
    HazardSource.PRE_RESUMPTION: "复产复工前排查",
    HazardSource.EXTERNAL_EXPERT: "外聘专家诊断式排查",
    HazardSource.CONTROL_FAILURE: "管控措施失效",
    HazardSource.OTHER: "其他",
    HazardType.SAFETY: "安全",
    HazardType.PROCESS: "工艺",
    HazardType.ELECTRICAL: "电气",
    HazardType.INSTRUMENT: "仪表",
    HazardType.FIRE: "消防",
    HazardType.LAYOUT: "总图",
    HazardType.EQUIPMENT: "设备",
    HazardType.OTHER: "其他",
    ManagementClass.UNSAFE_BEHAVIOR: "人的不安全行为",
    ManagementClass.UNSAFE_CONDITION: "物的不安全状态",
    ManagementClass.MANAGEMENT_DEFECT: "管理缺陷",
    Handling.ON_THE_SPOT: "即查即改",
    Handling.DEADLINE: "限期整改",
}


def label(value: StrEnum) -> str:
    return LABELS[value]
