"""Meta WhatsApp Cloud API (Graph API): signed webhooks, the GET handshake, sends and media.

Facts and their confidence are in the project's Meta reference (part A); the failures peers
shipped (part C) are what the comments below guard against.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

import msgspec

from shared.domain.templates import Template
from shared.errors import BadPayload, PermanentError
from shared.events import MediaRef, Message, SendMessage, SendSignal
from shared.providers.base import (
    Capabilities,
    GatewayAccount,
    HttpRequest,
    OutboundMedia,
    ParsedWebhook,
    SendResult,
)
from shared.providers.common import SingleNumber
from shared.providers.http_answer import header, json_object, str_or_none
from shared.providers.meta_cloud_errors import raise_for_answer
from shared.providers.meta_cloud_events import (
    NAME,
    echo_event,
    message_event,
    status_event,
    template_event,
)
from shared.providers.meta_cloud_schema import (
    OBJECT,
    Notification,
    TemplateUpdate,
    Value,
)
from shared.providers.meta_cloud_send import message_body, signal_body
from shared.providers.multipart import form_data
from shared.providers.templates_listing import meta_templates

WINDOW = timedelta(hours=24)
SIGNATURE_HEADER = "X-Hub-Signature-256"

SignatureState = Literal["ok", "missing", "wrong"]

_notification_decoder = msgspec.json.Decoder(Notification)
_value_decoder = msgspec.json.Decoder(Value)
_template_decoder = msgspec.json.Decoder(TemplateUpdate)


def signature_state(
    account: GatewayAccount, headers: Mapping[str, str], body: bytes
) -> SignatureState:
    """Whether ``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body under the app secret.

    The ingest answers "missing" with 401 and "wrong" with 403, like pywa. Without a configured
    app secret every signature is "wrong": validation is never silently switched off.
    """
    given = header(headers, SIGNATURE_HEADER)
    if not given:
        return "missing"
    if not account.app_secret or not given.startswith("sha256="):
        return "wrong"
    expected = hmac.new(account.app_secret.encode(), body, hashlib.sha256).hexdigest()
    matches = hmac.compare_digest(given.removeprefix("sha256=").lower().encode(), expected.encode())
    return "ok" if matches else "wrong"


def window_open(last_inbound_at: datetime | None, now: datetime) -> bool:
    """True while the customer-service window of the customer's last message is open (24 h).

    ``last_inbound_at`` is Meta's ``timestamp`` of that message, not when we received it.
    """
    return last_inbound_at is not None and now - last_inbound_at < WINDOW


class MetaCloudProvider(SingleNumber):
    """The Meta Cloud API dialect of ``shared.providers.base.Provider``."""

    name = NAME
    capabilities = Capabilities(
        groups=False, templates=True, window_24h=True, upload_before_send=True,
        caption_with_media=True, edits_in=True, deletions_in=True, reactions_in=True,
        reactions_out=True, read_marks=True, typing=True,
    )

    def verify_webhook(
        self, account: GatewayAccount, path_token: str, headers: Mapping[str, str], body: bytes
    ) -> bool:
        """True only for a correct ``X-Hub-Signature-256``; the path token is only routing."""
        return signature_state(account, headers, body) == "ok"

    def refusal_status(self, account: GatewayAccount, headers: Mapping[str, str],
                       body: bytes) -> int:
        """401 without a signature, 403 with a wrong one."""
        return 401 if signature_state(account, headers, body) == "missing" else 403

    def answer_verification(
        self, account: GatewayAccount, query: Mapping[str, str]
    ) -> str | None:
        """``hub.challenge`` when ``hub.mode`` is subscribe and the verify token matches."""
        expected = account.verify_token.encode()
        given = query.get("hub.verify_token", "").encode()
        challenge = query.get("hub.challenge", "")
        if query.get("hub.mode") != "subscribe" or not expected or not challenge:
            return None
        return challenge if hmac.compare_digest(given, expected) else None

    def parse_webhook(
        self, body: bytes, *, received_at: datetime, account: GatewayAccount
    ) -> ParsedWebhook:
        """Every message and status of every change of every entry, in delivery order."""
        try:
            notification = _notification_decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise BadPayload(f"invalid Meta webhook: {exc}") from exc
        if notification.object != OBJECT:
            raise BadPayload(
                f"invalid Meta webhook: `object` is {notification.object!r}, expected {OBJECT!r}"
            )
        events: list[Message] = []
        ignored: list[str] = []
        for e, entry in enumerate(notification.entry):
            for c, change in enumerate(entry.changes):
                path = f"$.entry[{e}].changes[{c}]"
                reader = _FIELDS.get(change.field)
                if reader is None:
                    ignored.append(f"{path}:{change.field}")
                    continue
                reader(_Change(change.field, change.value, path, entry.id or "", account,
                               received_at, events, ignored))
        return ParsedWebhook(events=events, ignored=ignored)

    def build_send(
        self, account: GatewayAccount, command: SendMessage, media: OutboundMedia | None
    ) -> HttpRequest:
        """``POST {api_url}/{phone_number_id}/messages``: text, one file (by id) or a template."""
        return HttpRequest(
            method="POST",
            url=f"{_base(account)}/{_sender(account, command)}/messages",
            headers=_auth(account) | {"Content-Type": "application/json"},
            json=message_body(command, media),
        )

    def interpret_send(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> SendResult:
        """``messages[0].id`` on success; rate limits retry, 131047 and the rest are permanent."""
        answer = json_object(body)
        raise_for_answer(status, answer, headers)
        messages = answer.get("messages")
        first = messages[0] if isinstance(messages, list) and messages else None
        wamid = str_or_none(first.get("id")) if isinstance(first, dict) else None
        return SendResult(gateway_message_id=wamid)

    def build_signal(self, account: GatewayAccount, signal: SendSignal) -> HttpRequest | None:
        """Read marks and the typing indicator (``status: read``) and reactions, all through
        ``POST {api_url}/{phone_number_id}/messages``."""
        sender = account.sender_id or signal.chat.channel_id
        return HttpRequest(method="POST", url=f"{_base(account)}/{sender}/messages",
                           headers=_auth(account) | {"Content-Type": "application/json"},
                           json=signal_body(signal))

    def interpret_signal(self, status: int, body: bytes, headers: Mapping[str, str]) -> None:
        raise_for_answer(status, json_object(body), headers)

    def build_template_list(self, account: GatewayAccount) -> HttpRequest | None:
        """``GET {api_url}/{waba_id}/message_templates``; None without the account id."""
        if not account.account_id:
            return None
        fields = "name,language,status,category,components,rejected_reason"
        return HttpRequest(method="GET", headers=_auth(account),
                           url=f"{_base(account)}/{account.account_id}/message_templates"
                               f"?fields={fields}&limit=250")

    def interpret_template_list(self, status: int, body: bytes, headers: Mapping[str, str],
                                connection: str, now: datetime) -> list[Template]:
        answer = json_object(body)
        raise_for_answer(status, answer, headers)
        return meta_templates(answer, connection, now)

    def build_media_upload(
        self, account: GatewayAccount, media: OutboundMedia, content: bytes
    ) -> HttpRequest | None:
        """``POST {api_url}/{phone_number_id}/media`` as multipart/form-data."""
        sender = account.sender_id or account.channel_id
        body, content_type = form_data(
            {"messaging_product": "whatsapp", "type": media.mime_type},
            file_field="file", file_name=media.file_name, mime_type=media.mime_type,
            content=content,
        )
        return HttpRequest(
            method="POST", url=f"{_base(account)}/{sender}/media",
            headers=_auth(account) | {"Content-Type": content_type}, body=body,
        )

    def interpret_media_upload(
        self, status: int, body: bytes, headers: Mapping[str, str]
    ) -> str:
        """The uploaded file's media id."""
        answer = json_object(body)
        raise_for_answer(status, answer, headers)
        media_id = answer.get("id")
        if isinstance(media_id, int | str) and not isinstance(media_id, bool) and str(media_id):
            return str(media_id)
        raise PermanentError("Meta accepted the upload but returned no media id", code="NO_ID")

    def build_media_fetch(self, account: GatewayAccount, media: MediaRef) -> HttpRequest:
        """The URL lookup by media id, or the download of a looked-up URL (both need the token)."""
        if media.url:
            return HttpRequest(method="GET", url=media.url, headers=_auth(account))
        if media.media_id:
            url = f"{_base(account)}/{media.media_id}"
            return HttpRequest(method="GET", url=url, headers=_auth(account))
        raise PermanentError("a Meta file has neither a media id nor a URL", code="NO_MEDIA")

    def interpret_media_fetch(
        self, status: int, body: bytes, headers: Mapping[str, str], media: MediaRef
    ) -> MediaRef | None:
        """The lookup's answer as the MediaRef to download next; None once ``body`` is the file."""
        if media.url:
            raise_for_answer(status, json_object(body), headers)
            return None
        answer = json_object(body)
        raise_for_answer(status, answer, headers)
        url = str_or_none(answer.get("url"))
        if url is None:
            raise PermanentError("Meta's media lookup returned no URL", code="NO_MEDIA_URL")
        size = answer.get("file_size")
        return MediaRef(
            url=url, media_id=media.media_id, file_name=media.file_name,
            mime_type=str_or_none(answer.get("mime_type")) or media.mime_type,
            size=int(size) if isinstance(size, int | str) and str(size).isdigit() else None,
        )


