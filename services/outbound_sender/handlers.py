"""outbound-sender's handlers: wake a chat's send queue; fetch inbound files; signals.

The only service that calls gateways. The composition root dispatches through ``HANDLERS``
and reports failures through ``FAILURE_REPORTS``. A send's own retries and failures live in
its queue record (``sending.py``), so only file fetches report failures through the worker.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from services.outbound_sender.deps import Deps
from services.outbound_sender.media import fetch_media
from services.outbound_sender.sending import on_wake
from services.outbound_sender.signals import send_signal
from services.outbound_sender.templates import refresh_templates
from shared import events
from shared.errors import PermanentError, WabridgeError

Handler = Callable[[Deps, Any], Awaitable[None]]
FailureReport = Callable[[Deps, Any, WabridgeError, "datetime | None"], Awaitable[None]]


async def dispatch(handlers: Mapping[type, Handler], deps: Deps, message: events.Message) -> None:
    """Hand ``message`` to the handler of its type."""
    handler = handlers.get(type(message))
    if handler is None:
        raise PermanentError(f"outbound-sender has no handler for {events.message_type(message)}")
    await handler(deps, message)


async def report_failure(reports: Mapping[type, FailureReport], deps: Deps,
                         message: events.Message, error: WabridgeError,
                         retry_at: datetime | None) -> None:
    """Make a failed or waiting message visible on its comment, via task-sync."""
    report = reports.get(type(message))
    if report is not None:
        await report(deps, message, error, retry_at)


async def fetch_failed(deps: Deps, cmd: events.FetchMedia, error: WabridgeError,
                       retry_at: datetime | None) -> None:
    await deps.bus.publish(events.MediaFetchFailed(
        id=events.derive_id("failed", cmd.id, error.code or "", str(retry_at)),
        correlation_id=cmd.correlation_id, occurred_at=events.utcnow(), reason=error.reason,
        code=error.code, final=retry_at is None, retry_at=retry_at, file_id=cmd.file_id,
        task_id=cmd.task_id, comment_id=cmd.comment_id))


HANDLERS: dict[type, Handler] = {events.SendMessage: on_wake, events.FetchMedia: fetch_media,
                                 events.SendSignal: send_signal,
                                 events.RefreshTemplates: refresh_templates}
FAILURE_REPORTS: dict[type, FailureReport] = {events.FetchMedia: fetch_failed}
