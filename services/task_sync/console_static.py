"""The operator console's files (services/task_sync/console/dist, built by `make console`) at `/`.

index.html answers every client route and is never cached; the hashed files under /assets/
are cached for a year. A page address no route knows gets index.html too, with status 404, so
the console shows its own "page not found" (with a link back to the inbox); an unknown address
under /api/ gets the API's JSON 404 (`not_found`). Every response of the app carries the
console's safety headers: a Content-Security-Policy without inline scripts, no framing, no MIME
sniffing, no referrer leaving the origin. Without a build, `/` answers 503 saying how to make one.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

DIST = Path(__file__).resolve().parent / "console" / "dist"
CLIENT_ROUTES = ("/", "/login", "/inbox", "/inbox/{view}", "/tasks/{task_id}", "/admin",
                 "/admin/{section}")
ROOT_FILES = ("favicon.svg",)
CONSOLE_CSP = "; ".join((
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' blob: data:",
    "media-src 'self' blob: data:", "font-src 'self'", "connect-src 'self'", "object-src 'none'",
    "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"))
# API answers and files are never pages: nothing may run in them or frame them
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'"
SAFETY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                  "X-Frame-Options": "DENY"}
LONG_CACHE = "public, max-age=31536000, immutable"
DIST_KEY = web.AppKey("console_dist", Path)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
MISSING_BUILD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>wabridge console: not built</title></head>
<body><h1>The operator console is not built</h1>
<p>Run <code>make console</code> (or <code>make run</code>) in the repository, then reload.</p>
<p>The API is up: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>
"""


def routes(app: web.Application, dist: Path = DIST) -> None:
    """Serve the console from ``dist``; add the safety headers to every response."""
    app[DIST_KEY] = dist
    for path in CLIENT_ROUTES:
        app.router.add_get(path, index)
    for name in ROOT_FILES:
        app.router.add_get(f"/{name}", root_file)
    app.router.add_get("/assets/{name}", asset)
    app.middlewares.append(unknown_paths)
    app.on_response_prepare.append(add_safety_headers)


@web.middleware
async def unknown_paths(request: web.Request, handler: Handler) -> web.StreamResponse:
    """An address no route matched: the API's JSON 404 under /api/, the console's page (its
    own "page not found") for a browser asking for a page, aiohttp's answer otherwise."""
    if not isinstance(request.match_info.http_exception, web.HTTPNotFound):
        return await handler(request)
    if request.path.startswith("/api/"):
        return web.json_response({"error": "not_found", "reason": f"no API route {request.path}"},
                                 status=404)
    if request.method in ("GET", "HEAD") and "text/html" in request.headers.get("Accept", ""):
        return await _index(request, status=404)
    return await handler(request)


async def add_safety_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SAFETY_HEADERS.items():
        response.headers.setdefault(name, value)
    page = response.content_type == "text/html" and not request.path.startswith("/api/")
    response.headers.setdefault("Content-Security-Policy", CONSOLE_CSP if page else OTHER_CSP)


async def index(request: web.Request) -> web.StreamResponse:
    return await _index(request)


async def _index(request: web.Request, status: int = 200) -> web.StreamResponse:
    page = request.app[DIST_KEY] / "index.html"
    if not page.is_file():
        return web.Response(status=503, text=MISSING_BUILD, content_type="text/html",
                            headers={"Cache-Control": "no-store", "Retry-After": "30"})
    return web.FileResponse(page, status=status, headers={"Cache-Control": "no-cache",
                                           "Content-Type": "text/html; charset=utf-8"})


async def root_file(request: web.Request) -> web.StreamResponse:
    return _file(request.app[DIST_KEY] / request.path.lstrip("/"), "no-cache")


async def asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if "/" in name or "\\" in name or name.startswith("."):
        raise web.HTTPNotFound()
    return _file(request.app[DIST_KEY] / "assets" / name, LONG_CACHE)


def _file(path: Path, cache: str) -> web.StreamResponse:
    if not path.is_file():
        raise web.HTTPNotFound()
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return web.FileResponse(path, headers={"Cache-Control": cache, "Content-Type": kind})
