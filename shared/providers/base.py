"""The contract every gateway module implements, and the types that cross it.

Provider modules are pure: they turn a webhook body into our events, build the HTTP request of a
send, and interpret the gateway's answer. The services do the I/O (aiohttp) around them, so every
mapping is testable on captured payloads and nothing outside ``shared/providers`` knows a
gateway's field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import msgspec

from shared.events import Event, SendMessage


class ParsedWebhook(msgspec.Struct, frozen=True, kw_only=True):
    """What one webhook delivery means.

    ``events`` are published before the gateway gets its answer; ``reply`` is the JSON body to
    answer with (``None`` means a plain ``{"ok": true}``); ``ignored`` names parts we accepted
    but do not act on, for the log.
    """

    events: list[Event]
    reply: dict[str, Any] | None = None
    ignored: list[str] = []
    is_probe: bool = False


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    """An HTTP call a service should make on a provider's behalf."""

    method: str
    url: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    """A send the gateway accepted. ``gateway_message_id`` is None when the gateway told us it had
    already accepted this send earlier (idempotency refusal) without repeating the id."""

    gateway_message_id: str | None
    already_sent: bool = False


class GatewayAccount(msgspec.Struct, frozen=True, kw_only=True):
    """Credentials and addresses of one gateway account."""

    api_url: str
    api_key: str
    webhook_token: str


class Provider(Protocol):
    """One gateway dialect."""

    name: str

    def verify_webhook(
        self, account: GatewayAccount, path_token: str, headers: Mapping[str, str]
    ) -> bool:
        """True when the call carries this account's secret (constant-time comparison)."""
        ...

    def parse_webhook(self, body: bytes, *, received_at: datetime) -> ParsedWebhook:
        """Every item of the delivery as events; raises ``BadPayload`` with a reason."""
        ...

    def build_send(self, account: GatewayAccount, command: SendMessage) -> HttpRequest:
        """The HTTP request that performs ``command``."""
        ...

    def interpret_send(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> SendResult:
        """Map the gateway's answer to a result, or raise ``RetryableError``/``PermanentError``."""
        ...
