"""Wazzup API v3: webhook deliveries, the ``POST /v3/message`` call and media fetches.

Facts and their confidence are in the project's Wazzup reference; the choices that depend on an
unconfirmed fact say so where they are made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from shared.domain.templates import Template
from shared.errors import PermanentError, RetryableError
from shared.events import ChannelUpdated, Message, SendMessage
from shared.providers.base import (
    Capabilities,
    GatewayAccount,
    HttpRequest,
    OutboundMedia,
    ParsedWebhook,
    SendResult,
)
from shared.providers.choices import numbered_text
from shared.providers.common import NoSignals, UrlMedia, decode_delivery
from shared.providers.http_answer import (
    json_object,
    retry_after,
    str_or_none,
)
from shared.providers.path_token import PathTokenWebhooks
from shared.providers.templates_listing import wazzup_templates
from shared.providers.wazzup_crm import crm_reply
from shared.providers.wazzup_events import (
    NAME,
    channel_event,
    channel_listed,
    message_event,
    status_event,
)
from shared.providers.wazzup_schema import HANDLED_KEYS, Delivery, ListedChannel

# Wazzup documents these as "try again in a minute", not as a refusal of this message.
# MESSAGE_DOWNLOAD_CONTENT_ERROR: Wazzup could not fetch our file link, which is served by
# task-sync (restarting, or its database away a moment); each retry signs a fresh link
_TEMPORARY_CODES = frozenset({"MESSAGE_CHANNEL_UNAVAILABLE", "CHANNEL_LIMIT_EXCEEDED",
                              "MESSAGE_DOWNLOAD_CONTENT_ERROR"})
# The rate limit window is 5 s and Retry-After is not documented to be sent.
_DEFAULT_RATE_LIMIT_WAIT = 5.0

_delivery_decoder = msgspec.json.Decoder(Delivery)
_channels_decoder = msgspec.json.Decoder(list[ListedChannel])


class WazzupProvider(PathTokenWebhooks, UrlMedia, NoSignals):
    """The Wazzup v3 dialect of ``shared.providers.base.Provider``."""

    display_name = "Wazzup"
    name = NAME
    capabilities = Capabilities(
        groups=True, templates=True, window_24h=False, caption_with_media=False,
        edits_in=True, deletions_in=True,  # isEdited / isDeleted on messages
        send_dedupe_window_s=60.0,  # a repeated crmMessageId is refused for 60 s
    )

    def parse_webhook(
        self, body: bytes, *, received_at: datetime, account: GatewayAccount
    ) -> ParsedWebhook:
        """Every item of ``messages``, ``statuses`` and ``channelsUpdates``, in that order."""
        keys, delivery = decode_delivery(body, _delivery_decoder, "Wazzup")
        events: list[Message] = []
        events.extend(message_event(m, received_at) for m in delivery.messages)
        events.extend(status_event(s, received_at) for s in delivery.statuses)
        events.extend(channel_event(c, received_at) for c in delivery.channelsUpdates)
        reply, crm_events, contact_request = crm_reply(delivery, received_at)
        events.extend(crm_events)
        ignored = [key for key in keys if key not in HANDLED_KEYS]
        is_probe = delivery.test is True
        return ParsedWebhook(events=events, reply=reply, ignored=ignored, is_probe=is_probe,
                             contact_request=contact_request)

    def build_send(
        self, account: GatewayAccount, command: SendMessage, media: OutboundMedia | None
    ) -> HttpRequest:
        """``POST /v3/message`` with ``crmMessageId`` = the command id, so retries de-duplicate.

        A file goes alone as ``contentUri``: Wazzup refuses text next to content, so the caller
        sends any caption as a message of its own (``caption_with_media`` is False).
        """
        chat = command.chat
        payload: dict[str, Any] = {
            "channelId": chat.channel_id,
            "chatType": chat.chat_type,
            "chatId": chat.send_to,
            "crmMessageId": command.id,
            "clearUnanswered": command.clear_unanswered,
        }
        payload.update(_content(command, media))
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
        answer = json_object(body)
        if 200 <= status < 300:
            return SendResult(gateway_message_id=str_or_none(answer.get("messageId")))
        code = str_or_none(answer.get("error"))
        reason = _reason(status, answer)
        if status == 429:
            wait = retry_after(headers, _DEFAULT_RATE_LIMIT_WAIT)
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

    def build_channel_list(self, account: GatewayAccount) -> HttpRequest | None:
        """``GET /v3/channels``: every channel's state and transport (``wapi`` is WABA)."""
        return HttpRequest(method="GET", url=f"{account.api_url.rstrip('/')}/v3/channels",
                           headers={"Authorization": f"Bearer {account.api_key}"})

    def interpret_channel_list(
        self, status: int, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> list[ChannelUpdated]:
        if status != 200:
            self.interpret_send(status, body, headers)  # raises the matching error
            raise PermanentError(f"Wazzup answered HTTP {status} to GET /v3/channels",
                                 code=f"HTTP_{status}")
        try:
            listed = _channels_decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise PermanentError(f"unexpected GET /v3/channels answer: {exc}",
                                 code="BAD_ANSWER") from exc
        return [channel_listed(item, received_at) for item in listed]

    def build_template_list(self, account: GatewayAccount) -> HttpRequest | None:
        """``GET /v3/templates/whatsapp``: the WABA templates of the account."""
        return HttpRequest(method="GET",
                           url=f"{account.api_url.rstrip('/')}/v3/templates/whatsapp?limit=100",
                           headers={"Authorization": f"Bearer {account.api_key}"})

    def interpret_template_list(self, status: int, body: bytes, headers: Mapping[str, str],
                                connection: str, now: datetime) -> list[Template]:
        if status != 200:
            self.interpret_send(status, body, headers)  # raises the matching error
            raise PermanentError(f"Wazzup answered HTTP {status} to GET /v3/templates",
                                 code=f"HTTP_{status}")
        try:
            answer = msgspec.json.decode(body)
        except msgspec.DecodeError as exc:
            raise PermanentError(f"unexpected GET /v3/templates answer: {exc}",
                                 code="BAD_ANSWER") from exc
        return wazzup_templates(answer, connection, now)



WAZZUP = WazzupProvider()


def _reason(status: int, answer: dict[str, Any]) -> str:
    description = str_or_none(answer.get("description"))
    reason = description or f"Wazzup answered HTTP {status}"
    data = answer.get("data")
    if data is not None:
        # e.g. INVALID_MESSAGE_DATA names the offending fields only in `data`.
        reason = f"{reason} (HTTP {status}; data: {msgspec.json.encode(data).decode()[:300]})"
    elif description:
        reason = f"{reason} (HTTP {status})"
    return reason


def _content(command: SendMessage, media: OutboundMedia | None) -> dict[str, Any]:
    if command.template_id:
        return {"templateId": command.template_id, "templateValues": list(command.template_values)}
    if media is not None:
        if not media.url:
            raise PermanentError("Wazzup sends files by URL only", code="NO_MEDIA_URL")
        return {"contentUri": media.url}
    return {"text": numbered_text(command)}
