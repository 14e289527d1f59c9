"""Behaviour several gateways share: the envelope of an event made from a gateway item, and, as
mixins of the ``Provider`` Protocol, files fetched and sent by plain URL (Wazzup, chat-api) and
connections that are one number (Meta, chat-api)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TypedDict, TypeVar

import msgspec

from shared.domain.templates import Template
from shared.errors import BadPayload, PermanentError
from shared.events import ChannelUpdated, MediaRef, SendSignal, derive_id
from shared.providers.base import GatewayAccount, HttpRequest, OutboundMedia
from shared.providers.http_answer import interpret_file_download

T = TypeVar("T")


_keys_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])


class EnvelopeFields(TypedDict):
    """The ``Envelope`` fields of an event, to unpack into its constructor."""

    id: str
    correlation_id: str
    occurred_at: datetime


def gateway_envelope(received_at: datetime, *id_parts: str,
                     correlation_id: str | None = None) -> EnvelopeFields:
    """The envelope of an event made from a gateway item: its id derived from ``id_parts``, so a
    redelivered item yields the same event, and it starts its own correlation unless told."""
    event_id = derive_id(*id_parts)
    correlation = event_id if correlation_id is None else correlation_id
    return {"id": event_id, "correlation_id": correlation, "occurred_at": received_at}


def decode_delivery(body: bytes, decoder: msgspec.json.Decoder[T], gateway: str
                    ) -> tuple[list[str], T]:
    """A webhook body's top-level keys (to report the ignored ones) and its typed content;
    ``BadPayload`` keeps msgspec's path to the faulty field (``$.messages[0].chatId``)."""
    try:
        return list(_keys_decoder.decode(body)), decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadPayload(f"invalid {gateway} webhook: {exc}") from exc


class UrlMedia:
    """The gateway fetches our files from a URL and serves its own without credentials."""

    display_name = "the gateway"

    def build_media_upload(
        self, account: GatewayAccount, media: OutboundMedia, content: bytes
    ) -> HttpRequest | None:
        """None: the gateway fetches the file from the signed URL itself."""
        return None

    def interpret_media_upload(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> str:
        raise PermanentError(f"{self.display_name} has no media upload; send the file by URL",
                             code="NO_UPLOAD")

    def build_media_fetch(self, account: GatewayAccount, media: MediaRef) -> HttpRequest:
        """A plain GET of the file URL the webhook carried."""
        if not media.url:
            raise PermanentError(f"a {self.display_name} file has no URL to fetch",
                                 code="NO_MEDIA_URL")
        return HttpRequest(method="GET", url=media.url, headers={})

    def interpret_media_fetch(
        self, status: int, body: bytes, headers: Mapping[str, str], media: MediaRef
    ) -> MediaRef | None:
        """None on 2xx (the body is the file); Retryable on 408/429/5xx; Permanent otherwise."""
        interpret_file_download(self.display_name, status, headers)
        return None


class SingleNumber:
    """The connection is one number; the gateway does not list channel states."""

    def build_channel_list(self, account: GatewayAccount) -> HttpRequest | None:
        return None

    def interpret_channel_list(
        self, status: int, body: bytes, headers: Mapping[str, str], received_at: datetime
    ) -> list[ChannelUpdated]:
        return []


class NoSignals:
    """The gateway has no read marks, typing indicator or reactions to send."""

    def build_signal(self, account: GatewayAccount, signal: SendSignal) -> HttpRequest | None:
        return None

    def interpret_signal(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        return None


class NoTemplates:
    """The gateway has no template list."""

    def build_template_list(self, account: GatewayAccount) -> HttpRequest | None:
        return None

    def interpret_template_list(self, status: int, body: bytes, headers: Mapping[str, str],
                                connection: str, now: datetime) -> list[Template]:
        return []
