"""What the API modules share: the app key of the dependencies, the one 404 look-up, and the
installation of authentication and refusal handling."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from aiohttp import web

from services.task_sync.auth import TOKENS, TokenCache, authenticate
from services.task_sync.deps import Deps
from services.task_sync.http_json import problem, refusals_as_problems

DEPS = web.AppKey("deps", Deps)
T = TypeVar("T")


async def or_404(lookup: Awaitable[T | None], what: str) -> T:
    """The looked-up item, or 404 naming ``what`` was not found."""
    found = await lookup
    if found is None:
        raise problem(404, "not_found", f"no {what}")
    return found


def install_operator_api(app: web.Application, deps: Deps) -> None:
    """The use cases behind the app: authentication, then refusals as HTTP problems."""
    app[DEPS] = deps
    app[TOKENS] = TokenCache(deps.directory, deps.accounts)
    app.middlewares.extend([authenticate(deps, app[TOKENS]), refusals_as_problems])
