"""Password hashing with Argon2id through pwdlib."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256  # what the login form takes
# Among the first guesses of anyone trying a login (lists of leaked passwords, Chinese ones
# included); matched ignoring case.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "87654321",
        "11111111",
        "88888888",
        "66666666",
        "00000000",
        "qwerty123",
        "qwertyui",
        "1qaz2wsx",
        "1q2w3e4r",
        "abc12345",
        "abcd1234",
        "a1234567",
        "admin123",
        "admin888",
        "woaini1314",
        "iloveyou",
    }
)


def character_classes(password: str) -> int:
    """How many of letters, digits and other characters the password uses."""
    return sum(
        (
            any(char.isalpha() for char in password),
            any(char.isdigit() for char in password),
            any(not char.isalnum() and not char.isspace() for char in password),
        )
    )


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


# Verifying against a real hash when the user does not exist keeps login timing flat,
# so response time does not reveal which usernames exist.
_DUMMY_HASH: str | None = None


def verify_against_dummy(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("parksafe-dummy-password")
    verify_password(password, _DUMMY_HASH)
