"""The shape of a chat-api.com webhook POST, as msgspec Structs (field names are chat-api's)."""

from __future__ import annotations

from typing import Any

import msgspec


class Message(msgspec.Struct, kw_only=True):
    id: str
    chatId: str
    # A type chat-api adds later must still reach the chat as "unsupported".
    type: str = "unknown"
    # The text, or the file's download URL for media, or "lat;lon" for a location.
    body: str | None = None
    caption: str | None = None
    fromMe: bool = False
    author: str | None = None
    senderName: str | None = None
    chatName: str | None = None
    # Epoch seconds; typed loosely so an odd value costs `sent_at`, not the delivery.
    time: Any = None
    quotedMsgId: str | None = None
    isForwarded: Any = None


class Ack(msgspec.Struct, kw_only=True):
    id: str
    status: str
    chatId: str | None = None
    queueNumber: Any = None


class Delivery(msgspec.Struct, kw_only=True):
    """One POST: ``messages``, ``ack`` (statuses) and ``chatUpdate`` may come in any mix."""

    instanceId: str | int | None = None
    messages: list[Message] = []
    ack: list[Ack] = []


HANDLED_KEYS = frozenset({"instanceId", "messages", "ack"})
