"""Deliveries from the sandbox to the bridge's ingest: what a test asks for, and the POST.

The dialect bodies are built in ``webhook_bodies``; Wazzup's, the original, stays here.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aiohttp
import msgspec

from services.sandbox.settings import PROVIDERS

# Wazzup's own header, typo included, so ingest is tested against what it will really get.
WAZZUP_CONTENT_TYPE = "application/json; charset-utf-8"
MEDIA_CONTENT_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
META_KINDS = frozenset({"system", "flow", "edit", "revoke", "reaction", "unsupported",
                        "button_reply", "list_reply"})


class InboundSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A customer's message as a test describes it; the rest is filled in like the gateway does.

    ``media_id`` names a file uploaded with ``POST /sandbox/media``; ``content_type`` (ours:
    image, audio, video, document, sticker, text) defaults from that file's MIME type.
    """

    chat_id: str
    text: str | None = None
    name: str | None = None
    channel_id: str | None = None
    message_id: str | None = None
    type: str = "text"
    chat_type: str = "whatsapp"
    content_uri: str | None = None
    provider: str = "wazzup"
    quoted_message_id: str | None = None
    content_type: str | None = None
    media_id: str | None = None
    is_echo: bool = False
    participant_phone: str | None = None
    participant_name: str | None = None
    # Meta only: the customer's business-scoped user id (and parent, username); `phone_hidden`
    # leaves the phone out as for a username user (`chat_id` may then be empty)
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    phone_hidden: bool = False
    # Meta only: another kind of message than text or a file (META_KINDS), with its details
    kind: str | None = None
    target_message_id: str | None = None  # what an edit, revoke or reaction refers to
    emoji: str | None = None
    system_type: str | None = None
    new_phone: str | None = None
    new_user_id: str | None = None
    flow_name: str | None = None
    flow_response: dict[str, Any] | None = None
    reply_id: str | None = None  # a tapped button's or list row's id (kind button/list_reply)
    # Meta only: more messages delivered in the same webhook body after this one (one
    # ``value.messages`` list, in order; each with its own sender; no files, no echoes)
    batch: list[InboundSpec] = []

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")
        if self.kind is not None and self.kind not in META_KINDS:
            raise ValueError(f"kind must be one of {', '.join(sorted(META_KINDS))}")
        if self.content_type is not None and self.content_type not in MEDIA_CONTENT_TYPES | {
                "text"}:
            raise ValueError("content_type must be text, image, audio, video, document or sticker")


class StatusSpec(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A delivery status of a message the bridge sent; ``error`` is the dialect's own code."""

    message_id: str
    status: str
    provider: str = "wazzup"
    chat_id: str | None = None
    error: str | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        if self.provider not in PROVIDERS:
            raise ValueError(f"provider must be one of {', '.join(PROVIDERS)}")


@dataclass(frozen=True)
class MediaInfo:
    """A stored file as a webhook refers to it: by URL (Wazzup, chat-api) or by id (Meta)."""

    id: str
    url: str
    mime_type: str
    file_name: str
    sha256: str


class IngestAnswer(msgspec.Struct, kw_only=True):
    status: int
    body: Any


def wazzup_time(moment: datetime) -> str:
    """Wazzup's ``dateTime`` form: UTC, milliseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def media_kind(spec: InboundSpec, media: MediaInfo | None) -> str:
    """Our content type of the message: given, else from the file's MIME type, else text."""
    if spec.content_type is not None:
        return spec.content_type
    if media is None:
        return "text"
    major = media.mime_type.split("/", 1)[0]
    if media.mime_type == "image/webp":
        return "sticker"
    return major if major in ("image", "audio", "video") else "document"


def inbound_delivery(spec: InboundSpec, *, channel_id: str, now: datetime,
                     media: MediaInfo | None = None) -> dict[str, Any]:
    """A ``messages`` webhook body carrying one incoming (or echoed) message."""
    avatar = hashlib.sha1(spec.chat_id.encode()).hexdigest()[:16]
    kind = media_kind(spec, media)
    message: dict[str, Any] = {
        "messageId": spec.message_id or str(uuid.uuid4()),
        "dateTime": wazzup_time(now),
        "channelId": spec.channel_id or channel_id,
        "chatType": spec.chat_type,
        "chatId": spec.chat_id,
        # Wazzup has no sticker type: stickers come as images of a .webp/.was file.
        "type": spec.type if spec.content_type is None and media is None else (
            "image" if kind == "sticker" else kind),
        "isEcho": spec.is_echo,
        "status": "sent" if spec.is_echo else "inbound",
        "contact": {
            # For WhatsApp, Wazzup shows the number when the contact has no name.
            "name": spec.name or spec.chat_id,
            "avatarUri": f"https://store.wazzup24.com/avatars/{avatar}.jpg",
        },
    }
    if spec.text is not None:
        message["text"] = spec.text
    if media is not None:
        message["contentUri"] = media.url
    elif spec.content_uri is not None:
        message["contentUri"] = spec.content_uri
    if spec.quoted_message_id:
        # The shape of quotedMessage is unconfirmed; the bridge reads its messageId.
        message["quotedMessage"] = {"messageId": spec.quoted_message_id}
    if spec.chat_type == "whatsgroup" and (spec.participant_phone or spec.participant_name):
        # UNCONFIRMED author fields of a group message: what the bridge's parser guesses.
        message["authorId"] = spec.participant_phone
        message["authorName"] = spec.participant_name
        message["contact"] |= {"name": spec.participant_name or spec.name or spec.chat_id,
                               "phone": spec.participant_phone}
    return {"messages": [message]}


def wazzup_status(spec: StatusSpec, now: datetime) -> dict[str, Any]:
    status: dict[str, Any] = {"messageId": spec.message_id, "timestamp": wazzup_time(now),
                              "status": spec.status}
    if spec.error is not None:
        status["error"] = {"error": spec.error, "description": spec.description or spec.error}
    return {"statuses": [status]}


async def post_to_ingest(session: aiohttp.ClientSession, url: str, body: bytes,
                         headers: dict[str, str] | None = None) -> IngestAnswer:
    """POST a webhook body as the gateway would; raises ``aiohttp.ClientError``/``TimeoutError``."""
    sent_headers = headers or {"Content-Type": WAZZUP_CONTENT_TYPE}
    async with session.post(url, data=body, headers=sent_headers) as r:
        raw = await r.read()
    return IngestAnswer(status=r.status, body=json_or_text(raw))


def json_or_text(raw: bytes) -> Any:
    try:
        return msgspec.json.decode(raw) if raw else None
    except msgspec.DecodeError:
        return raw.decode(errors="replace")
