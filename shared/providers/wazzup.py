"""Wazzup API v3: webhook deliveries to events, and the ``POST /v3/message`` call.

Facts and their confidence are in the project's Wazzup reference; the choices that depend on an
unconfirmed fact say so where they are made.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import msgspec

from shared.errors import BadPayload, PermanentError, RetryableError
from shared.events import (
    ChannelUpdated,
    ChatRef,
    ContentType,
    Event,
    MessageReceived,
    SendMessage,
    StatusUpdated,
    derive_id,
)
from shared.providers.base import GatewayAccount, HttpRequest, ParsedWebhook, SendResult
from shared.providers.wazzup_schema import HANDLED_KEYS, ChannelUpdate, Delivery, Message, Status

NAME = "wazzup"

# Anything else (unsupported, unknown, system, types Wazzup adds later) becomes "unsupported".
_CONTENT_TYPES: dict[str, ContentType] = {
    "text": "text", "image": "image", "audio": "audio", "video": "video", "document": "document",
    "vcard": "vcard", "geo": "geo", "wapi_template": "template", "missing_call": "missed_call",
}
# WhatsApp stickers arrive as `image`; only the file tells them apart.
_STICKER_SUFFIXES = (".was", ".webp")
# Wazzup documents these as "try again in a minute", not as a refusal of this message.
_TEMPORARY_CODES = frozenset({"MESSAGE_CHANNEL_UNAVAILABLE", "CHANNEL_LIMIT_EXCEEDED"})
# The rate limit window is 5 s and Retry-After is not documented to be sent.
_DEFAULT_RATE_LIMIT_WAIT = 5.0

_keys_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])
_delivery_decoder = msgspec.json.Decoder(Delivery)


class WazzupProvider:
    """The Wazzup v3 dialect of ``shared.providers.base.Provider``."""

    name = NAME

    def verify_webhook(
        self, account: GatewayAccount, path_token: str, headers: Mapping[str, str]
    ) -> bool:
        """True when the URL's secret equals the account's webhook token (constant time)."""
        # Wazzup signs nothing for an API-key integration, so the secret lives in the URI.
        expected = account.webhook_token.encode()
        if not expected:
            return False
        return hmac.compare_digest(path_token.encode(), expected)

    def parse_webhook(self, body: bytes, *, received_at: datetime) -> ParsedWebhook:
        """Every item of ``messages``, ``statuses`` and ``channelsUpdates``, in that order."""
        try:
            keys = _keys_decoder.decode(body)
            delivery = _delivery_decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise BadPayload(f"invalid Wazzup webhook: {exc}") from exc
        events: list[Event] = []
        events.extend(_message_event(m, received_at) for m in delivery.messages)
        events.extend(_status_event(s, received_at) for s in delivery.statuses)
        events.extend(_channel_event(c, received_at) for c in delivery.channelsUpdates)
        ignored = [key for key in keys if key not in HANDLED_KEYS]
        is_probe = delivery.test is True
        return ParsedWebhook(events=events, ignored=ignored, is_probe=is_probe)

    def build_send(self, account: GatewayAccount, command: SendMessage) -> HttpRequest:
        """``POST /v3/message`` with ``crmMessageId`` = the command id, so retries de-duplicate."""
        chat = command.chat
        payload: dict[str, Any] = {
            "channelId": chat.channel_id,
            "chatType": chat.chat_type,
            "chatId": chat.chat_id,
            "text": command.text,
            "crmMessageId": command.id,
            "clearUnanswered": command.clear_unanswered,
        }
        if command.reply_to_gateway_message_id:
            payload["refMessageId"] = command.reply_to_gateway_message_id
        return HttpRequest(
            method="POST",
            url=f"{account.api_url.rstrip('/')}/v3/message",
            headers={
                "Authorization": f"Bearer {account.api_key}",
                "Content-Type": "application/json",
            },
            json=payload,
        )

    def interpret_send(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> SendResult:
        """Map Wazzup's answer to a result, or raise ``RetryableError``/``PermanentError``."""
        answer = _json_object(body)
        if 200 <= status < 300:
            return SendResult(gateway_message_id=_str_or_none(answer.get("messageId")))
        code = _str_or_none(answer.get("error"))
        reason = _reason(status, answer)
        if status == 429:
            wait = _retry_after(headers)
            raise RetryableError(reason, code="RATE_LIMITED", retry_after=wait)
        if status >= 500:
            raise RetryableError(reason, code=code or f"HTTP_{status}")
        normalised = (code or "").upper().replace("_", "")
        if 400 <= status < 500 and normalised == "REPEATEDCRMMESSAGEID":
            # The docs spell it both ways; either means an earlier attempt was delivered.
            return SendResult(gateway_message_id=None, already_sent=True)
        if code and code.upper() in _TEMPORARY_CODES:
            raise RetryableError(reason, code=code)
        raise PermanentError(reason, code=code or f"HTTP_{status}")


