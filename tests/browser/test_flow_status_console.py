"""Issue 12 in the browser: the status a bot flow's item sets is chosen from the task system's
statuses (a labelled select, by keyboard too), and a stored draft naming a status nobody knows
shows it marked and cannot be published until a known one is chosen."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page, expect

from tests.browser.conftest import Console
from tests.e2e.conftest import System

UNKNOWN = "Ожидает звонка"
CHOICES = ["— выберите статус —", "Диалог с ботом — бот продолжает диалог",
           "Диалог с менеджером — чат переходит к менеджерам", "Закрыта — задача закрывается"]


async def open_flow(console: Console) -> Page:
    await console.sign_in("admin")
    await console.open("/admin/flows")
    page = console.page
    await page.get_by_role("link", name="Общий сценарий").first.click()
    await expect(page.get_by_role("tree", name="Меню бота")).to_be_visible()
    return page


async def publish(page: Page, note: str) -> None:
    await page.locator(".flow-head").get_by_role("button", name="Опубликовать").click()
    dialog = page.get_by_role("dialog", name="Опубликовать черновик")
    await dialog.get_by_label("Что изменилось").fill(note)
    await dialog.get_by_role("button", name="Опубликовать").click()


async def published_action(system: System, version: int, title: str) -> Any:
    status, body = await system.api("GET", f"/api/v1/flows/default/versions/{version}")
    assert status == 200, body
    return next(c for c in body["flow"]["root"]["children"] if c.get("title") == title)["action"]


async def test_a_new_items_status_is_chosen_from_the_task_systems_by_keyboard_and_published(
    console: Console, system: System, flows_restored: int,
) -> None:
    page = await open_flow(console)
    await page.get_by_role("group", name="Действия с пунктом меню").get_by_role(
        "button", name="+ Подпункт").click()
    await page.get_by_label("Название (кнопка, строка списка, строка меню)").fill("Вопрос решён")
    await page.get_by_label("Коды", exact=True).fill("7")
    await page.get_by_label("Коды", exact=True).press("Enter")
    await page.get_by_label("Ответ бота").fill("Спасибо! Рады были помочь.")
    await page.get_by_label("Что ещё делает бот").select_option(label="сменить статус задачи")

    status = page.get_by_label("Статус", exact=True)
    await expect(status).to_have_value("")
    await expect(status.locator("option")).to_have_text(CHOICES)
    await status.focus()
    for _ in range(3):  # past the bot's and the managers' status to the closed one
        await page.keyboard.press("ArrowDown")
    await expect(status).to_have_value("Закрыта")
    await console.shot("set-status-select")

    await page.keyboard.press("Control+s")
    await expect(page.locator(".flows > .note")).to_contain_text("Черновик сохранён")
    await publish(page, "Закрытие из меню")
    version = flows_restored + 1
    await expect(page.locator(".flows > .note")).to_have_text(f"Опубликована версия {version}.")
    assert await published_action(system, version, "Вопрос решён") == {
        "type": "set_status", "status": "Закрыта"}


async def test_a_stored_unknown_status_is_marked_and_blocks_publishing_until_replaced(
    console: Console, system: System, flows_restored: int,
) -> None:
    status, view = await system.api("GET", "/api/v1/flows/default/draft")
    assert status == 200, view
    item = {"id": "callback", "title": "Перезвоните мне", "triggers": {"codes": ["8"]},
            "answer": "Перезвоним в течение часа.",
            "action": {"type": "set_status", "status": UNKNOWN}}
    flow = view["flow"]
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft", json=flow | {
        "root": flow["root"] | {"children": [*flow["root"]["children"], item]}})
    assert status == 200 and [p["code"] for p in saved["problems"]] == ["unknown_status"]

    page = await open_flow(console)
    await page.get_by_role("tree", name="Меню бота").get_by_role(
        "treeitem", name="Перезвоните мне — ошибок: 1").click()
    select = page.get_by_label("Статус", exact=True)
    await expect(select).to_have_value(UNKNOWN)
    await expect(select).to_have_attribute("aria-invalid", "true")
    await expect(select.locator("option:checked")).to_have_text(f"нет такого статуса: {UNKNOWN}")
    await expect(page.locator(".problems-inline li[data-code='unknown_status']")).to_contain_text(
        "Нет такого статуса")
    publish_button = page.locator(".flow-head").get_by_role("button", name="Опубликовать")
    await expect(publish_button).to_be_disabled()
    await select.scroll_into_view_if_needed()
    await console.shot("unknown-status")

    await select.select_option(label="Диалог с менеджером — чат переходит к менеджерам")
    await expect(select.locator("option", has_text=UNKNOWN)).to_have_count(0)
    await page.locator(".flow-head").get_by_role("button", name="Сохранить черновик").click()
    await expect(page.locator(".flows > .note")).to_contain_text("Черновик сохранён")
    await expect(publish_button).to_be_enabled()
    await publish(page, "Звонок — менеджерам")
    version = flows_restored + 1
    await expect(page.locator(".flows > .note")).to_have_text(f"Опубликована версия {version}.")
    assert await published_action(system, version, "Перезвоните мне") == {
        "type": "set_status", "status": "Диалог с менеджером"}
