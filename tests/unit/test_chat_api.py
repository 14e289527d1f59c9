"""The chat-api.com dialect: URL token, the parser on fixtures, sendMessage/sendFile, media."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.errors import BadPayload, PermanentError, RetryableError
from shared.events import ChatRef, MediaRef, MessageReceived, SendMessage, StatusUpdated
from shared.providers import get_provider
from shared.providers.base import GatewayAccount, OutboundMedia, ParsedWebhook, SendResult
from shared.providers.chat_api import CHAT_API

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "chat_api"
RECEIVED_AT = datetime(2021, 12, 7, 12, 0, tzinfo=UTC)
ACCOUNT = GatewayAccount(api_url="https://eu21.chat-api.com/instance229607/",
                         api_key="tok/en+1", webhook_token="hook-secret")
CHAT = ChatRef(provider="chat_api", channel_id="229607", chat_type="whatsapp",
               chat_id="34600111222@c.us")
S3 = "https://s3.eu-central-1.wasabisys.com/incoming-chat-api/2021/12/7/229607/"


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def parse(body: bytes, account: GatewayAccount = ACCOUNT) -> ParsedWebhook:
    return CHAT_API.parse_webhook(body, received_at=RECEIVED_AT, account=account)


def only_message(name: str) -> MessageReceived:
    [event] = parse(fixture(name)).events
    assert isinstance(event, MessageReceived)
    return event


def command(**overrides: object) -> SendMessage:
    fields: dict[str, object] = {
        "id": "send-1", "correlation_id": "c-1", "occurred_at": RECEIVED_AT, "chat": CHAT,
        "task_id": "T-1", "comment_id": "cm-1", "text": "Ticket opened",
    }
    fields.update(overrides)
    return SendMessage(**fields)  # type: ignore[arg-type]


# ---- registry, verification ------------------------------------------------------------------


def test_registry_serves_chat_api_with_its_capabilities() -> None:
    assert get_provider("chat_api") is CHAT_API
    caps = CHAT_API.capabilities
    assert (caps.groups, caps.templates, caps.caption_with_media) == (True, False, True)


def test_right_path_token_verifies_and_a_wrong_or_missing_one_does_not() -> None:
    assert CHAT_API.verify_webhook(ACCOUNT, "hook-secret", {}, b"{}")
    assert not CHAT_API.verify_webhook(ACCOUNT, "hook-secreT", {}, b"{}")
    assert not CHAT_API.verify_webhook(ACCOUNT, "", {}, b"{}")


def test_empty_configured_token_never_matches() -> None:
    account = GatewayAccount(api_url="https://x", api_key="k", webhook_token="")
    assert not CHAT_API.verify_webhook(account, "", {}, b"{}")


def test_chat_api_has_no_get_handshake() -> None:
    assert CHAT_API.answer_verification(ACCOUNT, {"hub.challenge": "1"}) is None


# ---- messages --------------------------------------------------------------------------------


def test_text_message_maps_every_field() -> None:
    event = only_message("message_chat")
    assert event.chat == ChatRef(provider="chat_api", channel_id="229607",
                                 chat_type="whatsapp", chat_id="34600111222@c.us")
    assert event.gateway_message_id == "false_34600111222@c.us_3EB0A1B2C301"
    assert (event.content_type, event.raw_type, event.text) == ("text", "chat", "hola, ¿mi pedido?")
    assert (event.contact_phone, event.contact_name) == ("34600111222", "Ana")
    assert event.sent_at == datetime.fromtimestamp(1638829630, tz=UTC)
    assert not event.is_echo and event.media is None and event.quoted_gateway_message_id is None


def test_configured_channel_overrides_the_instance_id() -> None:
    account = GatewayAccount(api_url="https://x", api_key="k", webhook_token="t", channel_id="ca")
    [event] = parse(fixture("message_chat"), account).events
    assert isinstance(event, MessageReceived) and event.chat.channel_id == "ca"


@pytest.mark.parametrize(
    ("name", "content_type", "text", "file_name"),
    [
        ("message_image", "image", "la caja rota", "7a1b2c3d-photo.jpeg"),
        ("message_ptt", "audio", "", "5e6f7a8b.oga"),
        ("message_audio", "audio", "", "song.mp3"),
        ("message_video", "video", "the leak", "leak.mp4"),
        ("message_document", "document", "Invoice 4411.pdf", "Invoice 4411.pdf"),
    ],
)
def test_media_body_is_the_url_and_caption_the_text(
    name: str, content_type: str, text: str, file_name: str
) -> None:
    event = only_message(name)
    assert (event.content_type, event.text) == (content_type, text)
    assert event.media is not None and event.media.url == event.content_uri
    assert event.content_uri is not None and event.content_uri.startswith(S3)
    assert event.media.file_name == file_name


def test_image_media_ref_guesses_the_mime_type_from_the_name() -> None:
    media = only_message("message_image").media
    assert media == MediaRef(url=S3 + "7a1b2c3d-photo.jpeg", file_name="7a1b2c3d-photo.jpeg",
                             mime_type="image/jpeg")


def test_location_is_geo_with_the_coordinates_as_text() -> None:
    event = only_message("message_location")
    assert (event.content_type, event.text, event.media) == ("geo", "40.4168;-3.7038", None)


def test_vcard_keeps_the_card_text() -> None:
    event = only_message("message_vcard")
    assert event.content_type == "vcard" and "FN:Luis García" in event.text


def test_unknown_type_is_unsupported_with_raw_type() -> None:
    event = only_message("message_call_log")
    assert (event.content_type, event.raw_type) == ("unsupported", "call_log")


def test_quoted_message_id_is_the_quoted_gateway_message() -> None:
    event = only_message("message_quoted")
    assert event.quoted_gateway_message_id == "true_34600111222@c.us_3EB0FFEE01"


def test_from_me_is_an_echo() -> None:
    assert only_message("message_echo").is_echo


def test_group_message_names_the_participant_from_author() -> None:
    event = only_message("message_group")
    assert (event.chat.chat_type, event.chat.chat_id) == (
        "whatsgroup", "17680561234-1479621234@g.us"
    )
    assert (event.participant_id, event.participant_phone, event.participant_name) == (
        "79012345678@c.us", "79012345678", "Olga"
    )
    assert (event.contact_phone, event.contact_name) == (None, "House 12 residents")


# ---- acks, batches, shapes -------------------------------------------------------------------


def test_acks_are_statuses_with_viewed_as_read() -> None:
    events = parse(fixture("ack")).events
    statuses = [e for e in events if isinstance(e, StatusUpdated)]
    assert len(statuses) == len(events) == 3
    assert [s.status for s in statuses] == ["sent", "delivered", "read"]
    assert {(s.provider, s.channel_id, s.chat_id) for s in statuses} == {
        ("chat_api", "229607", "34600111222@c.us")
    }
    assert len({s.id for s in statuses}) == 3


def test_batch_yields_every_message_then_every_ack_and_ignores_chat_updates() -> None:
    parsed = parse(fixture("batch_mixed"))
    kinds = [type(e) for e in parsed.events]
    assert kinds == [MessageReceived] * 3 + [StatusUpdated]
    assert parsed.ignored == ["chatUpdate"]


def test_redelivery_yields_the_same_ids() -> None:
    first = [e.id for e in parse(fixture("batch_mixed")).events]
    again = CHAT_API.parse_webhook(fixture("batch_mixed"), received_at=datetime.now(UTC),
                                   account=ACCOUNT)
    assert first == [e.id for e in again.events]


@pytest.mark.parametrize("body", [b"", b"nope", b"[]"])
def test_non_json_body_is_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayload, match="invalid chat-api webhook"):
        parse(body)


def test_message_without_chat_id_is_bad_payload_naming_it() -> None:
    body = fixture("message_chat").replace(b'"chatId"', b'"chat"')
    with pytest.raises(BadPayload, match=r"`chatId`.*\$\.messages\[0\]"):
        parse(body)


def test_messages_without_instance_or_channel_are_bad_payload() -> None:
    body = fixture("message_chat").replace(b'"instanceId": "229607",', b"")
    with pytest.raises(BadPayload, match="instanceId"):
        parse(body)


# ---- sending ---------------------------------------------------------------------------------


def test_text_goes_to_send_message_with_the_token_in_the_query() -> None:
    request = CHAT_API.build_send(ACCOUNT, command(), None)
    assert (request.method, request.url) == (
        "POST", "https://eu21.chat-api.com/instance229607/sendMessage?token=tok%2Fen%2B1"
    )
    assert request.json == {"chatId": "34600111222@c.us", "body": "Ticket opened"}
    assert "Authorization" not in request.headers


def test_reply_adds_quoted_msg_id() -> None:
    request = CHAT_API.build_send(ACCOUNT, command(reply_to_gateway_message_id="false_x_1"), None)
    assert request.json is not None and request.json["quotedMsgId"] == "false_x_1"


def test_file_goes_to_send_file_with_url_name_and_caption() -> None:
    media = OutboundMedia(file_name="act.pdf", mime_type="application/pdf",
                          url="https://bridge.example/f/1")
    request = CHAT_API.build_send(ACCOUNT, command(text="the act"), media)
    assert request.url.startswith("https://eu21.chat-api.com/instance229607/sendFile?token=")
    assert request.json == {"chatId": "34600111222@c.us", "body": "https://bridge.example/f/1",
                            "filename": "act.pdf", "caption": "the act"}


def test_templates_are_refused() -> None:
    with pytest.raises(PermanentError):
        CHAT_API.build_send(ACCOUNT, command(template_id="hello"), None)


def test_sent_true_returns_the_id() -> None:
    body = (b'{"sent": true, "message": "Sent to 34600111222@c.us", '
            b'"id": "true_34600111222@c.us_3EB0"}')
    result = CHAT_API.interpret_send(200, body, {})
    assert result == SendResult(gateway_message_id="true_34600111222@c.us_3EB0")


def test_sent_false_is_permanent_with_the_message() -> None:
    with pytest.raises(PermanentError) as caught:
        CHAT_API.interpret_send(200, b'{"sent": false, "message": "Wrong chatId"}', {})
    assert (caught.value.code, caught.value.reason) == ("NOT_SENT", "Wrong chatId")


@pytest.mark.parametrize("status", [429, 500, 502])
def test_429_and_5xx_are_retryable(status: int) -> None:
    with pytest.raises(RetryableError):
        CHAT_API.interpret_send(status, b"", {})


def test_wrong_token_is_permanent() -> None:
    with pytest.raises(PermanentError) as caught:
        CHAT_API.interpret_send(401, b'{"error": "Wrong token"}', {})
    assert caught.value.code == "HTTP_401" and "Wrong token" in caught.value.reason


# ---- media -----------------------------------------------------------------------------------


def test_no_upload_and_a_plain_get_to_fetch() -> None:
    media = OutboundMedia(file_name="a.jpg", mime_type="image/jpeg", url="https://x/a.jpg")
    assert CHAT_API.build_media_upload(ACCOUNT, media, b"x") is None
    request = CHAT_API.build_media_fetch(ACCOUNT, MediaRef(url=S3 + "a.jpg"))
    assert (request.method, request.url, request.headers) == ("GET", S3 + "a.jpg", {})


def test_media_fetch_200_means_the_body_is_the_file() -> None:
    assert CHAT_API.interpret_media_fetch(200, b"jpeg", {}, MediaRef(url=S3 + "a.jpg")) is None


def test_media_fetch_503_is_retryable() -> None:
    with pytest.raises(RetryableError):
        CHAT_API.interpret_media_fetch(503, b"", {}, MediaRef(url=S3 + "a.jpg"))


def test_media_fetch_403_is_permanent() -> None:
    with pytest.raises(PermanentError):
        CHAT_API.interpret_media_fetch(403, b"", {}, MediaRef(url=S3 + "a.jpg"))
