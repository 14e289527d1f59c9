"""``/sandbox/chaos``: faults on purpose for the chaos suite (``tests/chaos``).

Two knobs on every POST to a fake gateway API, for as long as they are set: ``latency_s``
answers each call that much later, after the gateway acted on it (a realistic round trip, so
a process killed while waiting has had its message delivered; past the bridge's timeout it is
a slow gateway); ``fail_status`` refuses a share (``fail_ratio``) of the calls before anything
happens (a 500 or 429 storm, with ``retry_after``).
"""

from __future__ import annotations

import asyncio
import random

import msgspec
from aiohttp import web
from aiohttp.typedefs import Handler

from services.sandbox.recording import provider_of
from services.sandbox.settings import PROVIDERS


class ChaosSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    latency_s: float = 0.0
    fail_status: int | None = None
    fail_ratio: float = 1.0
    retry_after: float | None = None
    providers: list[str] = []  # empty: every gateway

    def __post_init__(self) -> None:
        if not 0 <= self.latency_s <= 120:
            raise ValueError("latency_s must be between 0 and 120")
        if self.fail_status is not None and not 400 <= self.fail_status <= 599:
            raise ValueError("fail_status must be an HTTP error status (400-599)")
        if not 0 <= self.fail_ratio <= 1:
            raise ValueError("fail_ratio must be between 0 and 1")
        if any(p not in PROVIDERS for p in self.providers):
            raise ValueError(f"providers must be among {', '.join(PROVIDERS)}")


CHAOS = web.AppKey("sandbox_chaos", list[ChaosSpec])  # one element: the current spec


def _applies(spec: ChaosSpec, provider: str) -> bool:
    return not spec.providers or provider in spec.providers


@web.middleware
async def apply_chaos(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse or slow down a fake-API call as the current spec says."""
    provider = provider_of(request.path)
    [spec] = request.app[CHAOS]
    if provider is None or request.method != "POST" or not _applies(spec, provider):
        return await handler(request)
    if spec.fail_status is not None and random.random() < spec.fail_ratio:
        headers = {} if spec.retry_after is None else {"Retry-After": f"{spec.retry_after:g}"}
        return web.json_response({"error": "SANDBOX_STORM", "description": "Injected storm"},
                                 status=spec.fail_status, headers=headers)
    response = await handler(request)
    if spec.latency_s:
        await asyncio.sleep(spec.latency_s)
    return response


async def set_chaos(request: web.Request) -> web.Response:
    try:
        spec = msgspec.json.decode(await request.read(), type=ChaosSpec)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return web.json_response({"error": f"invalid chaos: {exc}"}, status=400)
    request.app[CHAOS][0] = spec
    return web.json_response(msgspec.to_builtins(spec))


async def show_chaos(request: web.Request) -> web.Response:
    return web.json_response(msgspec.to_builtins(request.app[CHAOS][0]))


def install(app: web.Application) -> None:
    app[CHAOS] = [ChaosSpec()]
    app.router.add_post("/sandbox/chaos", set_chaos)
    app.router.add_get("/sandbox/chaos", show_chaos)