WAZZUP = WazzupProvider()


def _message_event(item: Message, received_at: datetime) -> MessageReceived:
    text = item.text or ""
    event_id = derive_id(
        NAME, "message", item.channelId, item.messageId,
        "edited" if item.isEdited else "",
        "deleted" if item.isDeleted else "",
        text if item.isEdited else "",
    )
    contact = item.contact
    return MessageReceived(
        id=event_id,
        correlation_id=event_id,
        occurred_at=received_at,
        chat=ChatRef(
            provider=NAME, channel_id=item.channelId, chat_type=item.chatType, chat_id=item.chatId
        ),
        gateway_message_id=item.messageId,
        content_type=_content_type(item.type, item.contentUri),
        text=text,
        raw_type=item.type,
        sent_at=_parse_time(item.dateTime),
        content_uri=item.contentUri,
        contact_name=contact.name if contact else None,
        contact_phone=_contact_phone(item),
        is_echo=item.isEcho,
        author_id=item.authorId,
        author_name=item.authorName,
        quoted_gateway_message_id=_quoted_id(item.quotedMessage),
        is_edited=item.isEdited,
        is_deleted=item.isDeleted,
    )


def _status_event(item: Status, received_at: datetime) -> StatusUpdated:
    stamp = "" if item.timestamp is None else str(item.timestamp)
    event_id = derive_id(NAME, "status", item.messageId, item.status, stamp)
    error = item.error
    return StatusUpdated(
        id=event_id,
        correlation_id=event_id,
        occurred_at=received_at,
        provider=NAME,
        gateway_message_id=item.messageId,
        status=item.status.lower(),
        at=_parse_time(item.timestamp),
        error_code=error.error if error else None,
        error_text=error.description if error else None,
    )


def _channel_event(item: ChannelUpdate, received_at: datetime) -> ChannelUpdated:
    stamp = "" if item.timestamp is None else str(item.timestamp)
    event_id = derive_id(NAME, "channel", item.channelId, item.state, stamp)
    return ChannelUpdated(
        id=event_id,
        correlation_id=event_id,
        occurred_at=received_at,
        provider=NAME,
        channel_id=item.channelId,
        state=item.state.lower(),
        tier=item.tier,
    )


def _content_type(raw_type: str, content_uri: str | None) -> ContentType:
    mapped = _CONTENT_TYPES.get(raw_type, "unsupported")
    if mapped == "image" and content_uri:
        if urlsplit(content_uri).path.lower().endswith(_STICKER_SUFFIXES):
            return "sticker"
    return mapped


def _contact_phone(item: Message) -> str | None:
    if item.contact and item.contact.phone:
        return item.contact.phone
    # For WhatsApp the chat id is the number; Wazzup sends `contact.phone` only for Telegram/MAX.
    if item.chatType == "whatsapp":
        digits = "".join(ch for ch in item.chatId if ch.isdigit())
        return digits or None
    return None


def _quoted_id(quoted: object) -> str | None:
    # The shape of quotedMessage is unconfirmed: use its messageId only when it is plainly there.
    if isinstance(quoted, dict):
        value = quoted.get("messageId")
        if isinstance(value, str) and value:
            return value
    return None


def _parse_time(value: object) -> datetime | None:
    """An ISO string or epoch milliseconds as an aware UTC datetime; None when unusable."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if isinstance(value, int | float) and math.isfinite(value):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _json_object(body: bytes) -> dict[str, Any]:
    # Wazzup answers some 4xx with an empty body; a proxy may answer with HTML.
    if not body.strip():
        return {}
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return {}
    return decoded if isinstance(decoded, dict) else {}


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _reason(status: int, answer: dict[str, Any]) -> str:
    description = _str_or_none(answer.get("description"))
    reason = description or f"Wazzup answered HTTP {status}"
    data = answer.get("data")
    if data is not None:
        # e.g. INVALID_MESSAGE_DATA names the offending fields only in `data`.
        reason = f"{reason} (HTTP {status}; data: {msgspec.json.encode(data).decode()[:300]})"
    elif description:
        reason = f"{reason} (HTTP {status})"
    return reason


def _retry_after(headers: Mapping[str, str]) -> float:
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        seconds = float(raw) if raw is not None else math.nan
    except ValueError:
        return _DEFAULT_RATE_LIMIT_WAIT
    return seconds if math.isfinite(seconds) and seconds >= 0 else _DEFAULT_RATE_LIMIT_WAIT
