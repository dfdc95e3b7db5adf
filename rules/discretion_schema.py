"""Schema of rules/discretion.yaml: where in a fine range a drafted penalty lands."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

Position = Annotated[float, msgspec.Meta(ge=0, le=1)]


class Positions(msgspec.Struct, forbid_unknown_fields=True):
    first_offence_rectified: Position
    first_offence: Position
    repeated: Position
    overdue_or_refused: Position


class DiscretionRules(msgspec.Struct, forbid_unknown_fields=True):
    version: Literal[1]
    positions: Positions
    round_to_yuan: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 100
