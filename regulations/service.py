"""One matcher per process, built lazily from the shipped libraries."""

from __future__ import annotations

import threading

from regulations.library import load_library
from regulations.matching import Matcher
from rules.checklist_loader import default_checklist

_lock = threading.Lock()
_matcher: Matcher | None = None


def get_matcher() -> Matcher:
    global _matcher
    if _matcher is None:
        with _lock:
            if _matcher is None:
                _matcher = Matcher(default_checklist(), load_library())
    return _matcher
