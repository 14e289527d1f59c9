"""The sandbox gateway: local stand-ins for the Wazzup v3, Meta Cloud and chat-api APIs and
their webhook deliveries."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web

from services.sandbox import chaos, chat_api_api, control, meta_api, recording, wazzup_api
from services.sandbox.first_form_api import add_routes as add_first_form_routes
from services.sandbox.keys import HTTP, SETTINGS, STATE
from services.sandbox.settings import SandboxSettings
from services.sandbox.state import new_state

# Wazzup gives a webhook receiver 30 s to answer; file downloads for sends get as long.
WEBHOOK_TIMEOUT = aiohttp.ClientTimeout(total=30)


def create_app(
    settings: SandboxSettings, *, clock: Callable[[], float] = time.monotonic
) -> web.Application:
    """The app; ``clock`` (seconds, monotonic) drives the 60 s crmMessageId window."""
    # chaos inside recording: refused and slowed calls are recorded as answered
    app = web.Application(middlewares=[recording.record_api_calls, chaos.apply_chaos])
    app[SETTINGS] = settings
    app[STATE] = new_state(clock)
    app.cleanup_ctx.append(_http_client)
    wazzup_api.add_routes(app)
    meta_api.add_routes(app)
    chat_api_api.add_routes(app)
    control.add_routes(app)
    add_first_form_routes(app)  # First Form as the task system (issue 15)
    chaos.install(app)
    return app


async def _http_client(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession(timeout=WEBHOOK_TIMEOUT) as session:
        app[HTTP] = session
        yield
