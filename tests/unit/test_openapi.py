"""The OpenAPI document describes every route the operator API serves."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.api_routes import add_operator_routes
from services.task_sync.openapi import openapi_document


def test_every_api_route_and_method_is_in_the_openapi_document() -> None:
    app = web.Application()
    add_operator_routes(app)  # as task-sync serves them
    served = {(r.resource.canonical, r.method.lower()) for r in app.router.routes()
              if r.method != "HEAD" and r.resource is not None
              and r.resource.canonical != "/api/v1/openapi.json"}  # the document itself
    paths = openapi_document()["paths"]
    documented = {(path, method) for path, ops in paths.items() for method in ops}
    assert served - documented == set()
    assert documented - served == set()


def test_the_event_stream_resumes_by_header_or_by_query_parameter() -> None:
    stream = openapi_document()["paths"]["/api/v1/events"]["get"]
    assert {(p["in"], p["name"]) for p in stream["parameters"]} == {
        ("header", "Last-Event-ID"), ("query", "last_event_id")}
    assert "text/event-stream" in stream["responses"]["200"]["content"]
