"""task-sync serves the console's build at `/`: client routes get index.html, hashed assets a
long cache, every answer the safety headers; no build gives a 503 saying what to run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.task_sync import console_static


async def _client(dist: Path) -> TestClient[web.Request, web.Application]:
    app = web.Application()

    async def api_thing(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app.router.add_get("/api/v1/thing", api_thing)
    console_static.routes(app, dist)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script type="module" '
                                         'src="/assets/index-abc.js"></script>')
    (tmp_path / "assets" / "index-abc.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


@pytest.fixture
async def client(dist: Path) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    c = await _client(dist)
    yield c
    await c.close()


@pytest.mark.parametrize("path", ["/", "/login", "/inbox/queue", "/tasks/t-1", "/admin/users"])
async def test_client_routes_answer_index_html_with_the_console_policy(
    client: TestClient[web.Request, web.Application], path: str,
) -> None:
    resp = await client.get(path)
    assert resp.status == 200
    assert "index-abc.js" in await resp.text()
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "img-src 'self' blob: data:" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["Cache-Control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(
    client: TestClient[web.Request, web.Application],
) -> None:
    resp = await client.get("/assets/index-abc.js")
    assert resp.status == 200 and "javascript" in resp.headers["Content-Type"]
    assert "immutable" in resp.headers["Cache-Control"]
    assert (await client.get("/assets/missing.js")).status == 404
    assert (await client.get("/assets/..%2Findex.html")).status == 404


async def test_api_answers_get_the_safety_headers_but_no_page_policy(
    client: TestClient[web.Request, web.Application],
) -> None:
    resp = await client.get("/api/v1/thing")
    assert resp.status == 200
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


async def test_without_a_build_the_console_answers_503_naming_make_console(tmp_path: Path) -> None:
    client = await _client(tmp_path / "no-dist")
    try:
        resp = await client.get("/tasks/t-1")
        assert resp.status == 503
        assert "make console" in await resp.text()
    finally:
        await client.close()


@pytest.mark.parametrize("path", ["/nope", "/tasks/t-1/extra", "/inbox/mine/more"])
async def test_an_unknown_page_answers_the_console_with_404_so_it_shows_page_not_found(
    client: TestClient[web.Request, web.Application], path: str,
) -> None:
    resp = await client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*"})
    assert resp.status == 404
    assert "index-abc.js" in await resp.text()
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert resp.headers["Cache-Control"] == "no-cache"


async def test_an_unknown_api_path_keeps_a_json_404(
    client: TestClient[web.Request, web.Application],
) -> None:
    for method in ("GET", "POST"):
        resp = await client.request(method, "/api/v1/nope", headers={"Accept": "text/html"})
        assert resp.status == 404
        assert (await resp.json())["error"] == "not_found"
        assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")


async def test_an_unknown_non_page_request_stays_a_plain_404(
    client: TestClient[web.Request, web.Application],
) -> None:
    resp = await client.get("/favicon.ico", headers={"Accept": "image/*"})
    assert resp.status == 404 and "index-abc.js" not in await resp.text()
    assert (await client.get("/assets/missing.js", headers={"Accept": "text/html"})).status == 404
