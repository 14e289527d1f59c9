"""outbound-sender's handlers: send once and report; fetch inbound files.

The only service that calls gateways. The composition root dispatches through ``HANDLERS``
and reports failures through ``FAILURE_REPORTS``.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import msgspec

from services.outbound_sender.deps import Deps
from services.outbound_sender.media import fetch_media
from services.outbound_sender.signals import send_signal
from services.outbound_sender.templates import refresh_templates
from shared import events
from shared.channels_config import ChannelConfig
from shared.errors import PermanentError, RetryableError, WabridgeError
from shared.logs import get_logger
from shared.providers.base import OutboundMedia, Provider, SendResult
from shared.signing import signed_file_url
from shared.worker import is_replay

log = get_logger(__name__)

Handler = Callable[[Deps, Any], Awaitable[None]]
FailureReport = Callable[[Deps, Any, WabridgeError, "datetime | None"], Awaitable[None]]


async def dispatch(handlers: Mapping[type, Handler], deps: Deps, message: events.Message) -> None:
    """Hand ``message`` to the handler of its type."""
    handler = handlers.get(type(message))
    if handler is None:
        raise PermanentError(f"outbound-sender has no handler for {events.message_type(message)}")
    await handler(deps, message)


async def send(deps: Deps, cmd: events.SendMessage) -> None:
    record = await deps.sends.begin(cmd, events.utcnow(), deps.instance_id)
    if record.state == "sent":  # done before a crash or redelivery: report again, send nothing
        await deps.bus.publish(_succeeded(cmd, record.gateway_message_id))
        return
    if record.state == "failed":
        if not is_replay():
            raise PermanentError(f"send {cmd.id} failed before: {record.failure}",
                                 code="FAILED_BEFORE")
        await deps.sends.reopen(cmd.id)
        log.info("replayed send: trying again", send_id=cmd.id, failed_with=record.failure)
    state = await deps.channel_states.state(cmd.chat.channel_id)
    if state is not None and state != "active":
        raise RetryableError(f"channel {cmd.chat.channel_id} is {state!r}, not active; the "
                             "message waits until the number is connected again",
                             code="CHANNEL_NOT_ACTIVE")
    try:
        result = await _deliver(deps, cmd)
    except RetryableError:
        await deps.sends.release(cmd.id, deps.instance_id)
        raise
    if result.already_sent:
        log.info("gateway says this send was accepted before; not sending again",
                 send_id=cmd.id)
    await deps.sends.mark_sent(cmd.id, result.gateway_message_id, events.utcnow())
    await deps.bus.publish(_succeeded(cmd, result.gateway_message_id))


async def _deliver(deps: Deps, cmd: events.SendMessage) -> SendResult:
    provider, connection = deps.gateway_for(cmd.chat)
    media = await _outbound_media(deps, provider, connection, cmd) if cmd.attachment else None
    request = provider.build_send(connection.account, cmd, media)
    response = await deps.gateway.call(provider.name, connection.id, request)
    return provider.interpret_send(response.status, response.body, response.headers)


async def _outbound_media(deps: Deps, provider: Provider, connection: ChannelConfig,
                          cmd: events.SendMessage) -> OutboundMedia:
    """The file as the gateway takes it: a short-lived signed URL, or an upload's media id."""
    assert cmd.attachment is not None
    s = deps.settings
    media = OutboundMedia(
        file_name=cmd.attachment.file_name, mime_type=cmd.attachment.mime_type,
        url=signed_file_url(s.wabridge_public_url, cmd.attachment.file_id,
                            s.wabridge_url_signing_key, now=time.time(),
                            ttl_s=s.wabridge_signed_url_ttl_seconds))
    if not provider.capabilities.upload_before_send:
        return media
    content = await deps.files.read(cmd.attachment.file_id)
    if content is None:
        raise PermanentError(f"file {cmd.attachment.file_id} ({cmd.attachment.file_name}) is "
                             "not in the store", code="FILE_MISSING")
    upload = provider.build_media_upload(connection.account, media, content)
    if upload is None:
        return media
    answer = await deps.gateway.call(provider.name, connection.id, upload)
    media_id = provider.interpret_media_upload(answer.status, answer.body, answer.headers)
    return msgspec.structs.replace(media, media_id=media_id)


def _succeeded(cmd: events.SendMessage, gateway_message_id: str | None) -> events.SendSucceeded:
    return events.SendSucceeded(
        id=events.derive_id("sent", cmd.id), correlation_id=cmd.correlation_id,
        occurred_at=events.utcnow(), send_id=cmd.id, task_id=cmd.task_id,
        comment_id=cmd.comment_id, gateway_message_id=gateway_message_id, part=cmd.part,
        replayed=is_replay())


async def report_failure(reports: Mapping[type, FailureReport], deps: Deps,
                         message: events.Message, error: WabridgeError,
                         retry_at: datetime | None) -> None:
    """Make a failed or waiting message visible on its comment, via task-sync."""
    report = reports.get(type(message))
    if report is not None:
        await report(deps, message, error, retry_at)


async def send_failed(deps: Deps, cmd: events.SendMessage, error: WabridgeError,
                      retry_at: datetime | None) -> None:
    """A send waits for a retry, or (final) failed for good."""
    if retry_at is None:
        await deps.sends.mark_failed(cmd.id, str(error))
    await deps.bus.publish(events.SendFailed(
        **_failure_fields(cmd, error, retry_at), send_id=cmd.id, task_id=cmd.task_id,
        comment_id=cmd.comment_id, part=cmd.part))


async def fetch_failed(deps: Deps, cmd: events.FetchMedia, error: WabridgeError,
                       retry_at: datetime | None) -> None:
    await deps.bus.publish(events.MediaFetchFailed(
        **_failure_fields(cmd, error, retry_at), file_id=cmd.file_id, task_id=cmd.task_id,
        comment_id=cmd.comment_id))


def _failure_fields(message: events.Message, error: WabridgeError,
                    retry_at: datetime | None) -> dict[str, Any]:
    return {"id": events.derive_id("failed", message.id, error.code or "", str(retry_at)),
            "correlation_id": message.correlation_id, "occurred_at": events.utcnow(),
            "reason": error.reason, "code": error.code, "final": retry_at is None,
            "retry_at": retry_at}


HANDLERS: dict[type, Handler] = {events.SendMessage: send, events.FetchMedia: fetch_media,
                                 events.SendSignal: send_signal,
                                 events.RefreshTemplates: refresh_templates}
FAILURE_REPORTS: dict[type, FailureReport] = {
    events.SendMessage: send_failed, events.FetchMedia: fetch_failed,
}
