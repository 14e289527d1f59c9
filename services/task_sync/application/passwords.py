"""Passwords of the console's people, hashed with argon2id (argon2-cffi's defaults, RFC 9106's
low-memory profile). Hashing takes tens of milliseconds of CPU, so it runs in a thread."""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.task_sync.application.errors import Invalid

MIN_LENGTH = 8
MAX_LENGTH = 256


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    # checked against when the login is unknown, so both failures cost the same time
    return _hasher().hash("no such user: a password nobody has")


def check_strength(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid("weak_password", f"a password has {MIN_LENGTH} to {MAX_LENGTH} "
                      "characters")


def hash_password_now(password: str) -> str:
    """The argon2id hash (blocking; the seed and tests use it directly)."""
    return _hasher().hash(password)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_now, password)


def _matches(hashed: str | None, password: str) -> bool:
    try:
        return _hasher().verify(hashed or _dummy_hash(), password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


async def password_matches(hashed: str | None, password: str) -> bool:
    """Whether ``password`` matches ``hashed``; with None (no such user or no password) a
    dummy hash is checked all the same and the answer is False."""
    return await asyncio.to_thread(_matches, hashed, password)
