"""``GET /api/v1/events``: the console's live updates as Server-Sent Events.

Each event is sent only to people who may see its task. ``Last-Event-ID`` resumes after a
reconnect from the events this replica kept (the last minutes); when it cannot (too old, or the
client fell behind), a ``reset`` event tells the console to reload its lists.
"""

from __future__ import annotations

import asyncio

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application.live import ConsoleEvent, Subscription
from services.task_sync.auth import current_actor

PING_EVERY_S = 15.0
_encoder = msgspec.json.Encoder()


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/events", stream)
    app.on_shutdown.append(_close_streams)


async def _close_streams(app: web.Application) -> None:
    app[DEPS].live.close_all()


def _frame(event: ConsoleEvent) -> bytes:
    return (f"id: {event.id}\nevent: {event.kind}\ndata: ".encode() + _encoder.encode(event.data)
            + b"\n\n")


async def stream(request: web.Request) -> web.StreamResponse:
    deps = request.app[DEPS]
    last_id = request.headers.get("Last-Event-ID") or request.query.get("last_event_id")
    sub = deps.live.subscribe(current_actor(request).viewer, last_id)
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no"})
    try:
        await response.prepare(request)
        await response.write(b"retry: 3000\n\n")
        if sub.missed:
            await response.write(b"event: reset\ndata: {}\n\n")
        await _pump(sub, response)
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the console went away; it reconnects with Last-Event-ID
    finally:
        deps.live.unsubscribe(sub)
    return response


async def _pump(sub: Subscription, response: web.StreamResponse) -> None:
    while not sub.closed.is_set():
        getting = asyncio.ensure_future(sub.queue.get())
        closing = asyncio.ensure_future(sub.closed.wait())
        done, _ = await asyncio.wait({getting, closing}, timeout=PING_EVERY_S,
                                     return_when=asyncio.FIRST_COMPLETED)
        closing.cancel()
        if getting in done:
            await response.write(_frame(getting.result()))
            while not sub.queue.empty():  # what queued meanwhile, in one go
                await response.write(_frame(sub.queue.get_nowait()))
            continue
        getting.cancel()
        if not done:
            await response.write(b": ping\n\n")
