"""One line per benchmark figure: the measurement, its baseline from the same run, the ratio."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    baseline: float
    baseline_name: str
    goal: float | None = None
    lower_is_better: bool = False
    unit: str = "s"

    @property
    def ratio(self) -> float:
        return self.value / self.baseline

    def line(self) -> str:
        verdict = ""
        if self.goal is not None:
            met = self.ratio <= self.goal if self.lower_is_better else self.ratio >= self.goal
            sign = "≤" if self.lower_is_better else "≥"
            verdict = f"   goal {sign} {self.goal}: {'met' if met else 'NOT met'}"
        return (
            f"{self.name:<62} {self.value:10.3f} {self.unit} vs {self.baseline_name} {self.baseline:8.3f} {self.unit}"
            f"   ratio {self.ratio:6.2f}{verdict}"
        )
