"""Issue 11 in the browser, on a Meta chat: a manager reacts to a customer's message and takes
it back, a customer's reaction shows on the manager's message, opening a chat marks the
customer's messages read, and typing shows "typing…" at most once per 5 seconds."""

from __future__ import annotations

import re
import time
from itertools import pairwise
from typing import Any

from playwright.async_api import Request, ViewportSize, expect

from tests.browser.conftest import ADMIN_TOKEN, Console
from tests.e2e.conftest import System, eventually, new_chat

PHONE_VIEW: ViewportSize = {"width": 390, "height": 844}
DESK_VIEW: ViewportSize = {"width": 1280, "height": 800}
TYPING_EVERY_S = 5


async def meta_chat_handed_over(system: System, phone: str) -> Any:
    """A customer of Ivanova's writes on the Meta channel and asks the bot for a manager."""
    status, body = await system.api("POST", "/api/v1/contacts", token=ADMIN_TOKEN, json={
        "name": f"Клиент {phone[-4:]}", "phones": [phone],
        "responsible_user_id": "usr-ivanova"})
    assert status == 201, body
    await meta_inbound(system, phone, "Здравствуйте, заказ 1042 готов?", f"wamid.hi-{phone}")
    await meta_inbound(system, phone, "4", f"wamid.four-{phone}")

    async def assigned() -> Any:
        task = await system.task_of(phone)
        return task if task and task.get("assignee_user_id") == "usr-ivanova" else None
    return await eventually(assigned, what="the Meta task handed over to Ivanova")


async def meta_inbound(system: System, phone: str, text: str | None, message_id: str,
                       **spec: Any) -> None:
    """The customer writes (or reacts: ``kind="reaction"``) through the sandbox's Meta."""
    body = {"provider": "meta", "chat_id": phone, "name": "Пётр", "message_id": message_id,
            **({"text": text} if text is not None else {}), **spec}
    async with system.http.post(system.url("sandbox", "/sandbox/inbound"), json=body) as resp:
        answer = await resp.json()
    assert resp.status == 200 and answer["ingest_status"] == 200, answer


async def meta_calls(system: System, test: Any) -> list[dict[str, Any]] | None:
    """What the sandbox's Meta received (read marks, typing, reactions) that passes ``test``."""
    found = [r["json"] for r in await system.sandbox("GET", "/sandbox/requests",
                                                     params={"provider": "meta"})
             if isinstance(r.get("json"), dict) and test(r["json"])]
    return found or None


def reacted(message_id: str, emoji: str) -> Any:
    return lambda j: j.get("reaction") == {"message_id": message_id, "emoji": emoji}


async def open_chat(console: Console, task_id: str) -> None:
    await console.open(f"/tasks/{task_id}")
    await expect(console.page.locator(".msg.in", has_text="заказ 1042")).to_be_visible()


