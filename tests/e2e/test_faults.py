"""Faults: gateway errors and a service killed with SIGKILL mid-conversation."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.e2e.conftest import System, eventually, new_chat
from tests.e2e.test_webhooks import wazzup_message

GREETING_START = "Здравствуйте! Вас приветствует чат-бот."
ANSWERS = {"1": "Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК).",
           "2": "Наш офис: Москва, ул. Примерная, д. 1, офис 101.",
           "3": "Чтобы узнать статус заказа, пришлите его номер — менеджер проверит и ответит."}


async def sent(system: System, chat: str, n: int, timeout: float = 30) -> list[str]:
    async def probe() -> list[str] | None:
        texts = await system.texts_sent(chat)
        return texts if len(texts) >= n else None
    return await eventually(probe, timeout=timeout, what=f"{n} messages sent to {chat}")


async def attempts(system: System, chat: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = await system.sandbox(
        "GET", "/sandbox/requests", params={"path": "/v3/message", "chat_id": chat})
    return records


async def test_gateway_500s_are_retried_and_the_answer_arrives_once(system: System) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/fail", json={"count": 2, "status": 500})
    await system.inbound(chat, "привет")
    texts = await sent(system, chat, 1)
    assert texts[0].startswith(GREETING_START)
    statuses = [r["response_status"] for r in await attempts(system, chat)]
    assert statuses == [500, 500, 201]


async def test_a_429_is_retried_after_the_gateways_window(system: System) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/fail",
                         json={"count": 1, "status": 429, "error": "TOO_MANY_REQUESTS",
                               "retry_after": 1})
    await system.inbound(chat, "привет")
    await sent(system, chat, 1)
    statuses = [r["response_status"] for r in await attempts(system, chat)]
    assert statuses == [429, 201]


async def test_a_send_the_gateway_refuses_is_dead_lettered_and_shown_failed_on_the_comment(
    system: System,
) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/fail",
                         json={"count": 1, "status": 400, "error": "BAD_CONTACT",
                               "description": "Account does not exist"})
    await system.inbound(chat, "привет")

    async def failed_comment() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        if task is None:
            return None
        bot = [c for c in await system.comments(task["id"]) if c["author_kind"] == "bot"]
        return bot[0] if bot and bot[0].get("delivery") == "failed" else None
    comment = await eventually(failed_comment, what="the bot comment marked failed")
    assert comment["failure_code"] == "BAD_CONTACT"
    assert "Account does not exist" in comment["failure_reason"]
    assert [r["response_status"] for r in await attempts(system, chat)] == [400]


async def post_until_accepted(system: System, payload: dict[str, Any]) -> None:
    """What a gateway does: deliver again until the webhook is answered with 200."""
    for _ in range(300):
        try:
            status, _ = await system.webhook(payload)
        except OSError:
            status = 0
        if status == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("ingest never accepted the webhook")


@pytest.mark.parametrize("service", ["bot_router", "task_sync", "outbound_sender", "ingest"])
async def test_killing_a_service_mid_conversation_loses_nothing_and_duplicates_nothing(
    system: System, service: str,
) -> None:
    chat = new_chat()
    await system.inbound(chat, "привет")
    await sent(system, chat, 1)
    messages = [wazzup_message(chat, code, message_id=str(uuid.uuid4())) for code in "123"]
    await system.webhook({"messages": [messages[0]]})
    system.stack.kill(service)

    async def in_order() -> None:  # as the gateway does: the next once one is accepted
        for m in messages[1:]:
            await post_until_accepted(system, {"messages": [m]})
    # (posted at once, the two could be accepted, and so answered, in either order: a race
    # of the test, not of the system, which answers in the order it accepts)
    posting = asyncio.ensure_future(in_order())
    await asyncio.to_thread(system.stack.restart, service)
    await posting
    for m in messages:  # the gateway may deliver again after the crash, too
        await post_until_accepted(system, {"messages": [m]})
    texts = await sent(system, chat, 4)
    assert texts[1:] == [ANSWERS["1"], ANSWERS["2"], ANSWERS["3"]]
    ids = Counter(r["json"]["crmMessageId"] for r in await system.deliveries(chat))
    assert all(n == 1 for n in ids.values()) and len(ids) == 4
    task = await system.task_of(chat)
    assert task is not None

    async def all_comments() -> list[dict[str, Any]] | None:
        found = await system.comments(task["id"])
        return found if len(found) >= 8 else None
    comments = await eventually(all_comments, timeout=30, what="8 comments")
    assert [c["text"] for c in comments if c["direction"] == "in"] == ["привет", "1", "2", "3"]
    assert len(comments) == 8
