"""chat-api.com (legacy, WhatsApp-Web style): token in the URL, ``sendMessage``/``sendFile``.

Facts and their confidence are in part B of the project's Meta/chat-api reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import msgspec

from shared.errors import BadPayload, PermanentError, RetryableError
from shared.events import Message, SendMessage, SendSignal
from shared.providers.base import (
    Capabilities,
    GatewayAccount,
    HttpRequest,
    OutboundMedia,
    ParsedWebhook,
    SendResult,
)
from shared.providers.chat_api_events import NAME, ack_event, message_event
from shared.providers.chat_api_schema import HANDLED_KEYS, Delivery
from shared.providers.choices import numbered_text
from shared.providers.common import NoTemplates, SingleNumber, UrlMedia, decode_delivery
from shared.providers.http_answer import (
    is_retryable_status,
    json_object,
    retry_after,
    str_or_none,
)
from shared.providers.path_token import PathTokenWebhooks

_delivery_decoder = msgspec.json.Decoder(Delivery)


class ChatApiProvider(PathTokenWebhooks, UrlMedia, SingleNumber, NoTemplates):
    """The chat-api.com dialect of ``shared.providers.base.Provider``."""

    display_name = "chat-api"
    name = NAME
    capabilities = Capabilities(groups=True, templates=False, caption_with_media=True,
                                read_marks=True)

    def parse_webhook(
        self, body: bytes, *, received_at: datetime, account: GatewayAccount
    ) -> ParsedWebhook:
        """Every item of ``messages`` then ``ack``; ``chatUpdate`` and the rest are ignored."""
        keys, delivery = decode_delivery(body, _delivery_decoder, "chat-api")
        instance = "" if delivery.instanceId is None else str(delivery.instanceId)
        channel = account.channel_id or instance or account.sender_id
        if not channel and (delivery.messages or delivery.ack):
            raise BadPayload("invalid chat-api webhook: no `instanceId` and no configured channel")
        events: list[Message] = []
        events.extend(message_event(m, channel, received_at) for m in delivery.messages)
        events.extend(ack_event(a, channel, received_at) for a in delivery.ack)
        ignored = [key for key in keys if key not in HANDLED_KEYS]
        return ParsedWebhook(events=events, ignored=ignored)

    def build_send(
        self, account: GatewayAccount, command: SendMessage, media: OutboundMedia | None
    ) -> HttpRequest:
        """``sendMessage`` for text, ``sendFile`` (URL in ``body``, text as caption) for a file."""
        if command.template_id:
            raise PermanentError("chat-api has no templates", code="TEMPLATES_NOT_SUPPORTED")
        payload: dict[str, Any] = {"chatId": command.chat.send_to}
        if media is not None:
            if not media.url:
                raise PermanentError("chat-api sends files by URL only", code="NO_MEDIA_URL")
            method = "sendFile"
            payload |= {"body": media.url, "filename": media.file_name}
            if command.text:
                payload["caption"] = numbered_text(command)
        else:
            method = "sendMessage"
            payload["body"] = numbered_text(command)
        if command.reply_to_gateway_message_id:
            payload["quotedMsgId"] = command.reply_to_gateway_message_id
        token = quote(account.api_key, safe="")
        return HttpRequest(
            method="POST",
            url=f"{account.api_url.rstrip('/')}/{method}?token={token}",
            headers={"Content-Type": "application/json"},
            json=payload,
        )

    def interpret_send(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> SendResult:
        """``{sent: true, id}`` is success; ``{sent: false, message}`` is a refusal."""
        answer = json_object(body)
        reason = (str_or_none(answer.get("message")) or str_or_none(answer.get("error"))
                  or f"chat-api answered HTTP {status}")
        if is_retryable_status(status):
            raise RetryableError(f"{reason} (HTTP {status})", code=f"HTTP_{status}",
                                 retry_after=retry_after(headers, None))
        if 200 <= status < 300 and answer.get("sent") is True:
            return SendResult(gateway_message_id=str_or_none(answer.get("id")))
        code = "NOT_SENT" if 200 <= status < 300 else f"HTTP_{status}"
        raise PermanentError(reason, code=code)

    def build_signal(self, account: GatewayAccount, signal: SendSignal) -> HttpRequest | None:
        """``readChat`` marks the chat read (the SDKs' "chat read" method); chat-api has no
        typing indicator or reactions."""
        if signal.kind != "read":
            return None
        token = quote(account.api_key, safe="")
        return HttpRequest(method="POST",
                           url=f"{account.api_url.rstrip('/')}/readChat?token={token}",
                           headers={"Content-Type": "application/json"},
                           json={"chatId": signal.chat.send_to})

    def interpret_signal(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        if is_retryable_status(status):
            raise RetryableError(f"chat-api answered HTTP {status}", code=f"HTTP_{status}",
                                 retry_after=retry_after(headers, None))
        if not 200 <= status < 300:
            raise PermanentError(f"chat-api refused readChat (HTTP {status})",
                                 code=f"HTTP_{status}")




CHAT_API = ChatApiProvider()