async def test_a_manager_reacts_to_a_customers_message_and_takes_it_back_in_whatsapp(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await meta_chat_handed_over(system, phone)
    await console.sign_in("ivanova")
    await open_chat(console, task["id"])
    page = console.page
    message = page.locator(".msg.in", has_text="заказ 1042")
    trigger = message.get_by_role("button", name=re.compile("^Реакция на сообщение"))

    # from the keyboard: open the bar, move to ❤️, choose it
    await trigger.focus()
    await page.keyboard.press("Enter")
    bar = message.get_by_role("toolbar", name="Выберите реакцию")
    await expect(bar.get_by_role("button", name="Поставить реакцию 👍")).to_be_focused()
    await console.shot("picker")
    await page.keyboard.press("ArrowRight")
    await expect(bar.get_by_role("button", name="Поставить реакцию ❤️")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(bar).to_have_count(0)
    await expect(trigger).to_be_focused()
    ours = message.locator('.reactions [data-from="out"]')
    await expect(ours).to_have_text("❤️")
    await eventually(lambda: meta_calls(system, reacted(f"wamid.hi-{phone}", "❤️")),
                     what="the reaction at Meta")
    # the reaction is shown on the message, never as a message of its own
    await expect(page.locator(".msg", has_text="[reaction")).to_have_count(0)
    await console.shot("reacted")
    # our own reaction is no news in the inbox
    row = page.locator(f'a.task[data-task-id="{task["id"]}"] .task-preview')
    await expect(row).to_contain_text("Соединяем вас")
    await page.set_viewport_size(PHONE_VIEW)
    await expect(ours).to_be_visible()
    await console.shot("reacted-phone")
    await trigger.click()
    await expect(bar.get_by_role("button", name="Убрать реакцию ❤️")).to_be_focused()
    await expect(bar).to_be_in_viewport()
    await console.shot("picker-phone")
    await page.keyboard.press("Escape")
    await expect(bar).to_have_count(0)
    await expect(trigger).to_be_focused()
    await page.set_viewport_size(DESK_VIEW)

    await page.reload()  # the server shows it on the message too
    await expect(ours).to_have_text("❤️")
    await message.get_by_role("button", name=re.compile("^Наша реакция ❤️")).click()
    await expect(message.locator(".reactions")).to_have_count(0)
    await eventually(lambda: meta_calls(system, reacted(f"wamid.hi-{phone}", "")),
                     what="the reaction taken back at Meta")
    await page.reload()
    await expect(message).to_be_visible()
    await expect(message.locator(".reactions")).to_have_count(0)
    assert console.errors == []


async def test_a_customers_reaction_shows_live_on_the_managers_message(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await meta_chat_handed_over(system, phone)
    await console.sign_in("ivanova")
    await open_chat(console, task["id"])
    page = console.page
    await page.get_by_role("textbox", name="Ответ клиенту").fill("Да, заказ 1042 готов к выдаче")
    await page.get_by_role("button", name="Отправить").click()

    async def sent() -> Any:
        return next((c for c in await system.comments(task["id"])
                     if c["text"].startswith("Да, заказ") and c.get("gateway_message_id")), None)
    answer = await eventually(sent, what="the answer sent to Meta")
    await page.evaluate("window.__notReloaded = true")

    await meta_inbound(system, phone, None, f"wamid.like-{phone}", kind="reaction", emoji="👍",
                       target_message_id=answer["gateway_message_id"])
    mine = page.locator(".msg.out", has_text="готов к выдаче")
    theirs = mine.locator('.reactions [data-from="in"]')
    await expect(theirs).to_have_text("👍")
    await expect(theirs.get_by_role("img", name=re.compile("^👍 от "))).to_be_visible()
    await expect(page.locator(".msg", has_text="[reaction")).to_have_count(0)
    await expect(page.locator(f'a.task[data-task-id="{task["id"]}"] .task-preview')) \
        .to_have_text("Реакция 👍")
    assert await page.evaluate("window.__notReloaded === true")
    await console.shot("customer-reacted")
    await page.set_viewport_size(PHONE_VIEW)
    await expect(theirs).to_be_visible()
    await console.shot("customer-reacted-phone")

    await meta_inbound(system, phone, None, f"wamid.unlike-{phone}", kind="reaction", emoji="",
                       target_message_id=answer["gateway_message_id"])
    await expect(mine.locator(".reactions")).to_have_count(0)
    await page.reload()
    await expect(mine).to_be_visible()
    await expect(mine.locator(".reactions")).to_have_count(0)
    assert console.errors == []


async def test_opening_a_chat_marks_the_customers_messages_read_at_meta(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await meta_chat_handed_over(system, phone)
    newest = f"wamid.four-{phone}"
    read_mark = lambda j: j.get("status") == "read" and j.get("message_id") == newest  # noqa: E731
    await console.sign_in("ivanova")
    assert await meta_calls(system, read_mark) is None, "marked read before anyone opened it"

    await open_chat(console, task["id"])

    await eventually(lambda: meta_calls(system, read_mark), what="Meta's read mark")
    await console.shot("read")


async def test_typing_in_the_composer_shows_typing_at_most_once_per_five_seconds(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await meta_chat_handed_over(system, phone)
    await console.sign_in("ivanova")
    await open_chat(console, task["id"])
    page = console.page
    signals: list[float] = []

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith(f"/tasks/{task['id']}/typing"):
            signals.append(time.monotonic())
    page.on("request", on_request)

    box = page.get_by_role("textbox", name="Ответ клиенту")
    await box.click()
    started = time.monotonic()
    # a person typing a sentence for longer than 5 seconds
    await box.press_sequentially("Сейчас проверю, где ваш заказ, минуточку", delay=170)
    typed_for = time.monotonic() - started
    await expect(box).to_have_value("Сейчас проверю, где ваш заказ, минуточку")

    assert typed_for > TYPING_EVERY_S, typed_for
    gaps = [b - a for a, b in pairwise(signals)]
    assert 2 <= len(signals) <= 1 + typed_for / TYPING_EVERY_S, (signals, typed_for)
    assert all(gap > TYPING_EVERY_S - 0.5 for gap in gaps), gaps
    await eventually(lambda: meta_calls(system, lambda j: j.get("typing_indicator") == {
        "type": "text"} and j.get("message_id") == f"wamid.four-{phone}"),
        what="the typing indicator at Meta")
    await console.shot("typing")


async def test_a_reaction_to_an_older_message_moves_onto_it_when_that_page_loads(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await meta_chat_handed_over(system, phone)
    for n in range(1, 51):  # a page of answers between the message and the reaction
        status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/comments",
                                        token="demo-manager-ivanova",
                                        json={"text": f"Ответ {n}"})
        assert status == 201, body
    await meta_inbound(system, phone, None, f"wamid.late-{phone}", kind="reaction", emoji="🙏",
                       target_message_id=f"wamid.hi-{phone}")

    async def folded() -> Any:
        return next((c for c in await system.comments(task["id"])
                     if c.get("reaction") == "🙏" and c.get("reply_to_comment_id")), None)
    await eventually(folded, what="the late reaction, naming its message")
    await console.sign_in("ivanova")
    await console.open(f"/tasks/{task['id']}")
    page = console.page
    # its message is on the older page: meanwhile the reaction shows by itself, quoting it
    alone = page.locator(".msg.in", has_text="Реакция 🙏")
    await expect(alone).to_be_visible()
    await expect(alone.locator(".quote")).to_contain_text("заказ 1042")
    await page.get_by_role("button", name="Загрузить более ранние сообщения").click()
    message = page.locator(".msg.in", has_text="заказ 1042")
    await expect(message.locator('.reactions [data-from="in"]')).to_have_text("🙏")
    await expect(alone).to_have_count(0)
    await message.scroll_into_view_if_needed()
    await console.shot("older-page")