META = MetaCloudProvider()


class _Change(NamedTuple):
    """One change of a notification, and where its events and ignored parts go."""

    field: str
    raw: msgspec.Raw
    path: str
    account_id: str
    account: GatewayAccount
    received_at: datetime
    events: list[Message]
    ignored: list[str]


def _messages(change: _Change) -> None:
    value = _value(change.raw, change.path)
    change.events.extend(message_event(m, value, change.account, change.received_at)
                         for m in value.messages)
    change.events.extend(status_event(s, value, change.received_at) for s in value.statuses)
    if value.errors:
        change.ignored.append(f"{change.path}.value.errors")


def _echoes(change: _Change) -> None:
    value = _value(change.raw, change.path)
    change.events.extend(echo_event(m, value, change.account, change.received_at)
                         for m in value.message_echoes)


def _template(change: _Change) -> None:
    try:
        update = _template_decoder.decode(change.raw)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadPayload(f"invalid Meta webhook at {change.path}.value: {exc}") from exc
    change.events.append(template_event(update, change.field, change.account_id,
                                        change.received_at))


# webhook fields we read, each to its reader; others are accepted and named as ignored
_FIELDS: dict[str, Callable[[_Change], None]] = {
    "messages": _messages,
    "smb_message_echoes": _echoes,
    "message_template_status_update": _template,
    "template_category_update": _template,
}


def _value(raw: msgspec.Raw, path: str) -> Value:
    try:
        return _value_decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise BadPayload(f"invalid Meta webhook at {path}.value: {exc}") from exc


def _base(account: GatewayAccount) -> str:
    return account.api_url.rstrip("/")


def _sender(account: GatewayAccount, command: SendMessage) -> str:
    # The phone-number id; a chat's channel id is that id unless the account renames channels.
    return account.sender_id or command.chat.channel_id


def _auth(account: GatewayAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.api_key}"}

