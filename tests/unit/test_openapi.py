"""The OpenAPI document describes every route the operator API serves."""

from __future__ import annotations

from aiohttp import web

from services.task_sync import (
    admin_api,
    api,
    auth_api,
    comments_api,
    conversations_api,
    desk_api,
    directory_api,
    files_api,
    flows_api,
    messaging_api,
    reports_api,
)
from services.task_sync.openapi import openapi_document


def test_every_api_route_and_method_is_in_the_openapi_document() -> None:
    app = web.Application()
    for module in (api, comments_api, conversations_api, directory_api, files_api, auth_api,
                   admin_api, messaging_api, desk_api, reports_api, flows_api):
        module.routes(app)
    served = {(r.resource.canonical, r.method.lower()) for r in app.router.routes()
              if r.method != "HEAD" and r.resource is not None
              and r.resource.canonical != "/api/v1/openapi.json"}  # the document itself
    paths = openapi_document()["paths"]
    documented = {(path, method) for path, ops in paths.items() for method in ops}
    assert served - documented == set()
    assert documented - served == set()
