"""The whole dialogue on each gateway (Wazzup, Meta Cloud API, chat-api), and two gateways at
once: bot, hand-over, manager reply with the manager's name, quotes both ways, files both ways."""

from __future__ import annotations

import asyncio
import hashlib
import os
from typing import Any

import aiohttp
import pytest

from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

GREETING_START = "Здравствуйте! Вас приветствует чат-бот."
HOURS = "Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК)."
PROVIDERS = ["wazzup", "meta", "chat_api"]


def text_of(provider: str, body: dict[str, Any]) -> str | None:
    """The text a gateway send carried, in that gateway's dialect."""
    if provider == "wazzup":
        return body.get("text")
    if provider == "meta":
        kind = body.get("type")
        part = body.get(kind or "", {})
        return part.get("body") if kind == "text" else part.get("caption")
    return body.get("caption") if "filename" in body else body.get("body")


def quoted_id(provider: str, body: dict[str, Any]) -> str | None:
    if provider == "wazzup":
        return body.get("refMessageId")
    if provider == "meta":
        return (body.get("context") or {}).get("message_id")
    return body.get("quotedMsgId")


def chat_id(provider: str, phone: str) -> str:
    """The chat id a gateway uses for a customer's phone (chat-api: ``<phone>@c.us``)."""
    return f"{phone}@c.us" if provider == "chat_api" else phone


