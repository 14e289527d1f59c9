"""Deliveries from the sandbox to the bridge's ingest, shaped like Wazzup's webhook POSTs."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import msgspec

# Wazzup's own header, typo included, so ingest is tested against what it will really get.
WAZZUP_CONTENT_TYPE = "application/json; charset-utf-8"


class InboundSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A customer's message as a test describes it; the rest is filled in like Wazzup does."""

    chat_id: str
    text: str | None = None
    name: str | None = None
    channel_id: str | None = None
    message_id: str | None = None
    type: str = "text"
    chat_type: str = "whatsapp"
    content_uri: str | None = None


class IngestAnswer(msgspec.Struct, kw_only=True):
    status: int
    body: Any


def wazzup_time(moment: datetime) -> str:
    """Wazzup's ``dateTime`` form: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def inbound_delivery(spec: InboundSpec, *, channel_id: str, now: datetime) -> dict[str, Any]:
    """A ``messages`` webhook body carrying one incoming message."""
    avatar = hashlib.sha1(spec.chat_id.encode()).hexdigest()[:16]
    message: dict[str, Any] = {
        "messageId": spec.message_id or str(uuid.uuid4()),
        "dateTime": wazzup_time(now),
        "channelId": spec.channel_id or channel_id,
        "chatType": spec.chat_type,
        "chatId": spec.chat_id,
        "type": spec.type,
        "isEcho": False,
        "status": "inbound",
        "contact": {
            # For WhatsApp, Wazzup shows the number when the contact has no name.
            "name": spec.name or spec.chat_id,
            "avatarUri": f"https://store.wazzup24.com/avatars/{avatar}.jpg",
        },
    }
    if spec.text is not None:
        message["text"] = spec.text
    if spec.content_uri is not None:
        message["contentUri"] = spec.content_uri
    return {"messages": [message]}


async def post_to_ingest(session: aiohttp.ClientSession, url: str, body: bytes) -> IngestAnswer:
    """POST a webhook body as Wazzup would; raises ``aiohttp.ClientError``/``TimeoutError``."""
    async with session.post(url, data=body, headers={"Content-Type": WAZZUP_CONTENT_TYPE}) as r:
        raw = await r.read()
    return IngestAnswer(status=r.status, body=json_or_text(raw))


def json_or_text(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw) if raw else None
    except msgspec.DecodeError:
        return raw.decode(errors="replace")
