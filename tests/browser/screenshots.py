"""`make screenshots`: the README's pictures of the console, taken from the demo data on a stack
of their own (in-memory database, free ports, a bus prefix of its own).

    python -m tests.browser.screenshots services/task_sync/console/screenshots
"""

from __future__ import annotations

import asyncio
import os
import struct
import sys
import uuid
import zlib
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page, async_playwright, expect

from deploy.stack import PORT_VARS, ROOT, Stack, free_port
from shared.bus import Topology
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEZONE,
    fill_template,
    password_of,
    templates_listed,
)
from tests.e2e.conftest import System, eventually
from tests.topology_cleanup import delete_topology

SIDOROV = "79011112233"  # in the demo directory, Ivanova's customer
ORLOV = "79013334455"  # in the directory, nobody's: the group's queue
NEW_CUSTOMER = "79035550101"
META_CHANNEL = "100000000000001"


def png(width: int, height: int) -> bytes:
    """A small picture (a parcel label in two colours) without an imaging library."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            stripe = 40 < y < 70 or (20 < x < 40)
            row += bytes((242, 200, 120) if stripe else (250, 244, 230))
        rows.append(bytes(row))
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + \
        chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


async def _task(system: System, phone: str) -> Any:
    return await eventually(lambda: system.task_of(phone), what=f"the task of {phone}")


async def demo_dialogues(system: System) -> dict[str, Any]:
    """Ivanova's conversation with a photo, a quoted answer and read ticks; a queued one."""
    await system.inbound(SIDOROV, "Здравствуйте! Подскажите, где мой заказ?", name="Пётр")
    await system.inbound(SIDOROV, "4", name="Пётр")

    async def handed_over() -> Any:  # the task opens before the hand-over assigns it
        task = await system.task_of(SIDOROV)
        return task if task and task.get("assignee_user_id") == "usr-ivanova" else None
    task = await eventually(handed_over, what="Sidorov's task handed over to Ivanova")
    async with system.http.post(system.url("sandbox", "/sandbox/media"), data=png(160, 110),
                                params={"filename": "nakladnaya.png"},
                                headers={"Content-Type": "image/png"}) as resp:
        media = await resp.json()
    await system.inbound(SIDOROV, "Вот фото накладной, номер 1042", name="Пётр",
                         media_id=media["id"], content_type="image")
    photo = await eventually(lambda: _comment(system, task["id"], "накладной"), what="the photo")
    status, answer = await system.api(
        "POST", f"/api/v1/tasks/{task['id']}/comments", token="demo-manager-ivanova",
        json={"text": "Спасибо! Заказ №1042 передан в доставку, курьер приедет завтра "
                      "с 10 до 14.", "reply_to": photo["id"]})
    assert status == 201, answer
    sent = await eventually(lambda: _comment(system, task["id"], "курьер", "gateway_message_id"),
                            what="the answer sent")
    for step in ("delivered", "read"):
        await system.sandbox("POST", "/sandbox/status", json={
            "message_id": sent["gateway_message_id"], "status": step, "chat_id": SIDOROV})
    await system.inbound(SIDOROV, "Отлично, буду ждать. А можно <b>до 12</b>?", name="Пётр")
    await system.inbound(ORLOV, "Добрый день, хочу оформить возврат", name="Денис")
    await system.inbound(ORLOV, "4", name="Денис")
    await _task(system, ORLOV)
    return dict(task)


async def _comment(system: System, task_id: str, text: str, field: str = "id") -> Any:
    return next((c for c in await system.comments(task_id)
                 if text in c["text"] and c.get(field)), None)


async def sign_in(page: Page, base: str, login: str) -> None:
    await page.goto(f"{base}/login")
    await page.get_by_label("Логин").fill(login)
    await page.get_by_label("Пароль").fill(password_of(login))
    await page.get_by_role("button", name="Войти").click()
    await expect(page.get_by_role("button", name="Выйти")).to_be_visible()


async def take(stack: Stack, out: Path) -> None:
    base = f"http://127.0.0.1:{stack.ports['task_sync']}"
    async with aiohttp.ClientSession() as http:
        system = System(stack, http)
        task = await demo_dialogues(system)
        await templates_listed(system, "meta")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                       args=CHROMIUM_ARGS)
            context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                                locale="ru-RU", timezone_id=TIMEZONE)
            page = await context.new_page()
            await sign_in(page, base, "ivanova")
            await page.goto(f"{base}/tasks/{task['id']}")
            await expect(page.locator(".msg.in", has_text="до 12")).to_be_visible()
            await expect(page.locator(".file-image img")).to_be_visible()
            await page.locator("form.composer textarea").fill("Да, передам курьеру.")
            await page.screenshot(path=str(out / "chat.png"))

            await page.get_by_role("button", name="Новый диалог").click()
            dialog = page.get_by_role("dialog")
            await dialog.get_by_label("Канал").select_option(f"meta:{META_CHANNEL}")
            await dialog.get_by_label("Телефон").fill(NEW_CUSTOMER)
            await fill_template(dialog, "order_ready", ["Ольга", "1042"])
            await dialog.get_by_role("button", name="Начать диалог").click()
            # a closed window offers "send when they return" first; the template is the other way
            await page.get_by_role("button", name="Написать шаблоном").click()
            blocked = page.locator('[data-blocked="window"]')
            await expect(blocked).to_be_visible()
            await fill_template(blocked, "napominanie", ["Ольга"])  # a listed one: its fields
            await page.screenshot(path=str(out / "template.png"))

            await page.set_viewport_size({"width": 390, "height": 780})
            await page.goto(f"{base}/tasks/{task['id']}")
            await expect(page.locator(".msg.in", has_text="до 12")).to_be_visible()
            await expect(page.locator(".file-image img")).to_be_visible()
            await page.screenshot(path=str(out / "phone.png"))
            await context.close()

            context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                                locale="ru-RU", timezone_id=TIMEZONE)
            page = await context.new_page()
            await sign_in(page, base, "admin")
            await page.goto(f"{base}/admin/users")
            await expect(page.locator("table.grid tbody tr").first).to_be_visible()
            await page.screenshot(path=str(out / "admin.png"))

            await page.goto(f"{base}/admin/flows?flow=default")
            await page.locator("[role=treeitem][data-node-id='hours']").click()
            simulator = page.get_by_role("region", name="Симулятор")
            for text in ("Здравствуйте", "1"):
                await simulator.get_by_label("Сообщение клиента").fill(text)
                await simulator.get_by_role("button", name="Отправить").click()
            await expect(simulator.locator(".sim-step")).to_have_count(2)
            await page.screenshot(path=str(out / "flows.png"))
            await browser.close()


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "services/task_sync/console/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    rabbitmq = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    prefix = f"shots{uuid.uuid4().hex[:6]}"
    env = {var: str(free_port()) for var in PORT_VARS.values()}
    env |= {"WABRIDGE_BUS_PREFIX": prefix, "WABRIDGE_BUS_SHARDS": "2", "RABBITMQ_URL": rabbitmq}
    stack = Stack(var_dir=ROOT / ".var" / "screenshots-stack", env=env, memory_db=True,
                  sandbox_only=True)
    try:
        stack.start()
        asyncio.run(take(stack, out))
    finally:
        stack.stop()
        asyncio.run(delete_topology(rabbitmq, Topology(prefix, 2)))
    print(f"screenshots in {out}: " + ", ".join(sorted(p.name for p in out.glob("*.png"))))


if __name__ == "__main__":
    main()
