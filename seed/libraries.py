"""Loading the law library and the checklist library into the database (idempotent)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from backend.db.models import ChecklistItem, RegulationArticle
from regulations.library import Library
from regulations.matching import applicable
from rules.checklist_loader import Checklist


def _update(record: Any, fields: dict[str, Any]) -> bool:
    changed = False
    for name, value in fields.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def seed_regulations(session: Session, library: Library) -> int:
    existing = {(a.law, a.number): a for a in session.exec(select(RegulationArticle)).all()}
    written = 0
    for document in library.documents.values():
        for position, article in enumerate(document.articles.values()):
            fields: dict[str, Any] = {
                "law_title": document.full_title,
                "doc_number": document.doc_number,
                "document_status": document.status,
                "source": document.source,
                "position": position,
                "text": article.text,
                "kind": article.kind,
                "citation": library.cite(document.short_name, article.number),
                "penalty": {
                    "tiers": [tier.__dict__ for tier in article.tiers],
                    "other": article.penalty_other,
                }
                if article.tiers
                else None,
            }
            record = existing.get((document.short_name, article.number))
            if record is None:
                session.add(RegulationArticle(law=document.short_name, number=article.number, **fields))
                written += 1
            elif _update(record, fields):
                session.add(record)
                written += 1
    return written


def seed_checklist(
    session: Session, checklist: Checklist, library: Library, today: date | None = None
) -> int:
    today = today or date.today()
    existing = {item.code: item for item in session.exec(select(ChecklistItem)).all()}
    written = 0
    for item in checklist.items.values():
        category = checklist.categories[item.category]
        references: dict[str, Any] = {
            kind: [
                {
                    "law": r.law,
                    "article": r.article,
                    "item": r.item,
                    "paragraph": r.paragraph,
                    "citation": library.cite_reference(r),
                    "valid_from": r.valid_from.isoformat() if r.valid_from else None,
                    "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                }
                for r in refs
            ]
            for kind, refs in (("duty", item.duty), ("penalty", item.penalty))
        }
        references["current"] = [
            library.cite_reference(r) for r in applicable([*item.duty, *item.penalty], library, today)
        ]
        fields: dict[str, Any] = {
            "category": item.category,
            "category_name": category.name,
            "kind": category.kind,
            "title": item.title,
            "method": item.method,
            "phrasings": [*item.phrasings, *item.synonyms],
            "level": item.level,
            "major_criterion": item.major_criterion,
            "references": references,
        }
        record = existing.get(item.code)
        if record is None:
            session.add(ChecklistItem(code=item.code, **fields))
            written += 1
        elif _update(record, fields):
            session.add(record)
            written += 1
    return written
