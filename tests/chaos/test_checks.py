"""The chaos suite's checks catch what they are there to catch (a check that can only pass
proves nothing)."""

from __future__ import annotations

from typing import Any

from tests.chaos.check import Findings, check_comments, compare, deliveries, token_of
from tests.chaos.load import Chat


def test_compare_counts_missing_extra_and_out_of_order_sends() -> None:
    owed = ["greeting", "#1234567-1", "#1234567-2"]
    assert compare(owed, owed) == (0, 0, False)
    assert compare(owed, ["greeting", "#1234567-2"]) == (1, 0, False)
    assert compare(owed, [*owed, "#1234567-1"]) == (0, 1, False)
    assert compare(owed, ["#1234567-1", "greeting", "#1234567-2"]) == (0, 0, True)
    assert compare(owed, [*owed, "something else"]) == (0, 1, False)


def test_a_send_is_known_by_its_marker_its_file_or_its_text() -> None:
    assert token_of({"text": "*Администратор Демо*:\nОтвет #1234567-1"}) == "#1234567-1"
    assert token_of({"contentUri": "http://h/files/abc123?exp=1&sig=x"}) == "file:abc123"
    assert token_of({"body": "Здравствуйте!"}) == "Здравствуйте!"


def test_only_accepted_sends_count_in_the_gateways_order() -> None:
    records: list[dict[str, Any]] = [
        {"seq": 2, "delivered": True, "path": "/v3/message",
         "json": {"chatId": "79990000001", "text": "b"}},
        {"seq": 1, "delivered": True, "path": "/v3/message",
         "json": {"chatId": "79990000001", "text": "a"}},
        {"seq": 3, "delivered": False, "path": "/v3/message",
         "json": {"chatId": "79990000001", "text": "refused"}},
    ]
    assert deliveries(records) == {"79990000001": ["a", "b"]}


def test_a_comment_that_contradicts_the_gateway_is_untrue() -> None:
    chat = Chat(chat_id="79990000001", provider="wazzup", manager=True, customer=["hi"])
    comments = [{"id": "c1", "direction": "in", "text": "hi"},
                {"id": "c2", "direction": "out", "text": "a", "delivery": "queued"},
                {"id": "c3", "direction": "out", "text": "b", "delivery": "sent"}]
    found = Findings()
    check_comments(chat, comments, {"79990000001": ["a"]}, found)
    assert (found.untrue_comments, found.customer_lost) == (2, 0)
