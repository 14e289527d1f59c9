"""ingest's edge: authentication, bad input, batches, probes and unsupported types."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.e2e.conftest import CHANNEL, System, eventually, new_chat


def wazzup_message(chat: str, text: str, *, message_id: str | None = None,
                   type_: str = "text", **extra: Any) -> dict[str, Any]:
    return {"messageId": message_id or str(uuid.uuid4()), "channelId": CHANNEL,
            "chatType": "whatsapp", "chatId": chat, "dateTime": "2026-11-25T10:00:00.000Z",
            "type": type_, "isEcho": False, "status": "inbound", "text": text,
            "contact": {"name": "Тест", "avatarUri": "https://store.wazzup24.com/a.jpg"},
            **extra}


async def customer_comments(system: System, chat: str, n: int) -> list[dict[str, Any]]:
    async def probe() -> list[dict[str, Any]] | None:
        task = await system.task_of(chat)
        if task is None:
            return None
        found = [c for c in await system.comments(task["id"]) if c["direction"] == "in"]
        return found if len(found) >= n else None
    return await eventually(probe, what=f"{n} customer comments in {chat}")


async def test_wazzups_test_probe_is_answered_with_200(system: System) -> None:
    status, _ = await system.webhook({"test": True})
    assert status == 200


async def test_a_wrong_token_is_refused_and_nothing_is_recorded(system: System) -> None:
    chat = new_chat()
    status, body = await system.webhook({"messages": [wazzup_message(chat, "hi")]}, token="nope")
    assert status == 401 and body["error"] == "unauthorized"
    status, _ok = await system.webhook({"messages": [wazzup_message(chat, "hi")]})
    assert status == 200
    comments = await customer_comments(system, chat, 1)
    assert len(comments) == 1  # only the authenticated delivery became a comment


async def test_malformed_json_gets_400_with_a_reason(system: System) -> None:
    status, body = await system.webhook(None, raw=b'{"messages": [')
    assert status == 400 and body["error"] == "bad_payload" and body["reason"]


async def test_a_message_without_a_chat_id_gets_400_naming_the_field(system: System) -> None:
    item = wazzup_message(new_chat(), "hi")
    del item["chatId"]
    status, body = await system.webhook({"messages": [item]})
    assert status == 400 and "chatId" in body["reason"]


async def test_an_oversized_body_gets_413(system: System) -> None:
    big = {"messages": [wazzup_message(new_chat(), "x" * 2_000_000)]}
    status, body = await system.webhook(None, raw=json.dumps(big).encode())
    assert status == 413, body


async def test_every_message_of_a_batched_delivery_is_processed(system: System) -> None:
    chats = [new_chat() for _ in range(3)]
    same = chats[0]
    payload = {"messages": [wazzup_message(same, "первое"), wazzup_message(same, "1"),
                            *(wazzup_message(c, "привет") for c in chats[1:])],
               "statuses": [{"messageId": str(uuid.uuid4()), "status": "delivered",
                             "timestamp": "2026-11-25T10:00:01.000Z"}]}
    status, body = await system.webhook(payload)
    assert status == 200 and body["events"] == 5
    for chat in chats[1:]:
        assert len(await customer_comments(system, chat, 1)) == 1
    both = await customer_comments(system, same, 2)
    assert [c["text"] for c in both] == ["первое", "1"]


async def test_an_unknown_message_type_becomes_an_unsupported_comment_not_an_error(
    system: System,
) -> None:
    chat = new_chat()
    status, _ = await system.webhook(
        {"messages": [wazzup_message(chat, "", type_="poll_v9")]})
    assert status == 200
    [comment] = await customer_comments(system, chat, 1)
    assert comment["content_type"] == "unsupported"
    assert "poll_v9" in comment["text"]


async def test_the_same_webhook_delivered_twice_gives_one_comment_and_one_answer(
    system: System,
) -> None:
    chat = new_chat()
    first = wazzup_message(chat, "здравствуйте")
    await system.webhook({"messages": [first]})
    await system.webhook({"messages": [first]})
    code = wazzup_message(chat, "1")
    await system.webhook({"messages": [code]})
    await system.webhook({"messages": [code]})
    await customer_comments(system, chat, 2)

    async def answered() -> list[str] | None:
        texts = await system.texts_sent(chat)
        return texts if len(texts) >= 2 else None
    texts = await eventually(answered, what="two answers")
    await system.webhook({"messages": [code]})  # a late repeat, after everything settled
    await system.webhook({"messages": [wazzup_message(chat, "2")]})  # handled after the repeat

    async def sentinel_answered() -> list[str] | None:
        found = await system.texts_sent(chat)
        return found if len(found) >= 3 else None
    settled = await eventually(sentinel_answered, what="the sentinel's answer")
    comments = await customer_comments(system, chat, 3)
    assert [c["text"] for c in comments] == ["здравствуйте", "1", "2"]
    assert len(texts) == 2 and settled[:2] == texts and len(settled) == 3


async def test_every_service_answers_health_readiness_and_metrics(system: System) -> None:
    for service in ("ingest", "task_sync", "bot_router", "outbound_sender"):
        for path in ("/healthz", "/readyz", "/metrics"):
            async with system.http.get(system.url(service, path)) as resp:
                assert resp.status == 200, (service, path, await resp.text())
