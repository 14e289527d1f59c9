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
from shared.domain.sends import SendRecord
from shared.providers.base import HttpRequest


class SendLedger(Protocol):
    """One record per send command, leased while a consumer attempts it."""

    async def begin(self, cmd: events.SendMessage, now: datetime, owner: str) -> SendRecord:
        """The send's record, claimed by ``owner``; ``RetryableError`` while another holds it."""
        ...

    async def release(self, send_id: str, owner: str) -> None:
        """Give up ``owner``'s claim after a retryable failure."""
        ...

    async def mark_sent(self, send_id: str, gateway_message_id: str | None,
                        now: datetime) -> None: ...

    async def mark_failed(self, send_id: str, reason: str) -> None:
        """Record a final failure of a send still being attempted (a sent one stays sent)."""
        ...

    async def reopen(self, send_id: str) -> None:
        """Let a failed send be tried again (an operator replayed it)."""
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
