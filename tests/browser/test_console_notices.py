"""Issue 9 review in the browser: a hand-over and a status change show as notices between the
messages, the second live without a reload; the Channels page says how long ago each
channel's last webhook came."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.browser.conftest import ADMIN_TOKEN, Console
from tests.e2e.conftest import CHANNEL, System, eventually, new_chat


async def test_a_hand_over_and_a_close_show_as_notices_in_the_chat(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    status, body = await system.api("POST", "/api/v1/contacts", token=ADMIN_TOKEN, json={
        "name": f"Клиент {phone[-4:]}", "phones": [phone], "responsible_user_id": "usr-ivanova"})
    assert status == 201, body
    await system.inbound(phone, "Здравствуйте")
    await eventually(lambda: system.task_of(phone), what="the task")
    await system.inbound(phone, "4")

    async def assigned() -> dict[str, str] | None:
        task = await system.task_of(phone)
        return task if task and task.get("assignee_user_id") == "usr-ivanova" else None
    task = await eventually(assigned, what="the hand-over to Ivanova")

    await console.sign_in("ivanova")
    await console.open(f"/tasks/{task['id']}")
    page = console.page
    await expect(page.locator("li.notice", has_text="Передано менеджеру: ")).to_be_visible()

    status, body = await console.api("PATCH", f"/api/v1/tasks/{task['id']}",
                                     data={"status": "Закрыта"})
    assert status == 200, body
    closed = page.locator("li.notice", has_text="Статус: Диалог с менеджером → Закрыта")
    await expect(closed).to_be_visible()  # live, no reload
    await console.shot("notices")


async def test_the_channels_page_says_how_long_ago_the_last_webhook_came(
    console: Console, system: System,
) -> None:
    await system.inbound(new_chat(), "Здравствуйте")  # a webhook on the sandbox's channel

    async def reported() -> bool:
        _, body = await system.api("GET", "/api/v1/channels", token=ADMIN_TOKEN)
        return any(c["channel_id"] == CHANNEL and c.get("last_webhook_at")
                   for c in body["items"])
    await eventually(reported, what="the channel's last webhook")

    await console.sign_in("admin")
    await console.open("/admin/channels")
    when = console.page.locator(f'tr[data-channel-id="{CHANNEL}"] td.last-webhook time')
    await expect(when).to_have_text(re.compile(r"назад|сейчас|только что"))
