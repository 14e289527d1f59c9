"""The Wazzup webhook parser, driven by captured-style payloads in tests/fixtures/wazzup."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.errors import BadPayload
from shared.events import ChannelUpdated, CreateContact, MediaRef, MessageReceived, StatusUpdated
from shared.providers import get_provider
from shared.providers.base import GatewayAccount, ParsedWebhook
from shared.providers.wazzup import WAZZUP

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wazzup"
RECEIVED_AT = datetime(2025, 6, 2, 12, 0, 0, tzinfo=UTC)
ACCOUNT = GatewayAccount(
    api_url="https://api.wazzup24.com", api_key="k" * 32, webhook_token="s3cret-path-token"
)


def parse(body: bytes, received_at: datetime = RECEIVED_AT) -> ParsedWebhook:
    return WAZZUP.parse_webhook(body, received_at=received_at, account=ACCOUNT)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def only_message(name: str) -> MessageReceived:
    parsed = parse(fixture(name))
    assert len(parsed.events) == 1
    event = parsed.events[0]
    assert isinstance(event, MessageReceived)
    return event


# ---- registry and verification --------------------------------------------------------------


def test_registry_serves_wazzup_by_name() -> None:
    assert get_provider("wazzup") is WAZZUP


def test_right_path_token_verifies() -> None:
    assert WAZZUP.verify_webhook(ACCOUNT, "s3cret-path-token", {}, b"{}")


def test_wrong_path_token_is_refused() -> None:
    assert not WAZZUP.verify_webhook(ACCOUNT, "s3cret-path-tokeN", {}, b"{}")


def test_empty_configured_token_never_matches() -> None:
    account = GatewayAccount(api_url="https://x", api_key="k", webhook_token="")
    assert not WAZZUP.verify_webhook(account, "", {}, b"{}")


def test_bearer_header_equal_to_the_token_is_accepted() -> None:
    headers = {"Authorization": "Bearer s3cret-path-token"}
    assert WAZZUP.verify_webhook(ACCOUNT, "s3cret-path-token", headers, b"{}")


def test_bearer_header_with_another_value_is_refused_despite_the_right_path() -> None:
    headers = {"authorization": "Bearer something-else"}
    assert not WAZZUP.verify_webhook(ACCOUNT, "s3cret-path-token", headers, b"{}")


def test_wazzup_has_no_get_handshake() -> None:
    query = {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "x"}
    assert WAZZUP.answer_verification(ACCOUNT, query) is None


def test_capabilities_state_groups_and_templates_without_captions() -> None:
    caps = WAZZUP.capabilities
    assert (caps.groups, caps.templates, caps.window_24h, caps.caption_with_media) == (
        True, True, False, False
    )


# ---- messages --------------------------------------------------------------------------------


def test_text_message_maps_every_field() -> None:
    event = only_message("message_text")
    assert event.chat.provider == "wazzup"
    assert event.chat.channel_id == "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"
    assert event.chat.chat_type == "whatsapp"
    assert event.chat.chat_id == "79011112233"
    assert event.gateway_message_id == "c1d2e3f4-0000-4a1b-9c8d-112233445566"
    assert event.content_type == "text"
    assert event.raw_type == "text"
    assert event.text == "The pump on floor 3 is leaking"
    assert event.sent_at == datetime(2025, 6, 2, 9, 15, 7, 120000, tzinfo=UTC)
    assert event.occurred_at == RECEIVED_AT
    assert event.correlation_id == event.id
    assert event.contact_name == "Ivan Petrov"
    assert event.contact_phone == "79011112233"
    assert not event.is_echo and not event.is_edited and not event.is_deleted
    assert event.quoted_gateway_message_id is None


def test_same_delivery_twice_yields_the_same_ids() -> None:
    first = parse(fixture("batch_mixed"))
    second = parse(fixture("batch_mixed"), datetime.now(UTC))
    assert [e.id for e in first.events] == [e.id for e in second.events]


def test_batch_yields_every_item_messages_then_statuses_then_channels() -> None:
    parsed = parse(fixture("batch_mixed"))
    kinds = [type(e) for e in parsed.events]
    assert kinds == [MessageReceived] * 3 + [StatusUpdated] * 2 + [ChannelUpdated]
    messages = [e for e in parsed.events if isinstance(e, MessageReceived)]
    assert [m.gateway_message_id[:8] for m in messages] == ["0a6f3c1e", "1b7a4d2f", "2c8b5e3a"]
    statuses = [e for e in parsed.events if isinstance(e, StatusUpdated)]
    assert [s.status for s in statuses] == ["delivered", "read"]
    assert parsed.ignored == [] and not parsed.is_probe


def test_batch_event_ids_are_all_distinct() -> None:
    parsed = parse(fixture("batch_mixed"))
    ids = [e.id for e in parsed.events]
    assert len(set(ids)) == len(ids) == 6


@pytest.mark.parametrize(
    ("name", "content_type", "raw_type"),
    [
        ("message_text", "text", "text"),
        ("message_image", "image", "image"),
        ("message_sticker", "sticker", "image"),
        ("message_audio", "audio", "audio"),
        ("message_video", "video", "video"),
        ("message_document", "document", "document"),
        ("message_vcard", "vcard", "vcard"),
        ("message_geo", "geo", "geo"),
        ("message_wapi_template", "template", "wapi_template"),
        ("message_missing_call", "missed_call", "missing_call"),
        ("message_unknown_type", "unsupported", "poll_v9"),
    ],
)
def test_wazzup_type_maps_to_content_type(name: str, content_type: str, raw_type: str) -> None:
    event = only_message(name)
    assert (event.content_type, event.raw_type) == (content_type, raw_type)


def test_webp_image_is_a_sticker() -> None:
    body = fixture("message_image").replace(b"a7c2e91b-4f6d.jpg", b"a7c2e91b-4f6d.WEBP?x=1")
    event = parse(body).events[0]
    assert isinstance(event, MessageReceived) and event.content_type == "sticker"


@pytest.mark.parametrize("raw_type", ["unsupported", "unknown", "system"])
def test_documented_odd_types_map_to_unsupported(raw_type: str) -> None:
    body = fixture("message_text").replace(b'"type": "text"', f'"type": "{raw_type}"'.encode())
    event = parse(body).events[0]
    assert isinstance(event, MessageReceived) and event.content_type == "unsupported"


def test_media_message_keeps_content_uri_and_caption() -> None:
    event = only_message("message_image")
    assert event.content_uri == "https://store.wazzup24.com/2f9e6a3c5b1d/a7c2e91b-4f6d.jpg"
    assert event.text == "Here is the leak"


def test_media_message_carries_a_media_ref_by_url_with_file_name() -> None:
    event = only_message("message_document")
    assert event.media == MediaRef(
        url="https://store.wazzup24.com/2f9e6a3c5b1d/e16c3405/Act_of_works_482.pdf",
        file_name="Act_of_works_482.pdf", mime_type="application/pdf",
    )


def test_text_message_has_no_media_ref() -> None:
    assert only_message("message_text").media is None


def test_group_message_names_the_participant_from_author_and_contact() -> None:
    event = only_message("message_whatsgroup_author")
    assert (event.chat.chat_type, event.chat.chat_id) == ("whatsgroup", "120363041234567890@g.us")
    assert (event.participant_id, event.participant_name, event.participant_phone) == (
        "79012345678", "Olga Sidorova", "79012345678"
    )
    assert event.media is not None and event.media.file_name == "lift photo.jpg"


def test_group_message_naming_only_the_group_has_no_participant() -> None:
    event = only_message("message_whatsgroup")
    assert (event.participant_id, event.participant_name, event.participant_phone) == (
        None, None, None
    )


def test_one_to_one_message_has_no_participant() -> None:
    event = only_message("message_text")
    assert (event.participant_id, event.participant_name, event.participant_phone) == (
        None, None, None
    )


def test_document_keeps_file_name_in_content_uri_and_empty_text() -> None:
    event = only_message("message_document")
    assert event.content_uri is not None and event.content_uri.endswith("/Act_of_works_482.pdf")
    assert event.text == ""


def test_missed_call_has_empty_text() -> None:
    assert only_message("message_missing_call").text == ""


def test_echo_carries_author() -> None:
    event = only_message("message_echo")
    assert event.is_echo
    assert (event.author_id, event.author_name) == ("u-7", "Maria Smirnova")


def test_edited_message_gets_a_new_id_per_text() -> None:
    original = only_message("message_text")
    edited = only_message("message_edited")
    assert edited.is_edited and edited.text == "The pump on floor 4 is leaking"
    assert edited.gateway_message_id == original.gateway_message_id
    assert edited.id != original.id
    again = fixture("message_edited").replace(b"floor 4", b"floor 5")
    re_edited = parse(again).events[0]
    assert re_edited.id not in {original.id, edited.id}


def test_deleted_message_gets_its_own_id() -> None:
    deleted = only_message("message_deleted")
    assert deleted.is_deleted and not deleted.is_edited
    assert deleted.id not in {only_message("message_text").id, only_message("message_edited").id}


def test_quoted_reply_names_the_quoted_message() -> None:
    event = only_message("message_quoted_reply")
    assert event.quoted_gateway_message_id == "e2a26e50-09cb-4a0d-a8fe-7e9ab1d35f05"


@pytest.mark.parametrize("quoted", ['"e2a2"', "[1, 2]", "{}", '{"messageId": 5}', "null"])
def test_quoted_message_of_unexpected_shape_is_tolerated(quoted: str) -> None:
    body = fixture("message_text").replace(
        b'"type": "text",', f'"type": "text", "quotedMessage": {quoted},'.encode()
    )
    event = parse(body).events[0]
    assert isinstance(event, MessageReceived) and event.quoted_gateway_message_id is None


@pytest.mark.parametrize("chat_id", ["120363041234567890@g.us", "79132123789-1581764243"])
def test_whatsgroup_chat_id_is_kept_verbatim(chat_id: str) -> None:
    body = fixture("message_whatsgroup").replace(b"120363041234567890@g.us", chat_id.encode())
    event = parse(body).events[0]
    assert isinstance(event, MessageReceived)
    assert (event.chat.chat_type, event.chat.chat_id) == ("whatsgroup", chat_id)
    assert event.contact_phone is None


def test_unparseable_date_time_leaves_sent_at_empty() -> None:
    body = fixture("message_text").replace(b"2025-06-02T09:15:07.120Z", b"yesterday")
    event = parse(body).events[0]
    assert isinstance(event, MessageReceived) and event.sent_at is None


# ---- statuses, channels, probes, ignored parts -----------------------------------------------


def test_status_error_carries_code_and_description() -> None:
    parsed = parse(fixture("statuses_error"))
    first = parsed.events[0]
    assert isinstance(first, StatusUpdated)
    assert first.provider == "wazzup"
    assert first.gateway_message_id == "3f1e9c2a-7b4d-4e8a-9c55-0d2b6a1f7e10"
    assert first.status == "error"
    assert (first.error_code, first.error_text) == ("BAD_CONTACT", "Account does not exist")
    assert first.at == datetime(2025, 6, 2, 9, 16, 40, 4000, tzinfo=UTC)
    assert first.channel_id is None and first.chat_id is None


def test_every_status_is_parsed_and_lower_cased() -> None:
    parsed = parse(fixture("statuses_error"))
    statuses = [e for e in parsed.events if isinstance(e, StatusUpdated)]
    assert [s.status for s in statuses] == ["error", "error", "sent"]
    assert statuses[1].error_code == "24_HOURS_EXCEEDED"
    assert statuses[2].error_code is None


def test_channel_update_maps_state_lower_cased() -> None:
    parsed = parse(fixture("batch_mixed"))
    channel = parsed.events[-1]
    assert isinstance(channel, ChannelUpdated)
    assert (channel.channel_id, channel.state) == (
        "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59", "phoneunavailable"
    )


def test_channel_qr_state() -> None:
    parsed = parse(fixture("channels_qr"))
    assert len(parsed.events) == 1
    event = parsed.events[0]
    assert isinstance(event, ChannelUpdated)
    assert (event.state, event.tier, event.provider) == ("qr", None, "wazzup")


def test_test_post_is_a_probe_without_events() -> None:
    parsed = parse(fixture("test_probe"))
    assert parsed.is_probe and parsed.events == [] and parsed.ignored == []


def test_create_contact_is_answered_with_the_contact_and_creates_it() -> None:
    parsed = parse(fixture("create_contact"))
    [event] = parsed.events
    assert isinstance(event, CreateContact)
    assert (event.name, event.phones, event.responsible_user_id) == \
        ("Ivan Petrov", ["79011112233"], "u-7")
    assert parsed.reply == {"id": event.contact_id, "responsibleUserId": "u-7",
                            "name": "Ivan Petrov",
                            "contactData": [{"chatType": "whatsapp", "chatId": "79011112233"}]}
    assert parse(fixture("create_contact")).reply == parsed.reply  # a repeat: the same answer
    assert parsed.ignored == [] and not parsed.is_probe


def test_create_deal_is_answered_with_a_deal_for_its_contacts() -> None:
    parsed = parse(b'{"createDeal": {"responsibleUserId": "u-7", "contacts": ["c-101"],'
                   b' "source": "byUser"}}')
    assert parsed.events == []
    assert parsed.reply is not None
    assert parsed.reply["contacts"] == ["c-101"] and parsed.reply["closed"] is False
    assert parsed.reply["id"] and len(parsed.reply["uri"]) <= 200


def test_unknown_top_level_keys_are_ignored_by_name_next_to_events() -> None:
    body = b'{"templateStatus": {"status": "APPROVED"}, "newThing": 1, "statuses": []}'
    parsed = parse(body)
    assert parsed.events == [] and parsed.ignored == ["templateStatus", "newThing"]


# ---- bad shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["messageId", "channelId", "chatType", "chatId"])
def test_message_missing_routing_field_is_bad_payload_naming_it(field: str) -> None:
    body = fixture("batch_mixed").replace(f'"{field}"'.encode(), b'"renamed"', 1)
    with pytest.raises(BadPayload, match=rf"`{field}`.*\$\.messages\[0\]"):
        parse(body)


def test_wrongly_typed_field_is_bad_payload_naming_the_path() -> None:
    body = fixture("message_text").replace(b'"79011112233"', b"79011112233")
    with pytest.raises(BadPayload, match=r"\$\.messages\[0\]\.chatId"):
        parse(body)


@pytest.mark.parametrize("key", ["messages", "statuses", "channelsUpdates"])
def test_non_array_section_is_bad_payload_naming_it(key: str) -> None:
    with pytest.raises(BadPayload, match=rf"\$\.{key}"):
        parse(f'{{"{key}": {{}}}}'.encode())


@pytest.mark.parametrize("body", [b"", b"not json", b"{\"messages\": [", b"<html>502</html>"])
def test_non_json_body_is_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayload, match="invalid Wazzup webhook"):
        parse(body)


@pytest.mark.parametrize("body", [b"[]", b"true", b'"messages"', b"null"])
def test_json_that_is_not_an_object_is_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayload, match="Expected `object`"):
        parse(body)
