"""The contract every gateway module implements, and the types that cross it.

Provider modules are pure: they turn a webhook body into our events, build the HTTP requests of
sends and media transfers, and interpret the gateway's answers. The services do the I/O
(aiohttp) around them, so every mapping is testable on captured payloads and nothing outside
``shared/providers`` knows a gateway's field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

import msgspec

from shared.domain.templates import Template
from shared.events import ChannelUpdated, MediaRef, Message, SendMessage, SendSignal
from shared.providers.contact_requests import ContactRequest


class ParsedWebhook(msgspec.Struct, frozen=True, kw_only=True):
    """What one webhook delivery means.

    ``events`` are published before the gateway gets its answer; ``reply`` is the JSON body to
    answer with (``None`` means a plain ``{"ok": true}``); ``ignored`` names parts we accepted
    but do not act on, for the log; ``contact_request``: the reply is a new contact, unless the
    directory already has one for those phones (``contact_requests.answered_with``).
    """

    events: list[Message]
    reply: dict[str, Any] | None = None
    ignored: list[str] = []
    is_probe: bool = False
    contact_request: ContactRequest | None = None


class HttpRequest(msgspec.Struct, frozen=True, kw_only=True):
    """An HTTP call a service should make on a provider's behalf (``json`` or raw ``body``)."""

    method: str
    url: str
    headers: dict[str, str]
    json: dict[str, Any] | None = None
    body: bytes | None = None


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    """A send the gateway accepted. ``gateway_message_id`` is None when the gateway told us it had
    already accepted this send earlier (idempotency refusal) without repeating the id."""

    gateway_message_id: str | None
    already_sent: bool = False


class OutboundMedia(msgspec.Struct, frozen=True, kw_only=True):
    """A file to send: a short-lived public URL we serve, and/or the gateway's media id after an
    upload (Meta), with its name and type."""

    file_name: str
    mime_type: str
    url: str | None = None
    media_id: str | None = None


class Capabilities(msgspec.Struct, frozen=True, kw_only=True):
    """What a gateway supports, for the README table and for refusing early."""

    media_in: bool = True
    media_out: bool = True
    quotes: bool = True
    statuses: bool = True
    groups: bool = False
    templates: bool = False
    window_24h: bool = False
    upload_before_send: bool = False
    caption_with_media: bool = False
    # what the gateway carries besides messages (the README's gateway table)
    edits_in: bool = False
    deletions_in: bool = False
    reactions_in: bool = False
    reactions_out: bool = False
    read_marks: bool = False
    typing: bool = False
    # how long the gateway refuses a repeat of a send carrying our send id (0: it has no such
    # key, so a repeat after an unanswered attempt may reach the customer twice)
    send_dedupe_window_s: float = 0.0


class GatewayAccount(msgspec.Struct, frozen=True, kw_only=True):
    """Credentials and addresses of one gateway connection (a configured channel).

    ``api_key`` is the bearer key (Wazzup), access token (Meta) or instance token (chat-api);
    ``webhook_token`` is the secret in our webhook URL; ``app_secret`` signs Meta webhooks and
    ``verify_token`` answers Meta's GET handshake; ``sender_id`` is Meta's phone-number id or the
    chat-api instance id.
    """

    api_url: str
    api_key: str
    webhook_token: str
    channel_id: str = ""
    app_secret: str = ""
    verify_token: str = ""
    sender_id: str = ""
    account_id: str = ""  # Meta's WhatsApp Business Account id (its templates live there)


class Provider(Protocol):
    """One gateway dialect."""

    name: str
    capabilities: Capabilities

    def verify_webhook(
        self, account: GatewayAccount, path_token: str, headers: Mapping[str, str], body: bytes
    ) -> bool:
        """True when the call carries this account's secret (constant-time comparisons)."""
        ...

    def refusal_status(self, account: GatewayAccount, headers: Mapping[str, str],
                       body: bytes) -> int:
        """The HTTP status for a call ``verify_webhook`` refused: 401 when credentials are
        missing, 403 when they are present but wrong."""
        ...

    def answer_verification(
        self, account: GatewayAccount, query: Mapping[str, str]
    ) -> str | None:
        """The body to answer a GET subscription handshake with, or None to refuse it."""
        ...

    def parse_webhook(
        self, body: bytes, *, received_at: datetime, account: GatewayAccount
    ) -> ParsedWebhook:
        """Every item of the delivery as events; raises ``BadPayload`` with a reason."""
        ...

    def build_send(
        self, account: GatewayAccount, command: SendMessage, media: OutboundMedia | None
    ) -> HttpRequest:
        """The HTTP request that performs ``command`` (one gateway message). A command carries
        text or one file (plus a caption where ``caption_with_media``), or a template."""
        ...

    def interpret_send(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> SendResult:
        """Map the gateway's answer to a result, or raise ``RetryableError``/``PermanentError``."""
        ...

    def build_media_upload(
        self, account: GatewayAccount, media: OutboundMedia, content: bytes
    ) -> HttpRequest | None:
        """An upload to perform before sending (Meta), or None when the gateway fetches URLs."""
        ...

    def interpret_media_upload(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> str:
        """The gateway's media id from an upload answer (raises like ``interpret_send``)."""
        ...

    def build_channel_list(self, account: GatewayAccount) -> HttpRequest | None:
        """A request listing the account's channels and their states, or None if there is
        no such route (the connection itself is the one channel)."""
        ...

    def interpret_channel_list(
        self, status: int, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> list[ChannelUpdated]:
        """The channels' states (and transports) as events; raises like ``interpret_send``."""
        ...

    def build_media_fetch(self, account: GatewayAccount, media: MediaRef) -> HttpRequest:
        """The first request to fetch an inbound file (Meta: look the URL up by media id)."""
        ...

    def interpret_media_fetch(
        self, status: int, body: bytes, headers: Mapping[str, str], media: MediaRef
    ) -> MediaRef | None:
        """A further MediaRef to download (Meta's lookup answer), or None when ``body`` is
        already the file; raises ``RetryableError``/``PermanentError`` on failure."""
        ...

    def build_signal(self, account: GatewayAccount, signal: SendSignal) -> HttpRequest | None:
        """The request of a read mark, typing indicator or reaction; None where the gateway
        has no such thing."""
        ...

    def interpret_signal(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise ``RetryableError``/``PermanentError`` unless the gateway took the signal."""
        ...

    def build_template_list(self, account: GatewayAccount) -> HttpRequest | None:
        """The request listing the account's message templates; None where there is none."""
        ...

    def interpret_template_list(self, status: int, body: bytes, headers: Mapping[str, str],
                                connection: str, now: datetime) -> list[Template]:
        """The templates of a listing answer; raises like ``interpret_send``."""
        ...
