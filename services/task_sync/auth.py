"""Bearer-token authentication of the operator API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from services.task_sync.http_json import problem
from shared.store import directory
from shared.store.directory import User
from shared.store.mongo import Database

PUBLIC = frozenset({"/api/v1/openapi.json"})


def bearer_auth(db: Database) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith("/api/") or request.path in PUBLIC:
            return await handler(request)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise problem(401, "unauthenticated", "send 'Authorization: Bearer <API token>'")
        user = await directory.user_by_token(db, token.strip())
        if user is None or user.is_service:
            raise problem(401, "unauthenticated", "the API token is not valid")
        request["user"] = user
        return await handler(request)

    return middleware


def current_user(request: web.Request) -> User:
    user: User = request["user"]
    return user


def require_admin(request: web.Request) -> User:
    user = current_user(request)
    if not user.is_admin:
        raise problem(403, "forbidden", "only administrators may do this")
    return user
