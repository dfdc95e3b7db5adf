from __future__ import annotations

import pytest

from backend.domain.enterprises.credit_code import check_character, is_valid_credit_code


def test_check_character_matches_a_published_code() -> None:
    # A code whose check character is known to be right.
    assert check_character("91350100M000100Y4") == "3"
    assert is_valid_credit_code("91350100M000100Y43")


@pytest.mark.parametrize("code", ["91350100M000100Y44", "91350100M000100Y4", "91350100M000100I43", ""])
def test_wrong_check_character_length_or_letters_are_invalid(code: str) -> None:
    assert not is_valid_credit_code(code)
