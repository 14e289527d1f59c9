"""Authentication of the operator API: bearer API tokens (integrations) and console sessions
(a cookie, with a CSRF token on writes).

Every request under /api/ (but the public ones) gets an ``Actor``: the user, the role rules'
``Viewer`` of them, and how they signed in. Tokens are looked up by their hash and remembered
for a few seconds, so an integration posting many comments does not cost a directory read per
request; a revoked token stops working within ``TOKEN_CACHE_S`` seconds. A supervisor's group
members are remembered as long. Sessions are read on every request (a signed-out cookie stops
at once).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from services.task_sync.application.console_ports import Accounts
from services.task_sync.application.ports import Directory
from services.task_sync.application.signin import session_user
from services.task_sync.deps import Deps
from services.task_sync.http_json import problem
from shared.domain import access
from shared.domain.access import Actor, Via, Viewer
from shared.domain.directory import User

PUBLIC = frozenset({"/api/v1/openapi.json", "/api/v1/auth/login", "/api/v1/auth/logout"})
SESSION_COOKIE = "wabridge_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_CACHE_S = 5.0
_CACHE_LIMIT = 10_000


class TokenCache:
    """Users by token hash, and group members by group set, each for ``ttl_s`` seconds (the
    misses too, so a flood of bad tokens does not become a flood of reads)."""

    def __init__(self, directory: Directory, accounts: Accounts | None = None,
                 ttl_s: float = TOKEN_CACHE_S) -> None:
        self._directory = directory
        self._accounts = accounts
        self._ttl_s = ttl_s
        self._seen: dict[str, tuple[float, User | None]] = {}
        self._members: dict[frozenset[str], tuple[float, frozenset[str]]] = {}

    async def user(self, token: str) -> User | None:
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        hit = self._seen.get(key)
        if hit is not None and now - hit[0] <= self._ttl_s:
            return hit[1]
        if len(self._seen) >= _CACHE_LIMIT:
            self._seen.clear()
        user = await self._directory.user_by_token(token)
        self._seen[key] = (now, user)
        return user

    async def viewer(self, user: User) -> Viewer:
        """The rules' view of ``user`` (a supervisor's group members looked up, remembered)."""
        if user.role != "supervisor" or self._accounts is None:
            return access.viewer_of(user)
        groups = frozenset(user.group_ids)
        now = time.monotonic()
        hit = self._members.get(groups)
        if hit is None or now - hit[0] > self._ttl_s:
            if len(self._members) >= _CACHE_LIMIT:
                self._members.clear()
            hit = (now, frozenset(await self._accounts.members_of(sorted(groups))))
            self._members[groups] = hit
        return access.viewer_of(user, hit[1])

    def forget(self) -> None:
        """A user, group or token changed here: look everything up again."""
        self._seen.clear()
        self._members.clear()


TOKENS = web.AppKey("tokens", TokenCache)
USER = web.RequestKey("user", User)
ACTOR = web.RequestKey("actor", Actor)
CSRF = web.RequestKey("csrf", str)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def authenticate(deps: Deps, tokens: TokenCache) -> Callable[..., Awaitable[web.StreamResponse]]:
    """The middleware: a bearer token, else the session cookie (CSRF-checked on writes)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith("/api/") or request.path in PUBLIC:
            return await handler(request)
        via: Via
        if "Authorization" in request.headers:
            user, via = await _token_user(request, tokens), "token"
        else:
            user, via = await _session_user(request, deps), "session"
        await _admit(request, tokens, user, via)
        return await handler(request)

    return middleware


async def _token_user(request: web.Request, tokens: TokenCache) -> User:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise problem(401, "unauthenticated", "send 'Authorization: Bearer <API token>'")
    user = await tokens.user(token.strip())
    if user is None or user.is_service:
        raise problem(401, "unauthenticated", "the API token is not valid")
    return user


async def _session_user(request: web.Request, deps: Deps) -> User:
    session_id = request.cookies.get(SESSION_COOKIE)
    found = await session_user(deps, session_id) if session_id else None
    if found is None:
        raise problem(401, "unauthenticated", "sign in, or send 'Authorization: Bearer "
                      "<API token>'")
    user, session = found
    if request.method not in SAFE_METHODS and not csrf_matches(request, session.csrf_token):
        raise problem(403, "csrf", f"a signed-in write needs the {CSRF_HEADER} header of the "
                      "session")
    request[CSRF] = session.csrf_token
    return user


def csrf_matches(request: web.Request, expected: str) -> bool:
    given = request.headers.get(CSRF_HEADER, "")
    return hmac.compare_digest(given.encode(), expected.encode())


async def _admit(request: web.Request, tokens: TokenCache, user: User, via: Via) -> None:
    request[USER] = user
    request[ACTOR] = Actor(user=user, viewer=await tokens.viewer(user), via=via)


def current_user(request: web.Request) -> User:
    return request[USER]


def current_actor(request: web.Request) -> Actor:
    """Who is calling, as the use cases take it (user, viewer, token or session)."""
    return request[ACTOR]


def current_viewer(request: web.Request) -> Viewer:
    return request[ACTOR].viewer


def require_admin(request: web.Request) -> User:
    user = current_user(request)
    if not access.can_administer(current_viewer(request)):
        raise problem(403, "admin_only", "only administrators may do this")
    return user


def require_directory_editor(request: web.Request) -> User:
    if not access.can_edit_directory(current_viewer(request)):
        raise problem(403, "directory_edit_not_allowed",
                      "only administrators and supervisors may edit the directory")
    return current_user(request)
