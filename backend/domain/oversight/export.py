"""The hazard ledger (隐患台账) as a table with the headers enterprises' 双重预防 systems use."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from backend.db.models import Enterprise, Finding
from backend.db.types import utcnow
from backend.domain.control_characters import CONTROL_CHARACTER
from backend.domain.findings.vocabulary import FindingStatus, label
from rules.park_time import BEIJING

EXPORT_STATUS = {
    FindingStatus.REPORTED: "已上报",
    FindingStatus.DISPATCHED: "整改中",
    FindingStatus.PENDING_VERIFICATION: "待验收",
    FindingStatus.CLOSED: "已验收",
}
HEADERS = [
    "隐患编号",
    "企业名称",
    "统一社会信用代码",
    "隐患描述",
    "隐患位置",
    "隐患等级",
    "隐患来源",
    "隐患类别",
    "管理分类",
    "治理方式",
    "状态",
    "发现时间",
    "整改期限",
    "整改责任人",
    "整改措施",
    "整改资金（元）",
    "是否逾期",
    "督办次数",
    "验收时间",
    "验收意见",
]


def _time(value: datetime | None) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else ""


Cell = str | float | int  # numbers stay numbers: a spreadsheet sums 整改资金 and 督办次数


def ledger_rows(findings: Sequence[Finding], enterprises: Mapping[uuid.UUID, Enterprise]) -> list[list[Cell]]:
    rows, now = [], utcnow()
    for finding in findings:
        enterprise = enterprises.get(finding.enterprise_id)
        rows.append(
            [
                str(finding.id),
                enterprise.name if enterprise else "",
                enterprise.credit_code if enterprise else "",
                finding.description,
                str((finding.location or {}).get("text", "")),
                label(finding.level).removesuffix("隐患"),
                label(finding.source),
                label(finding.hazard_type),
                label(finding.management_class) if finding.management_class else "",
                label(finding.handling),
                EXPORT_STATUS[finding.status],
                _time(finding.observed_at),
                _time(finding.deadline),
                finding.responsible_person,
                finding.measures,
                round(float(finding.cost_yuan), 2) if finding.cost_yuan is not None else "",
                "是" if finding.overdue_at(now) else "否",
                finding.escalation_level,
                _time(finding.accepted_at),
                finding.acceptance_comment,
            ]
        )
    return rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _printable(text: str) -> str:
    # Rows stored before control characters were refused at the door may still hold some;
    # a spreadsheet file cannot.
    return CONTROL_CHARACTER.sub("", text)


def _csv_cell(cell: Cell) -> str:
    """Text a spreadsheet opening the CSV will not run as a formula (OWASP's CSV injection advice)."""
    if isinstance(cell, float):
        return f"{cell:.2f}"
    if isinstance(cell, int):
        return str(cell)
    text = _printable(cell)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def to_csv(rows: list[list[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 Chinese correctly


def to_xlsx(rows: list[list[Cell]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "隐患台账"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_printable(cell) if isinstance(cell, str) else cell for cell in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl takes text starting with "=" for a formula
                cell.data_type = "s"
            elif isinstance(cell.value, float):
                cell.number_format = "0.00"
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLMNOPQRST",
        [38, 28, 22, 48, 16, 8, 14, 8, 14, 10, 8, 17, 17, 12, 30, 12, 8, 8, 17, 24],
        strict=True,
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
