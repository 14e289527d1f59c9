"""What outbound-sender's handlers reach the world through: small Protocols, no I/O imports.

The real adapters live in ``shared/store`` (the ledger, files, channel states), ``gateway.py``
(HTTP) and ``shared/bus.py`` (publishing); ``tests/fakes/outbound_sender.py`` holds in-memory
fakes of the same Protocols.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from shared import events
from shared.domain.sends import Claim, Retry, SendRecord
from shared.providers.base import HttpRequest


class SendLedger(Protocol):
    """The sends, each in its chat's queue (``shared.domain.sends``): the head is attempted
    under a lease, then settled; results are reported until the bus confirmed them."""

    async def enqueue(self, commands: Sequence[events.SendMessage], now: datetime
                      ) -> dict[str, int]:
        """Put sends at the end of their chats' queues (one queued before keeps its place);
        the new ones' sequence numbers by send id."""
        ...

    async def requeue(self, cmd: events.SendMessage, now: datetime) -> bool:
        """Put a failed send at the end of its chat's queue again (an operator replayed it)."""
        ...

    async def fill(self, cmd: events.SendMessage) -> bool:
        """The text for a place kept in the queue; False if it no longer waits for it."""
        ...

    async def step_aside(self, send_id: str) -> bool:
        """A place kept for a text that did not come in time leaves the queue."""
        ...

    async def get(self, send_id: str) -> SendRecord | None: ...

    async def of_comment(self, comment_id: str) -> list[SendRecord]: ...

    async def head(self, chat_key: str) -> SendRecord | None:
        """The chat's open send with the lowest sequence number."""
        ...

    async def first(self, chat_key: str, n: int) -> list[SendRecord]:
        """The chat's open sends with the lowest sequence numbers, in order, at most ``n``."""
        ...

    async def claim(self, record: SendRecord, taken: Claim, now_ms: int) -> bool:
        """Take the head's lease; False when it changed since ``record`` was read."""
        ...

    async def claim_next(self, cmd: events.SendMessage, taken: Claim, now_ms: int
                         ) -> SendRecord | None:
        """Take the lease of ``cmd``'s send if it is untouched at its place ``cmd.seq``
        (the caller knows every earlier place is settled); the send as claimed, else None."""
        ...

    async def renew(self, send_id: str, owner: str, until_ms: int) -> bool: ...

    async def retry_later(self, send_id: str, owner: str, retry: Retry, code: str,
                          error: str) -> None: ...

    async def mark_sent(self, send_id: str, gateway_message_id: str | None,
                        now: datetime) -> None: ...

    async def mark_failed(self, send_id: str, code: str, reason: str, now: datetime) -> bool:
        """Settle an open send as failed for good (a sent one stays sent)."""
        ...

    async def mark_reported(self, send_ids: Sequence[str]) -> None: ...

    async def hold(self, chat_key: str, until_ms: int) -> None:
        """Nothing of the chat needs a wake before ``until_ms`` (its head waits till then)."""
        ...

    async def due(self, now_ms: int, limit: int = 200) -> list[SendRecord]: ...

    async def postpone(self, send_ids: Sequence[str], now_ms: int, until_ms: int) -> int: ...

    async def wake_channel(self, channel_id: str, now_ms: int) -> int: ...


class DeadLetters(Protocol):
    """Where a send that failed for good is kept for people (``wabridge dlq``)."""

    async def put(self, cmd: events.SendMessage, code: str, reason: str, attempts: int) -> None:
        ...


class FileFacts(Protocol):
    """What the sender reports of a stored file."""

    @property
    def file_name(self) -> str: ...

    @property
    def mime_type(self) -> str: ...

    @property
    def size(self) -> int: ...


class FileStore(Protocol):
    """Stored files: outbound attachments are read, inbound media are stored once."""

    async def read(self, file_id: str) -> bytes | None: ...

    async def describe(self, file_id: str) -> FileFacts | None: ...

    async def put(self, file_id: str, file_name: str, mime_type: str,
                  data: bytes) -> FileFacts: ...


class ChannelStateLookup(Protocol):
    """A company number's connection state as last reported (None: never reported)."""

    async def state(self, channel_id: str) -> str | None: ...


class GatewayResponse:
    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.status, self.body, self.headers = status, body, headers


class Gateway(Protocol):
    """HTTP calls to the gateways, rate-limited per connection, errors translated."""

    async def call(
        self, provider: str, connection: str, req: HttpRequest, *,
        max_bytes: int | None = None, timeout_s: float | None = None,
    ) -> GatewayResponse: ...


class Publisher(Protocol):
    """Publishing events with confirms."""

    async def publish(self, message: events.Message) -> None: ...

    async def publish_all(self, messages: Sequence[events.Message]) -> None: ...
