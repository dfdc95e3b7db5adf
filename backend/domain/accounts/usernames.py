"""One account per name however it is typed.

Phone keyboards capitalise the first letter, and a Chinese input method left in full-width mode
types ``ａｄｍｉｎ``: both mean ``admin``. Names are compared by their NFKC form, case-folded
(``Émile`` and ``émile``, ``STRASSE`` and ``straße``). The comparison runs here rather than in
SQL: SQLite's ``lower()`` folds ASCII letters only.
"""

from __future__ import annotations

import unicodedata

MAX_USERNAME_LENGTH = 64  # the column's width; login refuses longer names too


def username_key(username: str) -> str:
    return unicodedata.normalize("NFKC", username).casefold()
