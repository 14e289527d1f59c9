"""Bearer-token authentication of the operator API.

Tokens are looked up by their hash and remembered for a few seconds, so an integration posting
many comments does not cost a directory read per request; a revoked token stops working within
``TOKEN_CACHE_S`` seconds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from services.task_sync.application.ports import Directory
from services.task_sync.http_json import problem
from shared.domain.directory import User

PUBLIC = frozenset({"/api/v1/openapi.json"})
TOKEN_CACHE_S = 5.0
_CACHE_LIMIT = 10_000


class TokenCache:
    """Users by token hash, each for ``ttl_s`` seconds (the misses too, so a flood of bad
    tokens does not become a flood of reads)."""

    def __init__(self, directory: Directory, ttl_s: float = TOKEN_CACHE_S) -> None:
        self._directory = directory
        self._ttl_s = ttl_s
        self._seen: dict[str, tuple[float, User | None]] = {}

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

    def forget(self) -> None:
        """A user or token changed here: look every token up again."""
        self._seen.clear()


TOKENS = web.AppKey("tokens", TokenCache)
USER = web.RequestKey("user", User)


def bearer_auth(tokens: TokenCache) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith("/api/") or request.path in PUBLIC:
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise problem(401, "unauthenticated", "send 'Authorization: Bearer <API token>'")
        user = await tokens.user(token.strip())
        if user is None or user.is_service:
            raise problem(401, "unauthenticated", "the API token is not valid")
        request[USER] = user
        return await handler(request)

    return middleware


def current_user(request: web.Request) -> User:
    return request[USER]


def require_admin(request: web.Request) -> User:
    user = current_user(request)
    if not user.is_admin:
        raise problem(403, "forbidden", "only administrators may do this")
    return user
