"""The console on a phone and the task card, as the review of issue 9 found them: the inbox
fits a 390 px screen whatever a preview says; the card that slides over the chat hides again
(its own button, Escape) and starts under the top bar; a supervisor is offered only whom the
server lets them assign to; a primary button in a dialog reads on hover; the card's last
activity follows new messages; the flows editor's simulator stacks below the menu."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Console, chat_handed_over, handed_over
from tests.e2e.conftest import System, eventually, new_chat

PHONE = {"width": 390, "height": 844}


async def box(locator: Locator) -> dict[str, float]:
    found = await locator.bounding_box()
    assert found is not None, locator
    return dict(found)


async def hovered_colours(page: Page, button: Locator) -> dict[str, str]:
    await button.hover()
    # the hover's colours, once the pointer is on it (no transition: the first frame has them)
    return dict(await button.evaluate(
        "b => ({text: getComputedStyle(b).color,"
        " background: getComputedStyle(b).backgroundColor})"))


async def test_on_a_phone_the_inbox_fits_the_screen_with_a_long_preview(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    await system.inbound(phone, "Здравствуйте, у меня очень длинный вопрос о доставке " * 6)
    page = console.page
    await page.set_viewport_size(PHONE)
    await console.sign_in("ivanova")
    row = page.locator(f'a.task[data-task-id="{task["id"]}"]')
    await expect(row.locator(".task-preview")).to_contain_text("очень длинный вопрос")
    await expect(row.locator(".badge")).to_be_visible()
    # every tab, the row's time and its unread badge are on the screen, not off its right edge
    tabs = page.locator("nav.tabs").get_by_role("link")
    await expect(page.get_by_role("link", name=re.compile("^Закрытые"))).to_be_in_viewport(ratio=1)
    for tab in await tabs.all():
        await expect(tab).to_be_in_viewport(ratio=1)
    await expect(row.locator(".task-time")).to_be_in_viewport(ratio=1)
    await expect(row.locator(".badge")).to_be_in_viewport(ratio=1)
    widths = await page.evaluate("""() => ({
        page: document.documentElement.scrollWidth,
        inbox: document.querySelector('.inbox').scrollWidth,
        screen: window.innerWidth})""")
    assert widths["page"] <= widths["screen"] and widths["inbox"] <= widths["screen"], widths
    await console.shot("phone-inbox")


async def test_on_a_phone_the_task_card_opens_under_the_top_bar_and_hides_again(
    console: Console, system: System,
) -> None:
    page = console.page
    await page.set_viewport_size(PHONE)
    await chat_handed_over(console, system)
    toggle = page.get_by_role("button", name="Карточка задачи")
    card = page.get_by_role("complementary", name="Карточка задачи")
    hide = card.get_by_role("button", name="Скрыть карточку")
    await expect(card).to_be_hidden()
    await toggle.click()
    await expect(card).to_be_visible()
    await expect(toggle).to_have_attribute("aria-expanded", "true")
    # below the whole top bar (two or three lines on a phone), not under it
    header = await box(page.locator("header.header"))
    assert (await box(card))["y"] >= header["y"] + header["height"] - 1
    # its hide button is there and is where the keyboard starts
    await expect(hide).to_be_in_viewport(ratio=1)
    await expect(hide).to_be_focused()
    await console.shot("phone-card-open")
    await hide.click()
    await expect(card).to_be_hidden()
    await expect(toggle).to_have_attribute("aria-expanded", "false")
    await expect(toggle).to_be_focused()
    # Escape hides it too
    await toggle.click()
    await expect(card).to_be_visible()
    await expect(hide).to_be_focused()  # opened: the keyboard is in the card
    await page.keyboard.press("Escape")
    await expect(card).to_be_hidden()
    await expect(toggle).to_be_focused()
    await console.shot("phone-card-hidden")


async def test_on_a_wide_screen_the_card_is_a_column_without_a_hide_button(
    console: Console, system: System,
) -> None:
    await chat_handed_over(console, system)
    card = console.page.get_by_role("complementary", name="Карточка задачи")
    await expect(card).to_be_visible()
    await expect(card.get_by_role("button", name="Скрыть карточку")).to_be_hidden()
    await console.page.keyboard.press("Escape")
    await expect(card).to_be_visible()


async def test_a_supervisor_is_offered_only_their_groups_people_and_queues_to_assign_to(
    console: Console, system: System,
) -> None:
    await chat_handed_over(console, system, login="supervisor")
    page = console.page
    pick = page.get_by_role("complementary", name="Карточка задачи").get_by_label("Кому назначить")
    await expect(pick.locator("option", has_text="Петров Алексей Игоревич")).to_have_count(1)
    people = await pick.locator("optgroup").nth(0).locator("option").all_inner_texts()
    groups = await pick.locator("optgroup").nth(1).locator("option").all_inner_texts()
    # the contact centre's people (the supervisor among them) and its queue; not sales, not
    # the admin (in no group): the server refuses those
    assert {"Иванова Мария Сергеевна", "Петров Алексей Игоревич",
            "Соколова Елена Павловна"} <= set(people), people
    assert "Смирнов Олег Викторович" not in people and "Администратор Демо" not in people
    assert groups == ["Контакт-центр"], groups
    await console.shot("supervisor-assign")
    # what is offered is accepted
    await pick.select_option(label="Петров Алексей Игоревич")
    await page.get_by_role("button", name="Назначить").click()
    card = page.get_by_role("complementary", name="Карточка задачи")
    await expect(card).to_contain_text("Петров Алексей Игоревич")
    await expect(card.get_by_role("alert")).to_have_count(0)


async def test_an_admin_is_offered_everyone_to_assign_to(
    console: Console, system: System,
) -> None:
    await chat_handed_over(console, system, login="admin")
    pick = console.page.get_by_role("complementary", name="Карточка задачи") \
        .get_by_label("Кому назначить")
    await expect(pick.locator("option", has_text="Смирнов Олег Викторович")).to_have_count(1)
    await expect(pick.locator("option", has_text="Отдел продаж")).to_have_count(1)


async def test_the_primary_buttons_read_on_hover_in_the_new_dialogue_window_and_on_the_bar(
    console: Console,
) -> None:
    await console.sign_in("ivanova")
    page = console.page
    start = page.get_by_role("button", name="Новый диалог")
    bar = await hovered_colours(page, start)
    assert bar["text"] != bar["background"], bar
    await start.click()
    dialog = page.get_by_role("dialog")
    button = dialog.get_by_role("button", name="Начать диалог")
    await expect(button).to_be_enabled()
    # a primary button as everywhere else: white on the accent green, not the bar's white one
    await expect(button).to_have_css("background-color", "rgb(0, 128, 105)")
    await expect(button).to_have_css("color", "rgb(255, 255, 255)")
    hover = await hovered_colours(page, button)
    assert hover["text"] != hover["background"], hover
    assert hover["background"] == "rgb(0, 97, 80)", hover
    await console.shot("new-dialogue-hover")


async def test_the_cards_last_activity_follows_a_new_message(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await chat_handed_over(console, system, phone)
    page = console.page
    activity = page.get_by_test_id("card-activity")
    await expect(activity).to_be_visible()
    await page.evaluate("window.__notReloaded = true")
    await system.inbound(phone, "Есть новости?")

    async def newest() -> Any:
        found = [c for c in await system.comments(task["id"]) if c["text"] == "Есть новости?"]
        return found[0] if found else None
    comment = await eventually(newest, what="the new message")
    await expect(page.locator(".msg.in .text", has_text="Есть новости?")).to_be_visible()

    def stamp(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    async def caught_up() -> bool | None:
        shown = await activity.get_attribute("datetime")
        return True if shown and stamp(shown) >= stamp(comment["at"]) else None
    await eventually(caught_up, what="the card's last activity at the new message")
    assert await page.evaluate("window.__notReloaded === true")


async def test_on_a_phone_the_flows_simulator_stacks_below_the_menu(console: Console) -> None:
    page = console.page
    await page.set_viewport_size(PHONE)
    await console.sign_in("admin")
    await console.open("/admin/flows")
    await page.get_by_role("link", name="Общий сценарий").first.click()
    tree = page.locator(".tree-pane")
    await expect(page.get_by_role("tree", name="Меню бота")).to_be_visible()
    simulator = page.get_by_role("region", name="Симулятор")
    await expect(simulator).to_be_visible()
    tree_box, sim_box = await box(tree), await box(simulator)
    assert sim_box["y"] >= tree_box["y"] + tree_box["height"], (tree_box, sim_box)
    assert sim_box["x"] + sim_box["width"] <= PHONE["width"] + 1, sim_box
    # the menu's tools are not covered: the top one under each button's centre is the button
    for tool in await page.get_by_role("group", name="Действия с пунктом меню") \
            .get_by_role("button").all():
        await tool.scroll_into_view_if_needed()
        at = await box(tool)
        on_top = await page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent ?? ''",
            [at["x"] + at["width"] / 2, at["y"] + at["height"] / 2])
        assert on_top == await tool.text_content(), (on_top, at)
    await console.shot("phone-flow")
