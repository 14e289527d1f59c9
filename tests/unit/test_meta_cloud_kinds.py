"""The Meta parser on the identities and message kinds of 2026: BSUIDs, usernames, system
notices, Flows answers, edits and revokes, coexistence echoes, pricing and template statuses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shared.events import MessageReceived, StatusUpdated, TemplateStatusChanged
from shared.providers.base import GatewayAccount, ParsedWebhook
from shared.providers.meta_cloud import META

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "meta"
RECEIVED_AT = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
ACCOUNT = GatewayAccount(api_url="https://graph.facebook.com/v21.0", api_key="t",
                         webhook_token="p", app_secret="s", sender_id="106540352242922")


def parse(name: str) -> ParsedWebhook:
    body = (FIXTURES / f"{name}.json").read_bytes()
    return META.parse_webhook(body, received_at=RECEIVED_AT, account=ACCOUNT)


def messages(name: str) -> list[MessageReceived]:
    found = [e for e in parse(name).events if isinstance(e, MessageReceived)]
    assert found
    return found


def test_phone_only_message_names_the_phone_and_no_user_id() -> None:
    [event] = messages("message_phone_only")
    assert (event.chat.chat_id, event.contact_phone, event.user_id) == (
        "34600111222", "34600111222", None)


def test_phone_and_bsuid_message_carries_both_identifiers() -> None:
    [event] = messages("message_text")
    assert (event.contact_phone, event.user_id) == ("34600111222", "ES.84920571")


def test_username_user_carries_bsuid_parent_and_username_without_phone() -> None:
    [event] = messages("message_bsuid_parent_username")
    assert event.chat.chat_id == "ES.84920571"
    assert (event.user_id, event.parent_user_id, event.username) == (
        "ES.84920571", "ES.PARENT.1", "@ana_p")
    assert event.contact_phone is None and event.contact_name == "Ana"


def test_two_customers_sharing_a_display_name_stay_apart() -> None:
    russian, spanish = messages("two_customers_same_name")
    assert (russian.contact_phone, russian.user_id) == ("79011112233", "RU.2")
    assert (spanish.contact_phone, spanish.user_id) == ("34600111222", "ES.1")
    assert russian.chat.key != spanish.chat.key


def test_batch_mixing_system_messages_and_text_keeps_each_apart() -> None:
    changed, text, new_id = messages("batch_system_and_text")
    assert (changed.content_type, changed.system_kind) == ("system", "user_changed_number")
    assert (changed.contact_phone, changed.new_phone) == ("34600111222", "34600999888")
    assert changed.chat.chat_id == "34600111222" and changed.contact_name is None
    assert changed.text.startswith("Ana changed from")
    assert (text.content_type, text.text, text.user_id) == ("text", "hi from Bob", "GB.11")
    assert text.system_kind is None and text.contact_name == "Bob Stone"
    assert (new_id.system_kind, new_id.new_user_id, new_id.chat.chat_id) == (
        "user_changed_user_id", "ES.99", "ES.84920571")


def test_system_message_without_sender_has_an_empty_chat_id() -> None:
    [event] = messages("system_without_sender")
    assert event.chat.chat_id == "" and event.content_type == "system"


def test_flow_answer_becomes_readable_fields_without_the_flow_token() -> None:
    [event] = messages("message_flow_reply")
    assert event.content_type == "interactive" and event.form_name == "appointment"
    assert [(f.label, f.value) for f in event.form] == [
        ("First name", "Ana"), ("Email", "ana@example.com"), ("Time slot", "Morning"),
        ("Agree", "yes"), ("Topics", "billing, delivery")]
    assert event.form[0].name == "screen_0_First_name_0"
    assert event.text.splitlines() == ["[form] appointment", "First name: Ana",
                                       "Email: ana@example.com", "Time slot: Morning",
                                       "Agree: yes", "Topics: billing, delivery"]
    assert "tok-1" not in event.text
    assert event.quoted_gateway_message_id == "wamid.OUTFLOW"


def test_edit_is_a_revision_of_the_original_message_with_its_new_text() -> None:
    [event] = messages("message_edit")
    assert event.is_edited and not event.is_deleted
    assert event.gateway_message_id == "wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUE1"
    assert (event.content_type, event.text) == ("text", "My order #4412 never arrived")


def test_revoke_is_a_deletion_of_the_original_message() -> None:
    [event] = messages("message_revoke")
    assert event.is_deleted and not event.is_edited
    assert event.gateway_message_id == "wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUE1"


def test_edit_and_original_have_different_event_ids() -> None:
    [edit] = messages("message_edit")
    [original] = messages("message_text")
    assert edit.id != original.id


def test_coexistence_echo_is_an_outgoing_message_to_the_customer() -> None:
    parsed = parse("smb_message_echoes")
    [echo] = parsed.events
    assert isinstance(echo, MessageReceived) and echo.is_echo
    assert (echo.chat.chat_id, echo.contact_phone, echo.user_id) == (
        "ES.84920571", "34600111222", "ES.84920571")
    assert echo.text == "Hi Ana, it's Maria from the shop app"
    assert parsed.ignored == []


def test_unsupported_message_shows_metas_error_title_and_the_real_kind() -> None:
    [event] = messages("message_unsupported_kind")
    assert (event.content_type, event.raw_type) == ("unsupported", "poll_creation")
    assert event.text.startswith("Message type unknown")


def test_status_carries_the_pricing_category() -> None:
    [status] = parse("statuses_pricing").events
    assert isinstance(status, StatusUpdated) and status.pricing_category == "utility"


def test_template_status_webhook_becomes_a_template_event() -> None:
    parsed = parse("template_status")
    [event] = parsed.events
    assert isinstance(event, TemplateStatusChanged)
    assert (event.template_id, event.name, event.language, event.status) == (
        "1234567890", "order_update", "en_US", "approved")
    assert event.account_id == "102290129340398"
