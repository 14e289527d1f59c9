"""Issue 13 in the browser: a reply written after the 24-hour window closed waits for the
customer (shown as waiting, cancellable) and goes out live when they write again; a missed
response deadline shows on the task and in the inbox, and its notice rings the bell."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import ADMIN_TOKEN, Console, templates_listed
from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

META_CHANNEL = "100000000000001"
GROUP = "grp-contact-centre"
SUPERVISOR = "demo-supervisor-token"


async def closed_window_chat(system: System) -> tuple[str, str]:
    """A Meta chat Ivanova started with a template: the customer has not written, so the
    24-hour window is closed. Returns (phone, task id)."""
    phone = new_chat()
    await templates_listed(system, "meta")
    status, started = await system.api("POST", "/api/v1/conversations", token=IVANOVA, json={
        "channel_id": META_CHANNEL, "provider": "meta", "phone": phone,
        "template_id": "order_ready", "template_values": ["Олег", "12"],
        "template_language": "ru"})
    assert status == 201, started
    return phone, started["task"]["id"]


async def texts_at_meta(system: System, phone: str) -> list[str]:
    records = await system.sandbox("GET", "/sandbox/requests", params={
        "provider": "meta", "chat_id": phone, "delivered": "true"})
    return [r["json"]["text"]["body"] for r in records if r["json"]["type"] == "text"]


async def test_a_held_reply_waits_can_be_cancelled_and_goes_out_when_the_customer_writes(
    console: Console, system: System,
) -> None:
    phone, task_id = await closed_window_chat(system)
    await console.sign_in("ivanova")
    page = console.page
    await console.open(f"/tasks/{task_id}")
    composer = page.locator('form.composer[data-hold="true"]')
    await expect(composer.get_by_test_id("held-explain")).to_contain_text(
        "уйдёт сам, как только клиент напишет снова")

    send = composer.get_by_role("button", name="Отправить, когда клиент напишет")
    for text in ("Передумал, не отправляйте", "Заказ готов, ждём вас"):
        await composer.locator("textarea").fill(text)
        await send.click()
        await expect(page.locator('li.msg[data-delivery="held"]', has_text=text)).to_be_visible()
        await expect(composer.locator("textarea")).to_have_value("")  # the post answered
        await expect(send).to_be_enabled()
    withdrawn = page.locator("li.msg", has_text="Передумал, не отправляйте")
    kept = page.locator("li.msg", has_text="Заказ готов, ждём вас")
    await expect(kept.get_by_test_id("held-state")).to_contain_text(
        "Будет отправлено, когда клиент напишет снова")
    await console.shot("held")

    await withdrawn.get_by_role("button", name="Отменить").click()
    await expect(withdrawn.get_by_text("Отменить это сообщение?")).to_be_visible()
    await console.shot("cancel-confirm")
    await withdrawn.get_by_role("button", name="Да, отменить").click()
    await expect(withdrawn).to_have_attribute("data-delivery", "cancelled")
    await expect(withdrawn.get_by_test_id("cancelled-state")).to_be_visible()
    await expect(kept).to_have_attribute("data-delivery", "held")
    assert await texts_at_meta(system, phone) == []  # nothing went while the customer is away

    await system.inbound(phone, "Спасибо, зайду", provider="meta")
    await expect(page.locator("li.msg.in", has_text="Спасибо, зайду")).to_be_visible()
    await expect(kept).to_have_attribute("data-delivery", "sent", timeout=15_000)
    await expect(kept.get_by_test_id("held-state")).to_have_count(0)
    # the window is open again: the composer sends at once
    await expect(page.locator("form.composer").get_by_role("button", name="Отправить",
                                                            exact=True)).to_be_visible()
    await expect(page.get_by_test_id("window-state")).to_contain_text("открыто")

    async def released() -> list[str] | None:
        return await texts_at_meta(system, phone) or None
    sent = await eventually(released, what="the held reply at Meta")
    assert len(sent) == 1 and sent[0].endswith("Заказ готов, ждём вас")
    await expect(withdrawn).to_have_attribute("data-delivery", "cancelled")
    assert console.errors == []
    await console.shot("released")


@pytest.fixture
async def claim_only_afterwards(system: System) -> AsyncIterator[None]:
    yield
    await system.set_group_policy(GROUP, mode="claim")


async def test_a_missed_first_response_shows_overdue_and_rings_the_supervisors_bell(
    console: Console, system: System, claim_only_afterwards: None,
) -> None:
    status, before = await system.api("GET", "/api/v1/notices", token=SUPERVISOR)
    assert status == 200, before
    status, _ = await system.api("POST", "/api/v1/notices/read", token=SUPERVISOR,
                                 json={"all": True})
    assert status == 200
    await console.sign_in("supervisor")
    page = console.page
    bell = page.get_by_test_id("notices-bell")
    await expect(bell).to_be_visible()
    await expect(page.get_by_test_id("notices-unread")).to_have_count(0)

    await system.set_group_policy(GROUP, mode="claim", first_response_minutes=0.1)  # 6 seconds
    phone = new_chat()
    status, body = await system.api("POST", "/api/v1/contacts", token=ADMIN_TOKEN, json={
        "name": f"Клиент {phone[-4:]}", "phones": [phone]})
    assert status == 201, body
    await system.inbound(phone, "Здравствуйте")
    await system.inbound(phone, "4")

    async def queued() -> Any:
        task = await system.task_of(phone)
        return task if task and task.get("sla_due_at") else None
    task = await eventually(queued, what="the handed-over task with its deadline")
    await console.open(f"/tasks/{task['id']}?view=queue")
    row = page.locator(f'a.task[data-task-id="{task["id"]}"]')
    await expect(row.get_by_test_id("sla-chip")).to_contain_text("ответить до")
    await expect(page.get_by_test_id("sla-deadline")).to_contain_text("первый ответ")
    await console.shot("deadline")
    await page.get_by_text("Фильтры").click()
    await page.get_by_test_id("inbox-sort").select_option("due")
    await expect(page.locator("a.task").first).to_have_attribute("data-task-id", task["id"])

    # the deadline passes: the notice arrives live, the bell counts it, the card says overdue
    await expect(page.get_by_test_id("notices-unread")).to_have_text("1", timeout=20_000)
    await expect(page.get_by_test_id("sla-deadline")).to_have_attribute("data-overdue", "true")
    await expect(row.get_by_test_id("sla-chip")).to_have_text("просрочено")
    await bell.click()
    panel = page.get_by_test_id("notices")
    notice = panel.locator("li.unread", has_text="Просрочен первый ответ клиенту")
    await expect(notice).to_contain_text("Просрочен ответ")
    await console.shot("bell")
    # on a phone, in English: the panel spans the screen under the top bar
    await page.set_viewport_size({"width": 390, "height": 800})
    await page.locator(".lang select").select_option("en")
    await expect(panel.get_by_role("button", name="Mark all read")).to_be_visible()
    await expect(notice).to_contain_text("Reply overdue")
    await console.shot("bell-phone-en")
    await page.locator(".lang select").select_option("ru")
    await page.set_viewport_size({"width": 1280, "height": 800})

    await panel.get_by_role("button", name="Прочитать все").click()
    await expect(page.get_by_test_id("notices-unread")).to_have_count(0)
    await expect(panel.locator("li.unread")).to_have_count(0)
    status, after = await system.api("GET", "/api/v1/notices", token=SUPERVISOR)
    assert status == 200 and after["unread"] == 0, after
    await panel.locator("li", has_text="Просрочен первый ответ клиенту").get_by_role(
        "link", name="Открыть задачу").click()
    await expect(page).to_have_url(f"{console.base}/tasks/{task['id']}?view=all")
    assert console.errors == []
