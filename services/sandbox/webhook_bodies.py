"""Meta Cloud API and chat-api webhook bodies, and how each dialect's POST is addressed/signed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from services.sandbox.meta_bodies import envelope, meta_inbound, meta_status
from services.sandbox.settings import SandboxSettings
from services.sandbox.webhooks import (
    WAZZUP_CONTENT_TYPE,
    InboundSpec,
    MediaInfo,
    StatusSpec,
    inbound_delivery,
    media_kind,
    wazzup_status,
)

_CHAT_API_TYPES = {"text": "chat", "image": "image", "audio": "audio", "video": "video",
                   "document": "document", "sticker": "image"}
_CHAT_API_ACKS = {"read": "viewed"}


@dataclass(frozen=True)
class Outgoing:
    """One webhook POST: where, the exact bytes, and the headers (signature included)."""

    url: str
    body: bytes
    headers: dict[str, str]
    shown: Any


def outgoing(settings: SandboxSettings, provider: str, payload: dict[str, Any]) -> Outgoing:
    return addressed(settings, provider, msgspec.json.encode(payload), payload)


def addressed(settings: SandboxSettings, provider: str, body: bytes, shown: Any) -> Outgoing:
    """The POST of ``body`` to ingest in ``provider``'s dialect (Meta's is signed)."""
    headers = {"Content-Type": "application/json"}
    if provider == "wazzup":
        headers = {"Content-Type": WAZZUP_CONTENT_TYPE}
    if provider == "meta":
        digest = hmac.new(settings.meta_app_secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    return Outgoing(url=settings.webhook_url(provider), body=body, headers=headers, shown=shown)


def inbound(settings: SandboxSettings, spec: InboundSpec, media: MediaInfo | None,
            now: datetime) -> dict[str, Any]:
    if spec.provider == "meta":
        return meta_inbound(settings, spec, media, now)
    if spec.provider == "chat_api":
        return chat_api_inbound(settings, spec, media, now)
    return inbound_delivery(spec, channel_id=settings.sandbox_channel_id, now=now, media=media)


def status(settings: SandboxSettings, spec: StatusSpec, chat_id: str | None,
           now: datetime) -> dict[str, Any]:
    if spec.provider == "meta":
        return envelope(settings, {"statuses": [meta_status(spec, chat_id, now)]})
    if spec.provider == "chat_api":
        ack = {"id": spec.message_id, "queueNumber": secrets.randbelow(1000), "chatId": chat_id,
               "status": _CHAT_API_ACKS.get(spec.status, spec.status)}
        return {"instanceId": settings.chat_api_instance, "ack": [ack]}
    return wazzup_status(spec, now)


def chat_api_inbound(settings: SandboxSettings, spec: InboundSpec, media: MediaInfo | None,
                     now: datetime) -> dict[str, Any]:
    group = spec.chat_type == "whatsgroup"
    chat_id = spec.chat_id if "@" in spec.chat_id else (
        f"{spec.chat_id}@g.us" if group else f"{spec.chat_id}@c.us")
    author = f"{spec.participant_phone}@c.us" if group and spec.participant_phone else chat_id
    kind = media_kind(spec, media)
    prefix = "true" if spec.is_echo else "false"
    message: dict[str, Any] = {
        "id": spec.message_id or f"{prefix}_{chat_id}_{secrets.token_hex(10).upper()}",
        "body": media.url if media is not None else (spec.text or ""),
        "fromMe": spec.is_echo, "self": int(spec.is_echo), "isForwarded": 0, "author": author,
        "time": int(now.timestamp()), "chatId": chat_id,
        "messageNumber": secrets.randbelow(10**6), "type": _CHAT_API_TYPES.get(kind, "chat"),
        "senderName": (spec.participant_name if group else None) or spec.name or chat_id,
        "caption": spec.text if media is not None else None,
        "quotedMsgId": spec.quoted_message_id, "chatName": spec.name or chat_id,
    }
    return {"instanceId": settings.chat_api_instance, "messages": [message]}
