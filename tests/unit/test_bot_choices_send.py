"""A bot answer's options on each gateway (issue 12): Meta reply buttons and lists within
Meta's limits, numbered text where they do not fit and on Wazzup and chat-api."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.sandbox.meta_extras import interactive_problem
from shared.events import ChatRef, Choice, SendMessage
from shared.providers.base import GatewayAccount
from shared.providers.chat_api import CHAT_API
from shared.providers.meta_cloud import META
from shared.providers.wazzup import WAZZUP

ACCOUNT = GatewayAccount(api_url="https://gw.example/v21.0", api_key="key", webhook_token="t",
                         sender_id="106540352242922")
MENU = [Choice(id="delivery", title="Доставка"), Choice(id="pay", title="Оплата"),
        Choice(id="manager", title="Связаться с менеджером сейчас")]


def command(provider: str, **overrides: Any) -> SendMessage:
    chat = ChatRef(provider=provider, channel_id="106540352242922", chat_type="whatsapp",
                   chat_id="79011112233")
    fields: dict[str, Any] = {
        "id": "send-1", "correlation_id": "c-1", "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
        "chat": chat, "task_id": "t-1", "comment_id": "cm-1", "text": "Чем помочь?",
        "offer": "buttons", "choices": MENU} | overrides
    return SendMessage(**fields)


def meta_body(**overrides: Any) -> dict[str, Any]:
    body = META.build_send(ACCOUNT, command("meta", **overrides), None).json
    assert body is not None
    return body


def test_meta_sends_up_to_three_options_as_reply_buttons_with_short_titles() -> None:
    body = meta_body()
    assert body["type"] == "interactive"
    options = body["interactive"]
    assert options["type"] == "button" and options["body"] == {"text": "Чем помочь?"}
    buttons = options["action"]["buttons"]
    assert [b["reply"]["id"] for b in buttons] == ["delivery", "pay", "manager"]
    assert all(b["type"] == "reply" and len(b["reply"]["title"]) <= 20 for b in buttons)
    assert buttons[2]["reply"]["title"] == "Связаться с менедже…"


def test_meta_sends_a_list_as_one_section_of_rows() -> None:
    rows = [Choice(id=f"n{i}", title=f"Пункт {i}") for i in range(7)]
    options = meta_body(offer="list", choices=rows)["interactive"]
    assert options["type"] == "list" and options["action"]["button"]
    [section] = options["action"]["sections"]
    assert [r["id"] for r in section["rows"]] == [f"n{i}" for i in range(7)]


def test_more_than_three_buttons_go_as_a_list_and_more_than_ten_as_numbered_text() -> None:
    four = [Choice(id=f"n{i}", title=f"Пункт {i}") for i in range(4)]
    assert meta_body(choices=four)["interactive"]["type"] == "list"
    many = [Choice(id=f"n{i}", title=f"Пункт {i}") for i in range(11)]
    body = meta_body(offer="list", choices=many)
    assert body["type"] == "text" and "11. Пункт 10" in body["text"]["body"]


def test_a_plain_answer_goes_as_text_on_meta() -> None:
    body = meta_body(offer="text")
    assert body["type"] == "text" and body["text"]["body"] == "Чем помочь?"


def test_wazzup_and_chat_api_send_the_options_as_numbered_lines() -> None:
    expected = "Чем помочь?\n\n1. Доставка\n2. Оплата\n3. Связаться с менеджером сейчас"
    wazzup = WAZZUP.build_send(ACCOUNT, command("wazzup"), None).json
    chat_api = CHAT_API.build_send(ACCOUNT, command("chat_api"), None).json
    assert wazzup is not None and wazzup["text"] == expected
    assert chat_api is not None and chat_api["body"] == expected


def test_the_sandbox_accepts_what_meta_is_sent_and_refuses_a_fourth_button() -> None:
    rows = [Choice(id=f"n{i}", title=f"Пункт {i}") for i in range(7)]
    assert interactive_problem(meta_body()["interactive"]) is None
    assert interactive_problem(meta_body(offer="list", choices=rows)["interactive"]) is None
    four = meta_body()["interactive"]
    four["action"]["buttons"].append({"type": "reply", "reply": {"id": "x", "title": "X"}})
    assert interactive_problem(four) is not None
