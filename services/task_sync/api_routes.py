"""Every route of the operator API (``/api/v1``) in one place: the service serves exactly
these, and the role-matrix test reads them from the router it builds here, so a route added
without a matrix entry fails that test."""

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
    events_api,
    files_api,
    flows_api,
    inbox_api,
    messaging_api,
    reports_api,
)
from services.task_sync.application.console_ports import DeadLetters


def add_operator_routes(app: web.Application, dead_letters: DeadLetters | None = None) -> None:
    """The API's routes on ``app`` (after ``install_operator_api``); ``dead_letters``: the
    queues' adapter (RabbitMQ's when absent)."""
    for module in (api, comments_api, files_api, conversations_api, directory_api, inbox_api,
                   events_api):
        module.routes(app)
    auth_api.routes(app)  # sign-in and administration (issue 9)
    admin_api.routes(app, dead_letters)
    messaging_api.routes(app)  # read marks, typing, reactions, problems (issue 11)
    desk_api.routes(app)  # availability, group policies, notices, held replies (issue 13)
    reports_api.routes(app)  # reports per manager and group (issue 13)
    flows_api.routes(app)  # the bot's flows: drafts, versions, simulator, replay (issue 12)
