"""Phones in one form (libphonenumber) and the identifiers a message names a customer by."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared import events
from shared.domain.directory import digits
from shared.domain.identities import (
    Identifier,
    address_after_change,
    changed_identifiers,
    chat_ids_of,
    has_sender,
    identifiers_of,
    is_bsuid,
    task_identifiers,
)
from shared.domain.phones import e164

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize("written", ["+7 901 111-22-33", "89011112233", "79011112233",
                                     "8 (901) 111-22-33", "+79011112233"])
def test_one_russian_number_however_written(written: str) -> None:
    assert e164(written) == "+79011112233"
    assert digits(written) == "79011112233"


def test_brazilian_mobile_without_the_ninth_digit_gains_it() -> None:
    assert e164("551191234567") == "+5511991234567"
    assert e164("5511991234567") == "+5511991234567"


def test_brazilian_landline_keeps_its_eight_digits() -> None:
    assert e164("551132345678") == "+551132345678"


def test_international_numbers_are_not_read_as_russian() -> None:
    assert e164("8613812345678") == "+8613812345678"
    assert e164("34600111222") == "+34600111222"


def test_test_numbers_that_are_not_valid_keep_their_digits() -> None:
    assert e164("15550001111") == "+15550001111"


@pytest.mark.parametrize("text", ["", "12", "hello"])
def test_non_phones_are_none(text: str) -> None:
    assert e164(text) is None


def test_bsuid_shape_tells_it_from_a_phone() -> None:
    assert is_bsuid("US.13491208655302741918") and is_bsuid("ES.84920571")
    assert not is_bsuid("34600111222") and not is_bsuid("79011112233@c.us")


def message(chat_id: str, **fields: object) -> events.MessageReceived:
    chat = events.ChatRef(provider="meta", channel_id="pn1", chat_type=str(
        fields.pop("chat_type", "whatsapp")), chat_id=chat_id)
    return events.MessageReceived(id="e1", correlation_id="e1", occurred_at=NOW, chat=chat,
                                  gateway_message_id="w1", content_type="text",
                                  **fields)  # type: ignore[arg-type]


def test_message_with_phone_bsuid_parent_and_username_names_all_four() -> None:
    event = message("ES.1", contact_phone="34600111222", user_id="ES.1", parent_user_id="ES.P",
                    username="@Ana_P")
    assert identifiers_of(event) == [
        Identifier(kind="bsuid", value="ES.1"), Identifier(kind="phone", value="+34600111222"),
        Identifier(kind="parent_bsuid", value="ES.P"),
        Identifier(kind="username", value="ana_p")]
    assert chat_ids_of(event) == ["ES.1", "34600111222"]


def test_wazzup_style_chat_id_is_the_phone() -> None:
    event = message("89011112233")
    assert identifiers_of(event) == [Identifier(kind="phone", value="+79011112233")]


def test_group_chats_name_no_customer() -> None:
    assert identifiers_of(message("120363400000000001", chat_type="whatsgroup",
                                  participant_phone="34600111222")) == []


def test_message_without_chat_id_has_no_sender() -> None:
    assert not has_sender(message(""))
    assert has_sender(message("34600111222"))


def test_changed_number_gives_the_new_phone_and_moves_a_phone_keyed_chat() -> None:
    event = message("34600111222", system_kind="user_changed_number", new_phone="34600999888")
    assert changed_identifiers(event) == [Identifier(kind="phone", value="+34600999888")]
    assert address_after_change(event.chat, event) == "34600999888"
    bsuid_chat = events.ChatRef(provider="meta", channel_id="pn1", chat_type="whatsapp",
                                chat_id="ES.1")
    assert address_after_change(bsuid_chat, event) is None


def test_changed_user_id_moves_a_bsuid_keyed_chat() -> None:
    event = message("ES.1", system_kind="user_changed_user_id", new_user_id="ES.2")
    assert address_after_change(event.chat, event) == "ES.2"


def test_chat_ids_include_the_phone_as_the_directory_writes_it() -> None:
    event = message("551191234567", contact_phone="551191234567")
    assert chat_ids_of(event) == ["551191234567", "5511991234567"]


def test_a_task_names_its_customer_by_chat_id_phone_bsuid_and_username() -> None:
    assert task_identifiers("ES.1", None, None, "@Ana") == [
        Identifier(kind="bsuid", value="ES.1"), Identifier(kind="username", value="ana")]
    assert task_identifiers("89011112233", "79011112233", "ES.2", None) == [
        Identifier(kind="bsuid", value="ES.2"), Identifier(kind="phone", value="+79011112233")]
    assert task_identifiers("79011112233@c.us", None, None, None) == [
        Identifier(kind="phone", value="+79011112233")]
