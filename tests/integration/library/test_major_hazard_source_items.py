"""判定标准第五项 is about the tank farms of 一级、二级重大危险源: a finding at an enterprise that holds
no 重大危险源 is not classed under it, nor drafted as a breach of 安全生产法第四十条 (登记建档)."""

from __future__ import annotations

from sqlmodel import Session

from backend.db.models import Finding, Park
from backend.domain.findings.legal_basis import give_legal_basis
from regulations.service import get_matcher
from tests import factories
from tests.conftest import ParkWorld

SHUTOFF_BYPASSED = "罐区紧急切断阀处于手动旁路"
CRITERION_FIVE = "第五项"


def matched(db: Session, world: ParkWorld, holds_major_hazard_source: bool) -> Finding:
    park = db.get(Park, world.own.park_id)
    assert park is not None
    enterprise = factories.enterprise(db, park, major_hazard_source=holds_major_hazard_source)
    finding = factories.finding(db, enterprise, description=SHUTOFF_BYPASSED)
    result = give_legal_basis(db, get_matcher(), finding.id, repeat_window_days=90)
    db.commit()
    assert result is not None and result.matches is not None
    return result


def test_a_holder_of_a_major_hazard_source_is_classed_under_criterion_five(
    db: Session, world: ParkWorld
) -> None:
    finding = matched(db, world, holds_major_hazard_source=True)
    assert finding.matches is not None
    assert finding.matches["checklist"][0]["code"] == "XC-05-02"
    assert CRITERION_FIVE in finding.matches["major_hazard"]["citation"]


def test_an_enterprise_without_one_has_a_general_shutoff_hazard_drafted_as_unsafe_equipment(
    db: Session, world: ParkWorld
) -> None:
    finding = matched(db, world, holds_major_hazard_source=False)
    assert finding.matches is not None
    codes = [item["code"] for item in finding.matches["checklist"]]
    assert codes[0] == "XC-05-09" and "XC-05-02" not in codes
    assert finding.matches["major_hazard"] is None  # no other criterion takes the fifth's place
    draft = finding.penalty_draft
    assert draft is not None
    assert "《中华人民共和国安全生产法》第四十条" not in draft["violated"]
    # the special law: 未…在作业场所设置相关安全设施、设备 (第一百零三条第（三）项), before 安全生产法第九十九条
    assert draft["penalty_basis"] == "《中华人民共和国危险化学品安全法》第一百零三条第（三）项"
