"""The task card says what the chat's gateway carries besides messages, from the gateway's
capabilities, so the console offers reactions and sends typing only where they go out."""

from __future__ import annotations

from services.task_sync.application.task_card import gateway_features


def test_meta_carries_reactions_typing_and_read_marks() -> None:
    assert gateway_features("meta") == {"reactions": True, "typing": True, "read_marks": True}


def test_wazzup_and_chat_api_carry_no_reactions() -> None:
    assert gateway_features("wazzup")["reactions"] is False
    assert gateway_features("chat_api")["reactions"] is False
    assert gateway_features("chat_api")["read_marks"] is True


def test_an_unknown_gateway_is_offered_nothing() -> None:
    assert gateway_features("telegram") == {"reactions": False, "typing": False,
                                            "read_marks": False}
