"""One gateway call for one send: the channel must be connected, the file reachable."""

from __future__ import annotations

import time

import msgspec

from services.outbound_sender.deps import Deps
from shared import events
from shared.channels_config import ChannelConfig
from shared.errors import PermanentError, RetryableError
from shared.providers.base import OutboundMedia, Provider, SendResult
from shared.signing import signed_file_url


async def deliver(deps: Deps, cmd: events.SendMessage) -> SendResult:
    """Call the chat's gateway; raises ``RetryableError``/``PermanentError`` as it answers."""
    state = await deps.channel_states.state(cmd.chat.channel_id)
    if state is not None and state != "active":
        raise RetryableError(f"channel {cmd.chat.channel_id} is {state!r}, not active; the "
                             "message waits until the number is connected again",
                             code="CHANNEL_NOT_ACTIVE")
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
