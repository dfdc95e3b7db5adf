"""Schema of the checklist library (隐患排查依据库): rules/checklist/*.yaml. See docs/checklist.md."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

Code = Annotated[str, msgspec.Meta(pattern=r"^(JC|XC)-\d{2}(-\d{2})?$")]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=500)]


class LawReference(msgspec.Struct, forbid_unknown_fields=True):
    """One article (and optional item) of a document in regulations.json, valid for a span of dates."""

    law: Text  # the document's short_name in regulations.json, e.g. 安全生产法, GB 30871-2022
    article: Text  # as the document numbers it: 第一百零二条, 5.2.1, 二
    item: Text | None = None  # 一, 二 … for 第（一）项
    # 一, 二 … for 第二款, where the article's 款 differ in conduct or authority
    paragraph: Text | None = None
    valid_from: date | None = None  # the observation date from which this reference applies
    valid_until: date | None = None  # the last observation date it applies to
    # Penalty references only: words of the inspector's description that make this 项 the one
    # (第九十九条第（四）项 for an alarm 屏蔽, not 第（三）项's missed maintenance). A reference
    # with ``when`` is taken only when one of them appears; the first without is the default.
    when: list[Text] | None = None


class Category(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    kind: Literal["basic", "site"]  # 基础管理类 | 现场管理类
    name: Text


class ChecklistItem(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    category: Code
    title: Text  # the hazard as a ledger records it, e.g. 作业人员未按规定佩戴安全帽
    method: Text  # 检查方法: how an inspector checks it
    phrasings: Annotated[list[Text], msgspec.Meta(min_length=1)]  # how inspectors actually write it
    synonyms: list[Text] = []
    level: Literal["general", "major"] = "general"
    hazard_type: Literal[
        "safety", "process", "electrical", "instrument", "fire", "layout", "equipment", "other"
    ] = "safety"
    duty: list[LawReference] = []
    penalty: list[LawReference] = []
    major_criterion: Annotated[str, msgspec.Meta(pattern=r"^[一二三四五六七八九十]+$")] | None = None
    hazard_codes: list[Annotated[str, msgspec.Meta(pattern=r"^[a-z_]+$")]] = []  # AI detector labels
    # Only an enterprise holding a 重大危险源 can have it (判定标准第五项: 一级、二级重大危险源罐区)
    major_hazard_sources_only: bool = False
    # The general item offered instead of that (``major_hazard_sources_only``) item where the
    # enterprise holds no 重大危险源; elsewhere the major item covers the hazard, so this is not offered.
    stands_in_for: Code | None = None
    # Set on the two items that split one safeguard by its condition (XC-05-03 检测报警装置未设置,
    # 第十二项; XC-05-05 报警器故障、未检定): a description stating only the other condition ranks
    # this item lower, so 报警器坏了 is not graded 第十二项 and 没设报警仪 is.
    condition: Literal["missing", "faulty"] | None = None


class ChecklistFile(msgspec.Struct, forbid_unknown_fields=True):
    version: Literal[1]
    categories: list[Category] = []
    items: list[ChecklistItem] = []
