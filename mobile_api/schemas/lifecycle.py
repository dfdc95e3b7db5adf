from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec


class DispatchRequest(msgspec.Struct, forbid_unknown_fields=True):
    deadline: datetime


class ReviewRequest(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["approve", "reject"]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""
