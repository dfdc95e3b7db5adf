"""``parksafe match eval``: accuracy of matching on the development set of inspector phrasings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import msgspec
import yaml

from regulations.matching import Matcher

DEVSET = Path(__file__).parent / "devset.yaml"
HOLDOUT = Path(__file__).parent / "holdout.yaml"
HOLDOUT2 = Path(__file__).parent / "holdout2.yaml"


class Case(msgspec.Struct):
    text: str
    checklist: list[str]
    citations: list[str] = []
    major: str | None = None


class Devset(msgspec.Struct):
    version: Literal[1]
    cases: list[Case]


@dataclass
class Evaluation:
    cases: int = 0
    top1: int = 0
    top3: int = 0
    citation_top3: int = 0
    cases_with_citations: int = 0
    true_major: int = 0
    false_major: int = 0
    missed_major: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def major_recall(self) -> float:
        actual = self.true_major + self.missed_major
        return self.true_major / actual if actual else 1.0

    @property
    def major_precision(self) -> float:
        flagged = self.true_major + self.false_major
        return self.true_major / flagged if flagged else 1.0

    @property
    def false_major_rate(self) -> float:
        negatives = self.cases - (self.true_major + self.missed_major)
        return self.false_major / negatives if negatives else 0.0

    def summary(self) -> str:
        return "\n".join(
            [
                f"cases {self.cases}",
                f"checklist top-1 {self.top1 / self.cases:.3f}   top-3 {self.top3 / self.cases:.3f}",
                f"citation top-3 {self.citation_top3 / max(self.cases_with_citations, 1):.3f}"
                f"   (over {self.cases_with_citations} cases with accepted citations)",
                f"major hazards: recall {self.major_recall:.3f}   precision {self.major_precision:.3f}"
                f"   false majors {self.false_major} ({self.false_major_rate:.1%} of non-major cases)",
            ]
        )


def load_devset(path: Path = DEVSET) -> Devset:
    return msgspec.convert(yaml.safe_load(path.read_text(encoding="utf-8")), Devset)


def evaluate(matcher: Matcher, devset: Devset) -> Evaluation:
    result = Evaluation()
    for case in devset.cases:
        match = matcher.match(case.text, limit=5)
        codes = [m.code for m in match.checklist]
        result.cases += 1
        result.top1 += bool(codes[:1] and codes[0] in case.checklist)
        hit3 = any(code in case.checklist for code in codes[:3])
        result.top3 += hit3
        if case.citations:
            result.cases_with_citations += 1
            cited = {r.citation for r in match.regulations[:5]}
            result.citation_top3 += any(c in cited for c in case.citations)
        predicted = match.major_hazard.criterion.split("、", 1)[0] if match.major_hazard else None
        if case.major and predicted == case.major:
            result.true_major += 1
        elif case.major:
            result.missed_major += 1
            if predicted:
                result.false_major += 1
        elif predicted:
            result.false_major += 1
        if not hit3:
            result.misses.append(f"{case.text}  →  {codes[:3]} (want {case.checklist})")
    return result
