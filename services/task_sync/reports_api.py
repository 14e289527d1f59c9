"""``GET /api/v1/reports``: per manager and per group over a period, as JSON or CSV."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application import reports
from services.task_sync.auth import current_actor
from services.task_sync.http_json import json_response, problem


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/reports", get_report)


def _time(request: web.Request, name: str) -> datetime | None:
    raw = request.query.get(name)
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise problem(400, "bad_query", f"{name} must be an ISO time with a zone") from None
    if when.tzinfo is None:
        raise problem(400, "bad_query", f"{name} must carry a time zone")
    return when


async def get_report(request: web.Request) -> web.Response:
    """``since``/``until`` (ISO times; default the last 7 days), ``group_id``, ``format``
    (json or csv)."""
    fmt = request.query.get("format", "json")
    if fmt not in ("json", "csv"):
        raise problem(400, "bad_query", "format must be json or csv")
    found = await reports.report(request.app[DEPS], current_actor(request).viewer,
                                 _time(request, "since"), _time(request, "until"),
                                 request.query.get("group_id") or None)
    if fmt == "json":
        return json_response(found)
    name = f"wabridge-report-{found.since:%Y%m%d}-{found.until:%Y%m%d}.csv"
    return web.Response(text=reports.as_csv(found), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
