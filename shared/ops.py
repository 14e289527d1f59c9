"""The operational HTTP surface every service exposes: /healthz, /readyz, /metrics.

Also the request middleware that binds a request id into the log context and turns unexpected
exceptions into a JSON 500 with a reference the on-call person can grep for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.events import new_id
from shared.logs import get_logger
from shared.metrics import HTTP_REQUESTS, HTTP_SECONDS

ReadinessCheck = Callable[[], Awaitable[None]]
log = get_logger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_ops_routes(app: web.Application, checks: dict[str, ReadinessCheck]) -> None:
    """Register /healthz (process alive), /readyz (each dependency answers) and /metrics."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:  # any failure means "not ready"; the reason is reported
                results[name] = f"failed: {exc.__class__.__name__}: {exc}"
        ok = all(v == "ok" for v in results.values())
        return web.json_response(
            {"status": "ready" if ok else "not ready", "checks": results}, status=200 if ok else 503
        )

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Bind a request id for the logs; answer unexpected errors with JSON naming that id."""
    request_id = request.headers.get("X-Request-Id") or new_id()
    structlog.contextvars.bind_contextvars(request_id=request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        exc.headers["X-Request-Id"] = request_id
        _observe(request, exc.status, started)
        if exc.status >= 400:
            log.info("request refused", method=request.method, path=request.path,
                     status=exc.status, reason=exc.text[:300] if exc.text else None)
        raise
    except Exception:
        _observe(request, 500, started)
        log.exception("request failed", method=request.method, path=request.path)
        return web.json_response(
            {"error": "internal_error", "reason": "unexpected error; see the logs",
             "reference": request_id},
            status=500,
        )
    finally:
        structlog.contextvars.unbind_contextvars("request_id")
    response.headers["X-Request-Id"] = request_id
    _observe(request, response.status, started)
    if response.status >= 400:
        log.info("request refused", method=request.method, path=request.path,
                 status=response.status, ms=round((time.perf_counter() - started) * 1000, 1))
    return response


def error_response(status: int, error: str, reason: str) -> web.Response:
    """The one JSON shape of our 4xx/5xx answers."""
    return web.json_response({"error": error, "reason": reason}, status=status)


async def serve(app: web.Application, host: str, port: int, name: str,
                *, reuse_port: bool = False) -> web.AppRunner:
    """Start ``app`` and print where it listens (the launcher waits for this line).

    ``reuse_port``: several processes of a stateless service share the port (the kernel
    spreads connections), which is how ingest uses more than one core.
    """
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, host, port, reuse_address=True, reuse_port=reuse_port).start()
    print(f"{name} listening on http://{host}:{port}", flush=True)
    return runner


def _observe(request: web.Request, status: int, started: float) -> None:
    """Request metrics by route template (bounded label values; never a path's secret)."""
    route = request.match_info.route.resource
    template = route.canonical if route is not None else "unmatched"
    HTTP_REQUESTS.labels(request.method, template, str(status)).inc()
    HTTP_SECONDS.labels(request.method, template).observe(time.perf_counter() - started)
