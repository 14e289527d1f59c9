"""Fetching an inbound file from its gateway into our store, once, with limits."""

from __future__ import annotations

import mimetypes

import msgspec

from services.outbound_sender.deps import Deps
from services.outbound_sender.gateway import url_refusal
from services.outbound_sender.ports import FileFacts
from shared import events
from shared.errors import PermanentError

MAX_STEPS = 3  # Meta: look the URL up by media id, then download it


async def fetch_media(deps: Deps, cmd: events.FetchMedia) -> None:
    stored = await deps.files.describe(cmd.file_id)
    if stored is None:
        stored = await _download(deps, cmd)
    await deps.bus.publish(events.MediaStored(
        id=events.derive_id("stored", cmd.file_id), correlation_id=cmd.correlation_id,
        occurred_at=events.utcnow(), file_id=cmd.file_id, comment_id=cmd.comment_id,
        task_id=cmd.task_id, file_name=stored.file_name, mime_type=stored.mime_type,
        size=stored.size))


async def _download(deps: Deps, cmd: events.FetchMedia) -> FileFacts:
    provider, connection = deps.gateway_for(cmd.chat)
    account = connection.account
    settings = deps.settings
    ref = cmd.media
    for _ in range(MAX_STEPS):
        request = provider.build_media_fetch(account, ref)
        refusal = url_refusal(request.url, deps.media_hosts, settings.wabridge_sandbox_url)
        if refusal is not None:
            raise PermanentError(refusal, code="MEDIA_URL_REFUSED")
        response = await deps.gateway.call(
            provider.name, connection.id, request, max_bytes=settings.wabridge_media_max_bytes,
            timeout_s=settings.wabridge_media_timeout_seconds)
        found = provider.interpret_media_fetch(response.status, response.body, response.headers,
                                               ref)
        if found is None:
            mime = ref.mime_type or response.headers.get("Content-Type", "").split(";")[0] \
                or "application/octet-stream"
            name = ref.file_name or _name_for(cmd.file_id, mime)
            return await deps.files.put(cmd.file_id, name, mime, response.body)
        ref = msgspec.structs.replace(
            ref, url=found.url or ref.url, mime_type=found.mime_type or ref.mime_type,
            file_name=found.file_name or ref.file_name, size=found.size or ref.size)
    raise PermanentError(f"the gateway kept pointing elsewhere after {MAX_STEPS} steps",
                         code="MEDIA_LOOKUP_LOOP")


def _name_for(file_id: str, mime: str) -> str:
    return f"file-{file_id[:8]}{mimetypes.guess_extension(mime) or ''}"