async def sends(system: System, provider: str, chat: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = await system.sandbox(
        "GET", "/sandbox/requests",
        params={"provider": provider, "delivered": "true", "chat_id": chat})
    return [r for r in records if "media" not in r["path"]]


async def texts(system: System, provider: str, chat: str, n: int) -> list[str]:
    async def probe() -> list[str] | None:
        found = [t for r in await sends(system, provider, chat)
                 if (t := text_of(provider, r["json"]))]
        return found if len(found) >= n else None
    return await eventually(probe, what=f"{n} texts sent via {provider} to {chat}")


async def say(system: System, provider: str, chat: str, text: str, **extra: Any) -> None:
    await system.inbound(chat, text, provider=provider, **extra)


async def task_in(system: System, chat: str, status: str | None = None) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        return task if task and (status is None or task["status"] == status) else None
    return await eventually(probe, what=f"task of {chat} in {status}")


async def comment_where(system: System, task_id: str, test: Any, what: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        return next((c for c in await system.comments(task_id) if test(c)), None)
    return await eventually(probe, what=what)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_whole_dialogue_works_on_each_gateway(system: System, provider: str) -> None:
    phone = new_chat()
    chat = chat_id(provider, phone)
    await say(system, provider, phone, "здравствуйте")
    assert (await texts(system, provider, chat, 1))[0].startswith(GREETING_START)
    await say(system, provider, phone, "1")
    assert (await texts(system, provider, chat, 2))[1] == HOURS
    await say(system, provider, phone, "у меня вопрос по договору")
    task = await task_in(system, chat, "Диалог с менеджером")
    assert task["chat"]["provider"] == provider
    assert task["assignee_group_id"] == "grp-contact-centre"

    # a manager of the contact centre takes it from the queue and answers, quoting the question
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/claim", token=IVANOVA)
    assert status == 200 and body["assignee_user_id"] == "usr-ivanova", body
    question = await comment_where(system, task["id"], lambda c: c["text"].startswith("у меня"),
                                   "the question")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/comments",
                                    token=IVANOVA, json={"text": "Сейчас проверю",
                                                         "reply_to": question["id"]})
    assert status == 201, body
    await texts(system, provider, chat, 4)
    answer = next(r for r in await sends(system, provider, chat)
                  if text_of(provider, r["json"]) == "*Иванова Мария Сергеевна*:\nСейчас проверю")
    assert quoted_id(provider, answer["json"]) == question["gateway_message_id"]

    # the customer quotes the manager's answer
    mine = await comment_where(system, task["id"], lambda c: c["id"] == body["id"]
                               and c.get("gateway_message_id"), "the answer's gateway id")
    await say(system, provider, phone, "спасибо", quoted_message_id=mine["gateway_message_id"])
    thanks = await comment_where(system, task["id"], lambda c: c["text"] == "спасибо", "quote")
    assert thanks["reply_to_comment_id"] == mine["id"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_files_arrive_byte_identical_both_ways_on_each_gateway(
    system: System, provider: str,
) -> None:
    phone = new_chat()
    chat = chat_id(provider, phone)
    await say(system, provider, phone, "здравствуйте")
    await texts(system, provider, chat, 1)
    task = await task_in(system, chat)

    photo = os.urandom(120_000)
    async with system.http.post(system.url("sandbox", "/sandbox/media"), data=photo,
                                params={"filename": "photo.jpg"},
                                headers={"Content-Type": "image/jpeg"}) as resp:
        media = await resp.json()
    await say(system, provider, phone, "вот фото", media_id=media["id"], content_type="image")
    inbound = await comment_where(
        system, task["id"],
        lambda c: c["attachments"] and c["attachments"][0]["state"] == "stored", "stored photo")
    async with system.http.get(system.url("task_sync", inbound["attachments"][0]["url"]),
                               headers={"Authorization": f"Bearer {IVANOVA}"}) as resp:
        assert resp.status == 200 and await resp.read() == photo

    await system.give_to(task["id"])  # only the assignee among managers writes into it
    document = os.urandom(200_000)
    form = aiohttp.FormData()
    form.add_field("text", "Договор во вложении")
    form.add_field("file", document, filename="contract.pdf", content_type="application/pdf")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/comments",
                                    token=IVANOVA, data=form)
    assert status == 201, body
    digest = hashlib.sha256(document).hexdigest()

    received = await eventually(lambda: _file_at_gateway(system, provider, chat),
                                what=f"the document at the {provider} gateway")
    assert received == digest


async def _file_at_gateway(system: System, provider: str, chat: str) -> str | None:
    """The sha256 of the file the gateway got: fetched from our signed URL (Wazzup, chat-api),
    or uploaded and then sent by media id (Meta), read back as a recipient would."""
    for record in await sends(system, provider, chat):
        if (record.get("fetched") or {}).get("sha256"):
            return str(record["fetched"]["sha256"])
        media_id = (record["json"].get("document") or {}).get("id")
        if provider == "meta" and media_id:
            auth = {"Authorization": "Bearer sandbox-meta-token"}
            lookup = await system.sandbox("GET", f"/meta/v21.0/{media_id}", headers=auth)
            async with system.http.get(lookup["url"], headers=auth) as resp:
                return hashlib.sha256(await resp.read()).hexdigest()
    return None


async def test_two_channels_on_different_gateways_run_at_once(system: System) -> None:
    wazzup_chat, meta_chat = new_chat(), new_chat()
    await asyncio.gather(say(system, "wazzup", wazzup_chat, "здравствуйте"),
                         say(system, "meta", meta_chat, "здравствуйте"))
    await asyncio.gather(say(system, "wazzup", wazzup_chat, "1"),
                         say(system, "meta", meta_chat, "1"))
    assert (await texts(system, "wazzup", wazzup_chat, 2))[1] == HOURS
    assert (await texts(system, "meta", meta_chat, 2))[1] == HOURS
    # each reply left through the gateway its customer wrote to, and only that one
    assert await sends(system, "meta", wazzup_chat) == []
    assert await sends(system, "wazzup", meta_chat) == []
    wazzup_task, meta_task = await task_in(system, wazzup_chat), await task_in(system, meta_chat)
    assert (wazzup_task["chat"]["connection"], meta_task["chat"]["connection"]) == \
        ("wazzup", "meta")


async def test_meta_webhooks_need_a_valid_signature(system: System) -> None:
    url = system.url("ingest", "/webhooks/meta/sandbox-meta-webhook-token")
    body = b'{"object": "whatsapp_business_account", "entry": []}'
    async with system.http.post(url, data=body) as resp:
        assert resp.status == 401
    async with system.http.post(url, data=body,
                                headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}) as resp:
        assert resp.status == 403
    async with system.http.get(url, params={"hub.mode": "subscribe", "hub.challenge": "42",
                                            "hub.verify_token": "sandbox-meta-verify-token"}
                               ) as resp:
        assert resp.status == 200 and await resp.text() == "42"
    async with system.http.get(url, params={"hub.mode": "subscribe", "hub.challenge": "42",
                                            "hub.verify_token": "wrong"}) as resp:
        assert resp.status == 403


async def test_a_managers_read_mark_on_a_chat_api_task_reaches_its_read_chat(
        system: System) -> None:
    phone = new_chat()
    chat = chat_id("chat_api", phone)
    await say(system, "chat_api", phone, "здравствуйте")
    task = await task_in(system, chat)
    await comment_where(system, task["id"], lambda c: c["direction"] == "in", "the message")
    assert await _read_chat_calls(system, chat) is None, "nothing is read before a manager"
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/read")
    assert (status, body) == (202, {"sent": True}), body
    [call] = await eventually(lambda: _read_chat_calls(system, chat),
                              what="readChat at the chat-api gateway")
    assert call["response_status"] == 200 and call["response"] == {"read": True}
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/typing")
    assert status == 202 and body["sent"] is False and "typing" in body["reason"], body


async def _read_chat_calls(system: System, chat: str) -> list[dict[str, Any]] | None:
    records = await system.sandbox("GET", "/sandbox/requests", params={"provider": "chat_api"})
    found = [r for r in records if r["path"].endswith("/readChat")
             and (r.get("json") or {}).get("chatId") == chat]
    return found or None
