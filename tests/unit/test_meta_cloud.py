"""The Meta Cloud API webhook side: signatures, the GET handshake, and the parser on fixtures."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.errors import BadPayload
from shared.events import MediaRef, MessageReceived, StatusUpdated
from shared.providers import get_provider
from shared.providers.base import GatewayAccount, ParsedWebhook
from shared.providers.meta_cloud import META, signature_state, window_open

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta"
RECEIVED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
PNID = "106540352242922"
ACCOUNT = GatewayAccount(
    api_url="https://graph.facebook.com/v21.0", api_key="EAAG-token", webhook_token="path-tok",
    app_secret="app-secret-1", verify_token="verify-me", sender_id=PNID,
)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def parse(body: bytes, account: GatewayAccount = ACCOUNT) -> ParsedWebhook:
    return META.parse_webhook(body, received_at=RECEIVED_AT, account=account)


def only_message(name: str) -> MessageReceived:
    [event] = parse(fixture(name)).events
    assert isinstance(event, MessageReceived)
    return event


def signed(body: bytes, secret: str = "app-secret-1") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}"}


# ---- registry, capabilities, signatures ------------------------------------------------------


def test_registry_serves_meta_by_name() -> None:
    assert get_provider("meta") is META


def test_capabilities_state_window_upload_and_captions_without_groups() -> None:
    caps = META.capabilities
    assert (caps.groups, caps.templates, caps.window_24h) == (False, True, True)
    assert caps.upload_before_send and caps.caption_with_media


def test_correct_signature_over_the_raw_body_verifies() -> None:
    body = fixture("message_text")
    assert signature_state(ACCOUNT, signed(body), body) == "ok"
    assert META.verify_webhook(ACCOUNT, "anything", signed(body), body)


def test_signature_header_is_found_case_insensitively() -> None:
    body = fixture("message_text")
    headers = {k.lower(): v for k, v in signed(body).items()}
    assert META.verify_webhook(ACCOUNT, "", headers, body)


def test_missing_signature_is_missing_and_refused() -> None:
    body = fixture("message_text")
    assert signature_state(ACCOUNT, {}, body) == "missing"
    assert not META.verify_webhook(ACCOUNT, "path-tok", {}, body)


def test_signature_with_another_secret_is_wrong() -> None:
    body = fixture("message_text")
    assert signature_state(ACCOUNT, signed(body, "other-secret"), body) == "wrong"
    assert not META.verify_webhook(ACCOUNT, "path-tok", signed(body, "other-secret"), body)


def test_signature_of_a_reencoded_body_is_wrong() -> None:
    body = fixture("message_text")
    reencoded = body.replace(b"\n", b"")
    assert signature_state(ACCOUNT, signed(body), reencoded) == "wrong"


def test_signature_without_sha256_prefix_is_wrong() -> None:
    body = fixture("message_text")
    bare = {"X-Hub-Signature-256": signed(body)["X-Hub-Signature-256"].removeprefix("sha256=")}
    assert signature_state(ACCOUNT, bare, body) == "wrong"


def test_without_app_secret_no_signature_is_accepted() -> None:
    account = GatewayAccount(api_url="https://x", api_key="k", webhook_token="t")
    body = b"{}"
    assert signature_state(account, signed(body, ""), body) == "wrong"


# ---- GET handshake ---------------------------------------------------------------------------


def test_handshake_with_the_verify_token_echoes_the_challenge() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "verify-me",
             "hub.challenge": "1158201444"}
    assert META.answer_verification(ACCOUNT, query) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me"},
    ],
)
def test_handshake_without_mode_token_or_challenge_is_refused(query: dict[str, str]) -> None:
    assert META.answer_verification(ACCOUNT, query) is None


def test_handshake_is_refused_when_no_verify_token_is_configured() -> None:
    account = GatewayAccount(api_url="https://x", api_key="k", webhook_token="t")
    query = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert META.answer_verification(account, query) is None


# ---- messages --------------------------------------------------------------------------------


def test_text_message_maps_chat_contact_and_time() -> None:
    event = only_message("message_text")
    assert event.chat.provider == "meta"
    assert event.chat.channel_id == PNID
    assert (event.chat.chat_type, event.chat.chat_id) == ("whatsapp", "ES.84920571")
    assert event.gateway_message_id == "wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUE1"
    assert (event.content_type, event.raw_type) == ("text", "text")
    assert event.text == "My order #4411 never arrived"
    assert (event.contact_name, event.contact_phone) == ("Ana Pérez", "34600111222")
    assert event.sent_at == datetime.fromtimestamp(1767000000, tz=UTC)
    assert event.occurred_at == RECEIVED_AT and event.correlation_id == event.id
    assert not event.is_echo and event.quoted_gateway_message_id is None


def test_configured_channel_id_overrides_the_phone_number_id() -> None:
    account = GatewayAccount(api_url="https://x", api_key="k", webhook_token="t",
                             channel_id="meta-main")
    [event] = parse(fixture("message_text"), account).events
    assert isinstance(event, MessageReceived) and event.chat.channel_id == "meta-main"


def test_chat_falls_back_to_the_phone_without_a_business_scoped_id() -> None:
    body = fixture("message_text").replace(b'"user_id": "ES.84920571"', b'"other": 1')
    [event] = parse(body).events
    assert isinstance(event, MessageReceived) and event.chat.chat_id == "34600111222"


def test_username_user_without_phone_is_keyed_by_business_scoped_id() -> None:
    event = only_message("message_username_only")
    assert event.chat.chat_id == "ES.84920571"
    assert (event.contact_phone, event.contact_name) == (None, "ana_p")


@pytest.mark.parametrize(
    ("name", "content_type", "text"),
    [
        ("message_image", "image", "this is the damaged box"),
        ("message_audio", "audio", ""),
        ("message_video", "video", "the leak, filmed"),
        ("message_document", "document", "invoice attached"),
        ("message_sticker", "sticker", ""),
    ],
)
def test_media_message_maps_type_and_caption(name: str, content_type: str, text: str) -> None:
    event = only_message(name)
    assert (event.content_type, event.raw_type, event.text) == (content_type, content_type, text)
    assert event.media is not None and event.media.media_id and event.media.url is None


def test_document_media_ref_carries_id_mime_and_file_name() -> None:
    assert only_message("message_document").media == MediaRef(
        media_id="4411550066998877", mime_type="application/pdf", file_name="Invoice_4411.pdf"
    )


def test_voice_note_keeps_its_codec_mime_type() -> None:
    media = only_message("message_audio").media
    assert media is not None and media.mime_type == "audio/ogg; codecs=opus"


def test_reply_context_names_the_quoted_message() -> None:
    assert only_message("message_image").quoted_gateway_message_id == "wamid.OUT42"


def test_location_becomes_geo_with_name_address_and_coordinates() -> None:
    event = only_message("message_location")
    assert event.content_type == "geo"
    assert event.text == "Warehouse 3\nCalle Mayor 1, Madrid\n40.4168,-3.7038"


def test_shared_contact_becomes_vcard_with_name_and_phone() -> None:
    event = only_message("message_contacts")
    assert (event.content_type, event.text) == ("vcard", "Luis García +34 600 333 444")


@pytest.mark.parametrize(
    ("name", "text", "payload", "quoted"),
    [
        ("message_interactive_button", "Yes, confirm", "confirm-4411", "wamid.OUT43"),
        ("message_interactive_list", "Urgent", "prio_high", "wamid.OUT44"),
        ("message_button", "Reschedule", "reschedule-4411", "wamid.OUT45"),
    ],
)
def test_button_and_list_taps_carry_title_and_payload(
    name: str, text: str, payload: str, quoted: str
) -> None:
    event = only_message(name)
    assert (event.content_type, event.text, event.reply_payload) == ("interactive", text, payload)
    assert event.quoted_gateway_message_id == quoted


def test_reaction_names_the_emoji_and_the_reacted_message() -> None:
    event = only_message("message_reaction")
    assert (event.content_type, event.reaction) == ("reaction", "👍")
    assert event.quoted_gateway_message_id == "wamid.OUT46"


def test_removed_reaction_has_an_empty_emoji() -> None:
    body = fixture("message_reaction").replace('"emoji": "👍"'.encode(), b'"emoji": ""')
    [event] = parse(body).events
    assert isinstance(event, MessageReceived) and event.reaction == ""


@pytest.mark.parametrize(
    ("name", "raw_type"),
    [("message_unsupported", "unsupported"), ("message_unknown_type", "order")],
)
def test_unsupported_and_unknown_types_keep_their_raw_type(name: str, raw_type: str) -> None:
    event = only_message(name)
    assert (event.content_type, event.raw_type) == ("unsupported", raw_type)


def test_group_message_is_a_group_chat_with_the_sender_as_participant() -> None:
    event = only_message("message_group")
    assert (event.chat.chat_type, event.chat.chat_id) == ("whatsgroup", "120363400000000001")
    assert (event.participant_id, event.participant_phone, event.participant_name) == (
        "ES.84920571", "34600111222", "Ana Pérez"
    )
    assert event.contact_phone is None


# ---- statuses --------------------------------------------------------------------------------


def test_every_status_is_an_event_with_channel_and_recipient() -> None:
    events = parse(fixture("statuses")).events
    assert all(isinstance(e, StatusUpdated) for e in events)
    statuses = [e for e in events if isinstance(e, StatusUpdated)]
    assert [s.status for s in statuses] == ["sent", "delivered", "read", "played", "failed"]
    assert {(s.provider, s.channel_id, s.chat_id) for s in statuses} == {
        ("meta", PNID, "34600111222")
    }
    assert statuses[0].at == datetime.fromtimestamp(1767003000, tz=UTC)


def test_failed_status_carries_code_title_and_details() -> None:
    failed = parse(fixture("statuses")).events[-1]
    assert isinstance(failed, StatusUpdated) and failed.status == "failed"
    assert failed.error_code == "131047"
    assert failed.error_text is not None and failed.error_text.startswith("Re-engagement message")
    assert "24 hours" in failed.error_text


# ---- batches, ids, shapes --------------------------------------------------------------------


def test_every_entry_change_message_and_status_is_parsed() -> None:
    parsed = parse(fixture("batch_multi"))
    ids = [e.gateway_message_id for e in parsed.events]  # type: ignore[union-attr]
    assert ids == ["wamid.BATCH1", "wamid.BATCH2", "wamid.BATCH3", "wamid.OUT50",
                   "wamid.BATCH4", "wamid.OUT51", "wamid.OUT52"]
    assert parsed.ignored == ["$.entry[0].changes[1]:account_update"]


def test_each_message_in_a_batch_gets_its_own_contact_and_channel() -> None:
    events = [e for e in parse(fixture("batch_multi")).events if isinstance(e, MessageReceived)]
    assert [e.contact_name for e in events] == ["Ana Pérez", "Bob Stone", "Ana Pérez", "Chen Li"]
    assert events[-1].chat.channel_id == "106540352242933"


def test_redelivery_yields_the_same_ids_and_ids_are_distinct() -> None:
    first = [e.id for e in parse(fixture("batch_multi")).events]
    again = META.parse_webhook(fixture("batch_multi"), received_at=RECEIVED_AT + timedelta(days=1),
                               account=ACCOUNT)
    assert first == [e.id for e in again.events]
    assert len(set(first)) == len(first)


@pytest.mark.parametrize("body", [b"", b"not json", b"<html>502</html>", b"[]"])
def test_non_json_or_non_object_body_is_bad_payload(body: bytes) -> None:
    with pytest.raises(BadPayload, match="invalid Meta webhook"):
        parse(body)


def test_missing_entry_list_is_bad_payload_naming_it() -> None:
    with pytest.raises(BadPayload, match="`entry`"):
        parse(b'{"object": "whatsapp_business_account"}')


def test_entry_that_is_not_a_list_is_bad_payload() -> None:
    with pytest.raises(BadPayload, match=r"\$\.entry"):
        parse(b'{"object": "whatsapp_business_account", "entry": {}}')


def test_other_object_is_bad_payload_naming_it() -> None:
    with pytest.raises(BadPayload, match="'page'"):
        parse(b'{"object": "page", "entry": []}')


def test_message_without_id_is_bad_payload_naming_the_path() -> None:
    body = fixture("message_text").replace(b'"id": "wamid.', b'"idx": "wamid.')
    with pytest.raises(BadPayload, match=r"changes\[0\]\.value.*`id`"):
        parse(body)


# ---- window ----------------------------------------------------------------------------------


def test_window_is_open_within_24_hours_of_the_last_inbound_message() -> None:
    last = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert window_open(last, last + timedelta(hours=23, minutes=59))
    assert not window_open(last, last + timedelta(hours=24))
    assert not window_open(None, last)
