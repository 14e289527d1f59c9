"""Items of a new user's review of the console: the inbox keeps its order when a live message
arrives while the server's list lags, an empty search says so and offers to clear it, the New
dialogue form starts on a usable channel named as people know it, unknown console addresses show
the console's own "page not found", and rejected import rows are told in the chosen language."""

from __future__ import annotations

import json
import random
from typing import Any

from playwright.async_api import Route, expect

from tests.browser.conftest import Console, handed_over
from tests.e2e.conftest import System, eventually


def phones(n: int) -> tuple[str, list[str]]:
    """``n`` phone-like chat ids sharing a prefix no other test uses (a digits search finds
    them all, and only them)."""
    prefix = "7998" + str(random.randrange(10**5, 10**6))
    return prefix, [f"{prefix}{k:02d}" for k in range(1, n + 1)]


async def test_a_live_message_keeps_its_task_on_top_when_the_servers_list_lags(
    console: Console, system: System,
) -> None:
    prefix, (older, newer) = phones(2)
    first = await handed_over(system, older)
    second = await handed_over(system, newer)
    await console.sign_in("ivanova")
    page = console.page
    await page.locator("#inbox-search").fill(prefix)
    rows = page.locator("a.task")
    await expect(rows).to_have_count(2)
    await expect(rows.first).to_have_attribute("data-task-id", second["id"])
    # from now on the server answers the list as it was before the message (its activity not
    # yet written): the console must not put the task back below the other
    status, stale = await console.api("GET", f"/api/v1/inbox?view=mine&q={prefix}")
    assert status == 200 and [t["id"] for t in stale["items"]] == [second["id"], first["id"]]
    served: list[str] = []

    async def lagging(route: Route) -> None:
        served.append(route.request.url)
        await route.fulfill(status=200, content_type="application/json", body=json.dumps(stale))
    await page.route("**/api/v1/inbox?*", lagging)

    await system.inbound(older, "Есть новости по заказу?")
    await expect(rows.first).to_have_attribute("data-task-id", first["id"])
    await expect(rows.first).to_contain_text("Есть новости по заказу?")
    await eventually(lambda: _async(bool(served)), what="the list reloaded after the message")
    await page.wait_for_load_state("networkidle")
    await expect(rows.first).to_have_attribute("data-task-id", first["id"])
    await expect(rows.nth(1)).to_have_attribute("data-task-id", second["id"])
    await console.shot("live-order-kept")


async def _async(value: Any) -> Any:
    return value


async def test_an_empty_search_says_nothing_was_found_and_offers_to_clear_it(
    console: Console, system: System,
) -> None:
    _, (phone,) = phones(1)
    task = await handed_over(system, phone)
    await console.sign_in("ivanova")
    page = console.page
    row = page.locator(f'a.task[data-task-id="{task["id"]}"]')
    await expect(row).to_be_visible()
    await page.locator("#inbox-search").fill("Нетакогоклиента")
    nothing = page.get_by_test_id("nothing-found")
    await expect(nothing).to_have_text(
        "По запросу «Нетакогоклиента» ничего не найдено. Сбросить поиск и фильтры")
    await expect(page.locator("a.task")).to_have_count(0)
    await console.shot("nothing-found")
    await nothing.get_by_role("button", name="Сбросить поиск и фильтры").click()
    await expect(page.locator("#inbox-search")).to_have_value("")
    await expect(nothing).to_have_count(0)
    await expect(row).to_be_visible()
    # a filter alone narrows the list too, and English says it in English
    await page.get_by_label("Язык интерфейса").select_option("en")
    await page.get_by_text("Filters").click()
    await page.get_by_label("Gateway").select_option("chat_api")
    await expect(nothing).to_have_text("No tasks match the filters. Clear the search and filters")


async def test_a_new_dialogue_starts_on_a_plain_text_channel_named_by_its_gateway(
    console: Console, system: System,
) -> None:
    status, channels = await system.api("GET", "/api/v1/channels")
    assert status == 200, channels
    plain = next(c for c in channels["items"]
                 if c["provider"] == "wazzup" and c.get("transport") == "whatsapp")
    waba = next(c for c in channels["items"] if c.get("transport") == "wapi")
    await console.sign_in("ivanova")
    page = console.page
    await page.get_by_role("button", name="Новый диалог").click()
    dialog = page.get_by_role("dialog")
    pick = dialog.get_by_label("Канал")
    # not Meta, whose first message can only be a template: the first number taking plain text
    chat_api = next(c for c in channels["connections"] if c["provider"] == "chat_api")
    await expect(pick).to_have_value(f"chat_api:{chat_api['channel_id']}")
    await expect(dialog.get_by_text("написать первым можно только шаблоном")).to_have_count(0)
    await expect(dialog.get_by_role("textbox", name="Сообщение")).to_be_visible()
    # by the gateway as people call it; the number's id only where a gateway has several (the
    # connections are named after their gateways here, which tells nothing more)
    await expect(pick.locator("option")).to_have_text([
        "WhatsApp Business (Meta)", "chat-api", f"Wazzup · {plain['channel_id'][:8]}…",
        f"Wazzup (WhatsApp Business) · {waba['channel_id'][:8]}…"])
    await console.shot("new-dialogue-channels")


async def test_an_unknown_console_address_shows_the_consoles_page_not_found(
    console: Console,
) -> None:
    await console.sign_in("ivanova")
    page = console.page
    answer = await page.goto(console.base + "/no/such/page")
    assert answer is not None and answer.status == 404
    missing = page.get_by_test_id("not-found")
    await expect(missing).to_have_text("Такой страницы нет. К списку задач")
    await expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    await console.shot("page-not-found")
    await missing.get_by_role("link", name="К списку задач").click()
    await expect(page).to_have_url(console.base + "/")
    await expect(page.locator("#inbox-search")).to_be_visible()
    # the API's unknown addresses stay JSON
    status, body = await console.api("GET", "/api/v1/no-such-route")
    assert (status, body["error"]) == (404, "not_found")


async def test_rejected_import_rows_are_told_in_the_chosen_language(console: Console) -> None:
    _, (kept, repeated) = phones(2)
    csv_text = ("name;phones;responsible\n"
                f"Импорт {kept[-6:]};{kept};ivanova\n"
                f"Повтор;{kept};\n"
                "Короткий;123;\n"
                f"Никто;{repeated};nobody-{kept[-6:]}\n")
    await console.sign_in("supervisor")
    page = console.page
    await console.open("/admin/contacts")
    await page.locator('input[type="file"]').set_input_files(files=[{
        "name": "contacts.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}])
    report = page.locator('.note[role="status"]')
    await expect(report.locator("li")).to_have_text([
        f"Строка 3: телефон {kept} уже есть в одной из строк выше",
        "Строка 4: в телефоне «123» должно быть от 7 до 15 цифр",
        f"Строка 5: «nobody-{kept[-6:]}» нет среди сотрудников справочника"])
    await console.shot("import-rejections")
    await page.get_by_label("Язык интерфейса").select_option("en")
    await expect(report.locator("li").nth(1)).to_have_text(
        "Row 4: phone «123» must have 7 to 15 digits")
