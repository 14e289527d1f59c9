"""The seed's whole dialogue end to end with First Form as the task system: the four services
as processes, task-sync talking to the sandbox's First Form, managers writing there."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest

from tests.e2e.conftest import CHANNEL, System, eventually, new_chat

BOT, MANAGER, CLOSED = "Диалог с ботом", "Диалог с менеджером", "Закрыта"
GREETING_START = "Здравствуйте! Вас приветствует чат-бот."
HOURS = "Мы работаем с понедельника по пятницу с 9:00 до 18:00 (МСК)."
HANDOVER = "Спасибо! Ваше сообщение передано менеджеру, он скоро ответит."
IVANOVA_FF = 101


@pytest.fixture(scope="module")
def task_system() -> str:
    return "first_form"


async def ff_tasks(system: System, chat: str) -> list[dict[str, Any]]:
    """The chat's tasks in First Form, newest first, with fields, state, performers, feed."""
    found: list[dict[str, Any]] = await system.sandbox(
        "GET", "/sandbox/first-form/tasks", params={"chat_id": chat})
    return found


async def ff_task_where(system: System, chat: str, test: Any, what: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        tasks = await ff_tasks(system, chat)
        return tasks[0] if tasks and test(tasks[0]) else None
    return await eventually(probe, what=what, timeout=20)


def texts_of(ff_task: dict[str, Any]) -> list[str]:
    """The feed's texts without our marker line."""
    return [c["text"].rsplit("\n[wa:", 1)[0] for c in ff_task["comments"]]


async def sent(system: System, chat: str, test: Any, what: str,
               timeout: float = 20) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        return next((r for r in await system.deliveries(chat) if test(r["json"])), None)
    return await eventually(probe, what=what, timeout=timeout)


async def as_manager(system: System, ff_task_id: int, text: str, **extra: Any) -> int:
    made = await system.sandbox("POST", "/sandbox/first-form/comment", json={
        "task_id": ff_task_id, "author_id": IVANOVA_FF, "text": text, **extra})
    assert "id" in made, made
    return int(made["id"])


async def upload(system: System, content: bytes, name: str, mime: str) -> str:
    async with system.http.post(system.url("sandbox", "/sandbox/media"), data=content,
                                params={"filename": name},
                                headers={"Content-Type": mime}) as resp:
        return str((await resp.json())["id"])


async def test_the_seeds_whole_dialogue_with_first_form_as_the_task_system(
    system: System,
) -> None:
    chat = "79011112233"  # Сидоров Пётр: a contact card in First Form; responsible: Иванова
    # greeting: the first message opens a task in the category, in "Диалог с ботом"
    await system.inbound(chat, "Здравствуйте", name="Пётр")
    await sent(system, chat, lambda j: j.get("text", "").startswith(GREETING_START),
               "the greeting")
    task = await ff_task_where(system, chat, lambda t: len(t["comments"]) >= 2,
                               "the task with the greeting")
    assert task["state"] == BOT
    assert task["fields"] == {"Контактное лицо": "60001", "Телефон": chat, "ID чата": chat,
                              "ID канала": CHANNEL}
    assert [c["author"] for c in task["comments"]] == ["WhatsAppRobot", "WhatsAppRobot"]
    assert texts_of(task)[0] == "Здравствуйте" and texts_of(task)[1].startswith(GREETING_START)

    # a code gets the scenario's answer; the task stays with the bot
    await system.inbound(chat, "1")
    await sent(system, chat, lambda j: j.get("text") == HOURS, "the hours")
    task = await ff_task_where(system, chat, lambda t: HOURS in texts_of(t), "hours in the feed")
    assert task["state"] == BOT

    # free text hands the task over to the contact's responsible employee
    await system.inbound(chat, "Хочу уточнить условия договора")
    # (the hand-over and the message's comment travel as separate commands: either may land
    # in First Form first)
    task = await ff_task_where(system, chat, lambda t: t["state"] == MANAGER and t["performers"]
                               and "Хочу уточнить условия договора" in texts_of(t),
                               "the hand-over with the question")
    assert task["performers"] == ["Иванова Мария Сергеевна"]
    await sent(system, chat, lambda j: j.get("text") == HANDOVER, "the hand-over answer")
    question = next(c for c in task["comments"] if c["text"].startswith("Хочу уточнить"))

    # a manager's comment in First Form reaches WhatsApp with the manager's full name
    await as_manager(system, task["id"], "Добрый день, чем помочь?")
    answer = await sent(system, chat, lambda j: j.get("text") ==
                        "*Иванова Мария Сергеевна*:\nДобрый день, чем помочь?",
                        "the manager's comment")

    # the manager replies to a chosen comment: WhatsApp shows a quote of that message
    ours = await system.task_of(chat)
    assert ours is not None and ours["assignee_user_id"] == "usr-ivanova"
    question_here = next(c for c in await system.comments(ours["id"])
                         if c["text"] == "Хочу уточнить условия договора")
    reply_id = await as_manager(system, task["id"], "Условия в договоре, п. 3",
                                reply_to=question["id"])
    reply = await sent(system, chat, lambda j: "п. 3" in j.get("text", ""), "the reply")
    assert reply["json"]["refMessageId"] == question_here["gateway_message_id"]

    # the customer quotes the manager's reply: First Form shows a reply in its thread
    await system.inbound(chat, "Спасибо, понятно", quoted_message_id=reply["response"]["messageId"])
    task = await ff_task_where(system, chat, lambda t: "Спасибо, понятно" in texts_of(t),
                               "the customer's quote in First Form")
    thanks = next(c for c in task["comments"] if c["text"].startswith("Спасибо, понятно"))
    assert thanks["reply_to"] == reply_id
    assert answer["response"]["messageId"] != reply["response"]["messageId"]

    # a customer's file becomes a comment's attachment in First Form, byte for byte
    photo = os.urandom(90_000)
    media = await upload(system, photo, "photo.jpg", "image/jpeg")
    await system.inbound(chat, "вот фото", media_id=media, content_type="image")
    task = await ff_task_where(system, chat, lambda t: any(c["files"] for c in t["comments"]),
                               "the photo in First Form")
    [with_photo] = [c for c in task["comments"] if c["files"]]
    assert with_photo["files"][0]["sha256"] == hashlib.sha256(photo).hexdigest()
    assert with_photo["author"] == "WhatsAppRobot"

    # a manager's file in First Form reaches WhatsApp, byte for byte
    document = os.urandom(120_000)
    doc_media = await upload(system, document, "contract.pdf", "application/pdf")
    await as_manager(system, task["id"], "Договор во вложении", media_ids=[doc_media])
    got = await sent(system, chat, lambda j: "contentUri" in j, "the document at the gateway")

    async def fetched() -> str | None:
        records = [r for r in await system.deliveries(chat) if "contentUri" in r["json"]]
        return next((r["fetched"]["sha256"] for r in records
                     if (r.get("fetched") or {}).get("sha256")), None)
    assert got and await eventually(fetched, what="the fetched document") == \
        hashlib.sha256(document).hexdigest()
    await sent(system, chat, lambda j: j.get("text") ==
               "*Иванова Мария Сергеевна*:\nДоговор во вложении", "the document's text")

    # the manager closes the task in First Form; once wabridge has seen the close, the one
    # next message opens a new task (bot-router may still route it to the closed one for a
    # moment: the adapter then puts it in the chat's next task, never in the closed one)
    await system.sandbox("POST", "/sandbox/first-form/state",
                         json={"task_id": task["id"], "state": CLOSED})

    async def closed_here() -> bool:
        return (await system.task_of(chat) or {}).get("status") == CLOSED
    await eventually(closed_here, what="the close seen by wabridge", timeout=20)
    await system.inbound(chat, "Снова я")
    second = await ff_task_where(system, chat, lambda t: t["id"] != task["id"]
                                 and "Снова я" in texts_of(t), "the new task with the message")
    assert second["state"] == BOT
    assert second["fields"]["ID чата"] == chat
    old = next(t for t in await ff_tasks(system, chat) if t["id"] == task["id"])
    assert old["state"] == CLOSED and "Снова я" not in texts_of(old)
    assert [t["id"] for t in await ff_tasks(system, chat) if t["state"] != CLOSED] == \
        [second["id"]]


async def test_first_form_down_delays_messages_but_loses_and_doubles_none(
    system: System,
) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/first-form/fail", json={
        "count": 4, "status": 503, "path": "/api/tasks/create", "retry_after": 0.2})
    await system.inbound(chat, "Здравствуйте")
    task = await ff_task_where(system, chat, lambda t: len(t["comments"]) >= 2, "the task")
    refused = [r for r in await system.sandbox("GET", "/sandbox/requests",
                                                params={"provider": "first_form"})
               if r["path"].endswith("/api/tasks/create") and r["response_status"] == 503]
    assert refused  # First Form refused; the command was retried until it went through
    await system.sandbox("POST", "/sandbox/first-form/fail", json={
        "count": 1, "status": 502, "path": "wa-comment", "after_effect": True})
    await system.inbound(chat, "второе сообщение")

    async def settled() -> dict[str, Any] | None:
        tasks = await ff_tasks(system, chat)
        texts = texts_of(tasks[0]) if tasks else []
        return tasks[0] if "второе сообщение" in texts else None
    task = await eventually(settled, what="the second message", timeout=20)
    assert len(await ff_tasks(system, chat)) == 1
    assert texts_of(task).count("второе сообщение") == 1
    assert texts_of(task).count("Здравствуйте") == 1


async def test_a_manager_comment_is_sent_once_even_after_task_sync_restarts(
    system: System,
) -> None:
    chat = new_chat()
    await system.inbound(chat, "Здравствуйте")
    task = await ff_task_where(system, chat, lambda t: len(t["comments"]) >= 2, "the task")
    await as_manager(system, task["id"], "Ответ менеджера")
    await sent(system, chat, lambda j: "Ответ менеджера" in j.get("text", ""), "the answer")
    system.stack.kill("task_sync")
    system.stack.restart("task_sync")
    await as_manager(system, task["id"], "Второй ответ")
    # the new process takes over polling once the killed one's lease (10 s here) runs out
    await sent(system, chat, lambda j: "Второй ответ" in j.get("text", ""), "the second answer",
               timeout=40)
    texts = await system.texts_sent(chat)
    assert sum("Ответ менеджера" in t for t in texts) == 1
    assert sum("Второй ответ" in t for t in texts) == 1
