"""Console sign-in, as rules: sessions, and how many failed attempts are tolerated."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import msgspec

SESSION_LIFETIME = timedelta(hours=12)
FAILURE_WINDOW = timedelta(minutes=10)
FAILURES_PER_LOGIN = 5  # guesses at one person's password
FAILURES_PER_ADDRESS = 20  # one client trying many logins


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in console: whose, its CSRF token, and until when."""

    user_id: str
    csrf_token: str
    expires_at: datetime


def retry_after(failures: list[datetime], limit: int, now: datetime,
                window: timedelta = FAILURE_WINDOW) -> int | None:
    """Seconds until another attempt is allowed when ``failures`` (in the window, oldest
    first) reached ``limit``; None while attempts are allowed."""
    recent = [at for at in failures if now - at < window]
    if len(recent) < limit:
        return None
    # the attempt becomes possible when enough of the oldest failures leave the window
    frees_at = recent[len(recent) - limit] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))
