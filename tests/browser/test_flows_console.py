"""Issue 12 in the browser: an admin edits the bot's flow (a sub-menu, a duplicate trigger that
blocks publishing until fixed), tries it in the simulator (a button tap, an out-of-hours time),
restores an earlier version and replays a real conversation against the draft."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from playwright.async_api import FilePayload, Page, expect

from tests.browser.conftest import Console, live_version
from tests.e2e.conftest import System, eventually, new_chat

WEDNESDAY_NOON = "2026-01-14T12:00"  # Moscow time (the browser's): open on weekdays
SUNDAY_NIGHT = "2026-01-04T03:00"  # closed by any of the hours below
CLOSED_TEXT = "Сейчас мы не работаем, ответим в рабочее время."


async def draft_view(system: System) -> dict[str, Any]:
    status, body = await system.api("GET", "/api/v1/flows/default/draft")
    assert status == 200, body
    return dict(body)


def delivery_menu() -> dict[str, Any]:
    """A sub-menu offered as buttons, two choices deep."""
    return {"id": "delivery", "title": "Доставка", "triggers": {"codes": ["5"]},
            "answer": "Куда доставить?", "offer": "buttons", "children": [
                {"id": "moscow", "title": "Москва", "answer": "Курьер приедет завтра."},
                {"id": "region", "title": "Регион", "answer": "Отправим почтой, 5 дней."}]}


async def open_flow(console: Console, tab: str = "") -> Page:
    await console.sign_in("admin")
    await console.open("/admin/flows")
    page = console.page
    await page.get_by_role("link", name="Общий сценарий").first.click()
    await expect(page.get_by_role("tree", name="Меню бота")).to_be_visible()
    if tab:
        await page.get_by_role("navigation", name="Разделы сценария").get_by_role(
            "link", name=tab).click()
    return page


async def add_node(page: Page, button: str, title: str, code: str, answer: str) -> None:
    await page.get_by_role("group", name="Действия с пунктом меню").get_by_role(
        "button", name=button).click()
    title_input = page.get_by_label("Название (кнопка, строка списка, строка меню)")
    await expect(title_input).to_be_focused()
    await title_input.fill(title)
    await page.get_by_label("Коды", exact=True).fill(code)
    await page.get_by_label("Коды", exact=True).press("Enter")
    await page.get_by_label("Ответ бота").fill(answer)


async def test_a_sub_menu_with_a_duplicate_trigger_cannot_be_published_until_fixed(
    console: Console, system: System, flows_restored: int,
) -> None:
    page = await open_flow(console)
    await add_node(page, "+ Подпункт", "Доставка", "5", "Куда доставить?")
    await page.get_by_label("Подпункты предлагаются").select_option(label="кнопками")
    await add_node(page, "+ Подпункт", "Москва", "1", "Курьер приедет завтра.")
    await add_node(page, "+ Пункт рядом", "Регион", "1", "Отправим почтой, 5 дней.")
    tree = page.get_by_role("tree", name="Меню бота")
    await expect(tree.get_by_role("treeitem", name="Регион")).to_have_attribute(
        "aria-selected", "true")
    await expect(page.get_by_text("есть несохранённые изменения")).to_be_visible()

    await page.keyboard.press("Control+s")
    region = tree.get_by_role("treeitem", name=re.compile(r"^Регион — ошибок: \d+$"))
    await expect(region).to_be_visible()
    inline = page.locator(".problems-inline li[data-code='duplicate_trigger']")
    await expect(inline).to_contain_text("Тот же код, слово или кнопка — у соседнего пункта")
    publish = page.locator(".flow-head").get_by_role("button", name="Опубликовать")
    await expect(publish).to_be_disabled()
    await expect(page.get_by_text(re.compile("Публикация невозможна"))).to_be_visible()
    await console.shot("duplicate-trigger")

    title = page.get_by_label("Название (кнопка, строка списка, строка меню)")
    await tree.get_by_role("treeitem", name="Москва").click()
    await expect(title).to_have_value("Москва")
    await page.keyboard.press("ArrowLeft")  # the tree is walked with the keyboard
    await expect(tree.get_by_role("treeitem", name="Доставка")).to_be_focused()
    await expect(title).to_have_value("Доставка")
    await page.keyboard.press("ArrowDown")
    await expect(tree.get_by_role("treeitem", name="Москва")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(title).to_be_focused()
    await page.locator(".problem-list").get_by_role("button", name="Регион").click()
    await expect(region).to_have_attribute("aria-selected", "true")
    await page.get_by_role("button", name="Убрать «1»").click()
    await page.get_by_label("Коды", exact=True).fill("2")
    await page.get_by_label("Коды", exact=True).press("Enter")
    await page.locator(".flow-head").get_by_role("button", name="Сохранить черновик").click()
    await expect(page.locator(".flows > .note")).to_contain_text("Черновик сохранён")
    await expect(page.locator(".problem-list")).to_have_count(0)
    await expect(publish).to_be_enabled()

    await publish.click()
    dialog = page.get_by_role("dialog", name="Опубликовать черновик")
    await dialog.get_by_label("Что изменилось").fill("Меню доставки")
    await dialog.get_by_role("button", name="Опубликовать").click()
    new_version = flows_restored + 1
    await expect(page.locator(".flows > .note")).to_have_text(f"Опубликована версия {new_version}.")
    await expect(page.get_by_test_id("flow-status")).to_contain_text(
        f"действует версия {new_version}")
    assert await live_version(system) == new_version
    status, published = await system.api("GET", f"/api/v1/flows/default/versions/{new_version}")
    assert status == 200, published
    delivery = next(c for c in published["flow"]["root"]["children"] if c["title"] == "Доставка")
    assert [(c["title"], c["triggers"]["codes"]) for c in delivery["children"]] == [
        ("Москва", ["1"]), ("Регион", ["2"])]
    assert published["note"] == "Меню доставки" and delivery["offer"] == "buttons"
    await console.shot("published")


async def test_the_simulator_walks_a_sub_menu_by_button_and_answers_out_of_hours(
    console: Console, system: System, flows_restored: int,
) -> None:
    flow = (await draft_view(system))["flow"]
    flow["root"]["children"].append(delivery_menu())
    flow["closed_text"] = CLOSED_TEXT
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft", json=flow)
    assert status == 200 and saved["problems"] == [], saved

    page = await open_flow(console, "Часы работы")
    sim_time = page.get_by_role("region", name="Симулятор").get_by_label("Время")
    await page.get_by_label("У бота есть часы работы").check()
    await expect(page.locator(".week-row[data-day='mon'] input").first).to_have_value("09:00")
    await page.get_by_role("button", name="Воскресенье: добавить интервал").click()
    await page.get_by_label("Воскресенье, начало интервала 1").fill("10:00")
    await page.get_by_label("Воскресенье, конец интервала 1").fill("16:00")
    await page.get_by_role("button", name="Сохранить часы работы").click()
    await expect(page.get_by_text("Часы работы сохранены в черновике.")).to_be_visible()
    hours = (await draft_view(system))["flow"]["hours"]
    assert hours["timezone"] == "Europe/Moscow" and {"day": "sun", "start": "10:00",
                                                     "end": "16:00"} in hours["hours"]
    await console.shot("business-hours")

    await page.get_by_role("link", name="Редактор").click()
    sim = page.get_by_role("region", name="Симулятор")
    log = sim.get_by_role("list", name="Диалог с ботом")
    await sim_time.fill(WEDNESDAY_NOON)
    await sim.get_by_label("Сообщение клиента").fill("Добрый день")
    await sim.get_by_role("button", name="Отправить").click()
    await expect(log.locator(".sim-step")).to_have_count(1)
    await sim.get_by_label("Сообщение клиента").fill("5")
    await sim.get_by_role("button", name="Отправить").click()
    second = log.locator(".sim-step").nth(1)
    await expect(second.locator(".sim-out")).to_contain_text("Куда доставить?")
    await second.get_by_role("button", name="Москва").click()
    third = log.locator(".sim-step").nth(2)
    await expect(third.locator(".sim-in")).to_contain_text("Москва")
    await expect(third.locator(".sim-out")).to_contain_text("Курьер приедет завтра.")
    await expect(third.locator(".sim-node")).to_have_text("→ Доставка › Москва")
    await expect(log.locator(".fx-closed")).to_have_count(0)
    await console.shot("simulator")

    await sim_time.fill(SUNDAY_NIGHT)
    first = log.locator(".sim-step").first
    await expect(first.locator(".fx-closed")).to_have_text("нерабочее время")
    await expect(first.locator(".sim-out", has_text=CLOSED_TEXT)).to_be_visible()
    await expect(log.locator(".sim-step").nth(2).locator(".sim-out")).to_contain_text(
        "Курьер приедет завтра.")

    await sim.get_by_text("Ещё настройки").click()
    await sim.get_by_label("Кнопки как").select_option(label="нумерованный текст")
    await expect(second.locator(".sim-out")).to_contain_text("1. Москва")
    await expect(second.locator(".sim-out")).to_contain_text("2. Регион")
    await third.locator(".sim-node").click()
    await expect(page.get_by_role("treeitem", name="Москва")).to_have_attribute(
        "aria-selected", "true")
    await console.shot("out-of-hours")
    await page.set_viewport_size({"width": 1920, "height": 1080})
    await console.shot("editor-1920")
    assert not console.errors


async def test_restoring_an_earlier_version_makes_it_live_again(
    console: Console, system: System, flows_restored: int,
) -> None:
    before = flows_restored
    old = (await draft_view(system))["flow"]
    greeting = old["root"]["answer"]
    changed = old | {"root": old["root"] | {"answer": "Новый бот! 1 — часы, 4 — менеджер."}}
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft", json=changed)
    assert status == 200, saved
    status, published = await system.api("POST", "/api/v1/flows/default/publish", json={
        "note": "новое приветствие", "base_updated_at": saved["updated_at"]})
    assert status == 201 and published["version"] == before + 1, published

    await console.sign_in("admin")
    await console.open("/admin/flows?flow=default&tab=versions")  # a link to the tab works
    page = console.page
    row = page.locator(f"tr[data-version='{before}']")
    await expect(page.locator(f"tr[data-version='{before + 1}']")).to_contain_text("действует")
    await row.get_by_role("button", name="Посмотреть").click()
    view = page.get_by_role("region", name=f"Версия {before}")
    await expect(view.get_by_label("Текст приветствия")).to_have_value(greeting)
    await expect(view.get_by_label("Текст приветствия")).to_be_disabled()
    await console.shot("version-view")

    await row.get_by_role("button", name="Вернуть").click()
    dialog = page.get_by_role("dialog", name="Вернуть")
    await expect(dialog).to_contain_text(f"Вернуть версию {before}?")
    await dialog.get_by_role("button", name="Вернуть").click()
    restored = before + 2
    await expect(page.get_by_text(
        f"Версия {before} возвращена: опубликована как версия {restored}")).to_be_visible()
    await expect(page.locator(f"tr[data-version='{restored}']")).to_contain_text("действует")
    await expect(page.get_by_test_id("flow-status")).to_contain_text(f"действует версия {restored}")
    assert await live_version(system) == restored
    assert (await draft_view(system))["flow"]["root"]["answer"] == greeting
    await console.shot("restored")


async def test_replay_shows_where_the_draft_would_answer_a_past_chat_differently(
    console: Console, system: System, flows_restored: int,
) -> None:
    chat = new_chat()
    for n, text in enumerate(["Добрый день", "1"], start=1):
        await system.inbound(chat, text)
        await eventually(partial(_sent_at_least, system, chat, n), what=f"bot answer {n}")
    answered = (await system.texts_sent(chat))[1]
    task = await eventually(lambda: system.task_of(chat), what="the chat's task")

    page = await open_flow(console)
    await page.locator("[role=treeitem][data-node-id='hours']").click()
    await expect(page.get_by_label("Ответ бота")).to_have_value(answered)
    await page.get_by_label("Ответ бота").fill("Мы работаем круглосуточно, без выходных.")
    await page.keyboard.press("Control+s")
    await expect(page.locator(".flows > .note")).to_contain_text("Черновик сохранён")

    await page.get_by_role("link", name="Проверка на прошлых диалогах").click()
    await page.get_by_label("За последние дни").fill("1")
    await page.get_by_role("button", name="Проверить").click()
    await expect(page.locator(".replay-summary")).to_contain_text(re.compile(
        r"Проверено диалогов: \d+, отличаются: [1-9]"))
    item = page.locator(f".replay-item[data-task-id='{task['id']}']")
    row = item.locator("tbody tr", has_text="Мы работаем круглосуточно")
    await expect(row.locator("td").nth(0)).to_contain_text("1")
    await expect(row.locator("td").nth(1)).to_contain_text(answered.splitlines()[0])
    await expect(row.locator("td").nth(2)).to_have_text("Мы работаем круглосуточно, без выходных.")
    await console.shot("replay")
    await item.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile(rf"/tasks/{task['id']}$"))


async def _sent_at_least(system: System, chat: str, n: int) -> bool | None:
    return len(await system.texts_sent(chat)) >= n or None


async def test_saving_over_someone_elses_newer_draft_asks_first(
    console: Console, system: System, flows_restored: int,
) -> None:
    page = await open_flow(console)
    await page.locator("[role=treeitem][data-node-id='hours']").click()
    await page.get_by_label("Ответ бота").fill("Работаем с 8 до 20.")
    flow = (await draft_view(system))["flow"]
    theirs = flow | {"root": flow["root"] | {"answer": "Чужая правка приветствия."}}
    status, saved = await system.api("PUT", "/api/v1/flows/default/draft", json=theirs)
    assert status == 200, saved

    await page.keyboard.press("Control+s")
    conflict = page.locator(".conflict")
    await expect(conflict).to_contain_text("Черновик изменил кто-то другой")
    await console.shot("conflict")
    assert (await draft_view(system))["flow"]["root"]["answer"] == "Чужая правка приветствия."
    await conflict.get_by_role("button", name="Сохранить мою поверх").click()
    await expect(conflict).to_have_count(0)
    await expect(page.locator(".flows > .note")).to_contain_text("Черновик сохранён")
    mine = (await draft_view(system))["flow"]
    assert mine["root"]["answer"] == flow["root"]["answer"]
    assert next(c for c in mine["root"]["children"] if c["id"] == "hours")["answer"] == \
        "Работаем с 8 до 20."


async def test_a_channel_gets_its_own_flow_from_the_default_and_a_yaml_import(
    console: Console, system: System, flows_restored: int,
) -> None:
    await console.sign_in("admin")
    await console.open("/admin/flows")
    page = console.page
    picker = page.get_by_label("Свой сценарий для канала")
    channel = await picker.locator("option").nth(1).get_attribute("value")
    assert channel, "the sandbox stack lists channels"
    await picker.select_option(channel)
    await page.get_by_role("button", name="Создать из общего").click()
    await expect(page.get_by_role("heading", name=f"Канал {channel}")).to_be_visible()
    await expect(page).to_have_url(re.compile(rf"flow={channel}$"))
    try:
        status, listed = await system.api("GET", "/api/v1/flows")
        assert {"key": channel, "has_draft": True}.items() <= next(
            f for f in listed["items"] if f["key"] == channel).items()

        status, yaml = await console.api("GET", f"/api/v1/flows/{channel}/export?version=draft")
        assert status == 200 and "answer:" in yaml, yaml
        greeting = (await draft_view(system))["flow"]["root"]["answer"]
        changed = yaml.replace(greeting.split("\n")[0][:20], "Канальный бот. ", 1)
        assert changed != yaml
        await page.get_by_role("link", name="Версии").click()
        await page.get_by_label("Загрузить YAML в черновик").set_input_files(files=FilePayload(
            name="flow.yaml", mimeType="application/yaml", buffer=changed.encode()))
        dialog = page.get_by_role("dialog", name="Загрузить YAML в черновик")
        await dialog.get_by_role("button", name="Загрузить YAML в черновик").click()
        await expect(page.get_by_text("Черновик загружен из «flow.yaml».")).to_be_visible()
        status, imported = await system.api("GET", f"/api/v1/flows/{channel}/draft")
        assert imported["flow"]["root"]["answer"].startswith("Канальный бот. "), imported
        await page.get_by_role("link", name="Редактор").click()
        await expect(page.get_by_label("Текст приветствия")).to_have_value(
            re.compile("^Канальный бот. "))

        await page.get_by_label("Текст приветствия").fill("Несохранённое приветствие")
        await page.get_by_role("navigation", name="Разделы администрирования").get_by_role(
            "link", name="Группы").click()
        await expect(page.get_by_role("heading", name="Группы")).to_be_visible()
        await page.go_back()
        await expect(page.get_by_text("Несохранённые изменения возвращены")).to_be_visible()
        await expect(page.get_by_label("Текст приветствия")).to_have_value(
            "Несохранённое приветствие")
        await console.shot("channel-flow")
    finally:
        await system.api("DELETE", f"/api/v1/flows/{channel}/draft")


async def test_a_file_is_attached_to_an_answer_from_the_node_form(
    console: Console, system: System, flows_restored: int,
) -> None:
    """The node form uploads a picked file at once (checked first: an .exe is refused in the
    page) and the saved draft's node carries it; removing it takes it out of the draft."""
    page = await open_flow(console)
    await page.get_by_role("tree", name="Меню бота").get_by_role(
        "treeitem", name="График работы").click()
    picker = page.get_by_test_id("answer-file-input")
    await picker.set_input_files(files=FilePayload(
        name="tool.exe", mimeType="application/x-msdownload", buffer=b"MZ\x90\x00"))
    await expect(page.locator(".answer-file [role=alert]")).to_contain_text("tool.exe")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    await picker.set_input_files(files=FilePayload(name="schedule.png", mimeType="image/png",
                                                   buffer=png))
    await expect(page.get_by_test_id("answer-file")).to_contain_text("schedule.png")
    await expect(page.get_by_role("button", name="Заменить файл")).to_be_visible()
    await console.shot("answer-file")
    await page.locator(".flow-head").get_by_role("button", name="Сохранить черновик").click()
    await expect(page.locator(".flows > .note")).to_contain_text("Черновик сохранён")

    saved = await draft_view(system)
    hours = next(c for c in saved["flow"]["root"]["children"] if c["title"] == "График работы")
    assert (hours["attachment"]["file_name"], hours["attachment"]["size"]) == (
        "schedule.png", len(png))
    async with system.http.get(system.url("task_sync", "/api/v1/files/"
                                          + hours["attachment"]["file_id"]),
                               headers={"Authorization": "Bearer demo-admin-token"}) as resp:
        assert resp.status == 200 and await resp.read() == png

    await page.get_by_test_id("answer-file").get_by_role("button",
                                                         name="Убрать вложение").click()
    await expect(page.get_by_test_id("answer-file")).to_have_count(0)
    await page.locator(".flow-head").get_by_role("button", name="Сохранить черновик").click()

    async def without_file() -> bool | None:
        saved = await draft_view(system)
        node = next(c for c in saved["flow"]["root"]["children"] if c["id"] == hours["id"])
        return True if "attachment" not in node else None
    await eventually(without_file, what="the draft saved without the file")
