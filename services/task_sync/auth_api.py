"""Signing in to the console and out, and who the caller is (``GET /api/v1/me``)."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import signin
from services.task_sync.auth import (
    CSRF,
    SESSION_COOKIE,
    csrf_matches,
    current_actor,
)
from services.task_sync.deps import Deps
from services.task_sync.http_json import json_response, problem, read_body
from shared.domain.accounts import SESSION_LIFETIME
from shared.domain.directory import Role, User


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class GroupRef(msgspec.Struct):
    id: str
    name: str


class Me(msgspec.Struct):
    """The signed-in person as the console shows them."""

    id: str
    login: str | None
    full_name: str
    role: Role
    group_ids: list[str]
    groups: list[GroupRef]
    csrf_token: str | None  # None for bearer-token callers (they need none)
    # the configured names of the bot, manager and closed statuses (the inbox's filter)
    statuses: list[str] = []


class LoggedIn(msgspec.Struct):
    user: Me
    csrf_token: str


def routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/auth/login", login)
    app.router.add_post("/api/v1/auth/logout", logout)
    app.router.add_get("/api/v1/me", get_me)


async def me_of(deps: Deps, user: User, csrf_token: str | None) -> Me:
    groups = [GroupRef(id=g.id, name=g.name) for g in await deps.directory.list_groups()
              if g.id in user.group_ids]
    return Me(id=user.id, login=user.login, full_name=user.full_name, role=user.role,
              group_ids=user.group_ids, groups=groups, csrf_token=csrf_token,
              statuses=list(deps.statuses.all))


def client_address(request: web.Request) -> str:
    """The address the throttle counts: the peer, or, when the peer is a proxy on a private
    network (an ingress, a load balancer), the address it says it saw (the last
    X-Forwarded-For entry). A client on the internet cannot choose it."""
    peer = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
    try:
        behind_proxy = ipaddress.ip_address(peer).is_private
    except ValueError:
        behind_proxy = False
    return forwarded if forwarded and behind_proxy else peer


def _secure(request: web.Request, deps: Deps) -> bool:
    return request.secure or deps.settings.wabridge_public_url.startswith("https://")


async def login(request: web.Request) -> web.Response:
    """Sign in: the session cookie (HttpOnly, SameSite=Strict) and the CSRF token."""
    deps = request.app[DEPS]
    body = await read_body(request, LoginIn)
    try:
        signed = await signin.sign_in(deps, signin.SignIn(
            login=body.login, password=body.password, address=client_address(request)))
    except signin.TooManyAttempts as exc:
        refused = problem(429, exc.error, exc.reason)
        refused.headers["Retry-After"] = str(exc.retry_after)
        raise refused from None
    response = json_response(LoggedIn(user=await me_of(deps, signed.user, signed.csrf_token),
                                      csrf_token=signed.csrf_token))
    response.set_cookie(SESSION_COOKIE, signed.session_id, httponly=True, samesite="Strict",
                        path="/", secure=_secure(request, deps),
                        max_age=int(SESSION_LIFETIME.total_seconds()))
    response.headers["Cache-Control"] = "no-store"
    return response


async def logout(request: web.Request) -> web.Response:
    """End the cookie's session (a CSRF-checked write); an unknown session is already out."""
    deps = request.app[DEPS]
    session_id = request.cookies.get(SESSION_COOKIE)
    found = await signin.session_user(deps, session_id) if session_id else None
    if session_id and found is not None:
        if not csrf_matches(request, found[1].csrf_token):
            raise problem(403, "csrf", "signing out needs the X-CSRF-Token header of the session")
        await signin.sign_out(deps, session_id)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


async def get_me(request: web.Request) -> web.Response:
    actor = current_actor(request)
    out: Any = await me_of(request.app[DEPS], actor.user, request.get(CSRF))
    return json_response(out)
