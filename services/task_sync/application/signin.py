"""Signing in to the console with a login and a password, and out again.

A wrong login and a wrong password are refused alike (the same error, and a password hash is
checked either way). Failed attempts are counted per login and per client address over
``FAILURE_WINDOW``; past the limits further attempts are refused with the wait, before any
password is checked.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import msgspec

from services.task_sync.application import audit
from services.task_sync.application.errors import Refused
from services.task_sync.application.passwords import password_matches
from services.task_sync.deps import Deps
from shared import events
from shared.domain import accounts
from shared.domain.accounts import Session
from shared.domain.directory import User, normal_login


class BadCredentials(Refused):
    status = 401


class TooManyAttempts(Refused):
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too_many_attempts", f"too many failed sign-ins; try again in "
                         f"{retry_after} s")
        self.retry_after = retry_after


class SignIn(msgspec.Struct, frozen=True, kw_only=True):
    login: str
    password: str
    address: str  # the client's, for the throttle


class SignedIn(msgspec.Struct, frozen=True, kw_only=True):
    user: User
    session_id: str  # the cookie's value; stored only as its hash
    csrf_token: str


def _keys(cmd: SignIn) -> tuple[str, str]:
    return f"login:{normal_login(cmd.login)}", f"address:{cmd.address}"


async def _ensure_not_throttled(deps: Deps, cmd: SignIn, now: datetime) -> None:
    since = now - accounts.FAILURE_WINDOW
    by_login, by_address = _keys(cmd)
    waits = [accounts.retry_after(await deps.accounts.failures_since(key, since), limit, now)
             for key, limit in ((by_login, accounts.FAILURES_PER_LOGIN),
                                (by_address, accounts.FAILURES_PER_ADDRESS))]
    longest = max((w for w in waits if w is not None), default=None)
    if longest is not None:
        raise TooManyAttempts(longest)


async def sign_in(deps: Deps, cmd: SignIn) -> SignedIn:
    """A new session for the person whose login and password these are."""
    now = events.utcnow()
    await _ensure_not_throttled(deps, cmd, now)
    user = await deps.accounts.user_by_login(normal_login(cmd.login))
    hashed = await deps.accounts.password_hash(user.id) if user and not user.is_service \
        else None
    if user is None or not await password_matches(hashed, cmd.password):
        await deps.accounts.record_failure(list(_keys(cmd)), now)
        raise BadCredentials("bad_credentials", "the login or the password is wrong")
    await deps.accounts.clear_failures(_keys(cmd)[0])
    # bounded growth without a TTL index: each sign-in clears what has expired
    await deps.accounts.delete_expired_sessions(now)
    await deps.accounts.forget_failures_before(now - accounts.FAILURE_WINDOW)
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await deps.accounts.start_session(session_id, Session(
        user_id=user.id, csrf_token=csrf, expires_at=now + accounts.SESSION_LIFETIME))
    await audit.record_as(deps, user, "session", "session.sign_in", "user", user.id,
                          address=cmd.address)
    return SignedIn(user=user, session_id=session_id, csrf_token=csrf)


async def session_user(deps: Deps, session_id: str) -> tuple[User, Session] | None:
    """The signed-in user and their session, or None (unknown, expired, user gone)."""
    session = await deps.accounts.session(session_id, events.utcnow())
    if session is None:
        return None
    user = await deps.directory.get_user(session.user_id)
    if user is None or user.is_service:
        return None
    return user, session


async def sign_out(deps: Deps, session_id: str) -> None:
    await deps.accounts.end_session(session_id)

