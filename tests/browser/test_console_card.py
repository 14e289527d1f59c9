"""Issue 9 review in the browser: a manager reads the task's contact (never edits it), the card
names the channel, supervisors filter the inbox by a named person and by channel, the inbox
tells the bot's answers from a person's, and a sent template reads as the customer gets it."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Console, chat_handed_over, handed_over
from tests.e2e.conftest import System, eventually, new_chat

META_CHANNEL = "100000000000001"


def filter_select(page: Page, label: str) -> Locator:
    """An inbox filter by its label (the select's name also holds its chosen option)."""
    return page.locator("details.filters label", has_text=label).locator("select")


async def test_a_manager_reads_the_contact_in_the_card_but_only_editors_get_the_edit_link(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await chat_handed_over(console, system, phone)
    page = console.page
    contact = page.get_by_test_id("contact-view")
    await contact.locator("summary", has_text=f"Клиент {phone[-4:]}").click()
    await expect(contact).to_contain_text(f"+{phone}")
    await expect(contact).to_contain_text("Иванова Мария Сергеевна")  # the responsible employee
    await expect(contact.get_by_role("link", name="Изменить в справочнике")).to_have_count(0)
    # the channel by its connection's name, not a shortened hash
    channel = page.get_by_test_id("card-channel")
    await expect(channel).to_contain_text("wazzup")
    await expect(channel).not_to_contain_text("…")
    # the gateway as people call it, not our connection's id
    await expect(page.get_by_test_id("card-gateway")).to_contain_text("Wazzup")
    await expect(page.get_by_test_id("card-gateway")).not_to_contain_text("wazzup ·")
    await console.shot("contact-read-only")
    # the API agrees: a manager reads the contact and may not change it
    status, body = await console.api("GET", f"/api/v1/contacts/{task['contact_id']}")
    assert status == 200 and body["phones"] == [phone], body
    status, _ = await console.api("PUT", f"/api/v1/contacts/{task['contact_id']}", data={
        "name": "Чужое имя", "phones": [phone]})
    assert status == 403


async def test_a_supervisor_gets_the_contact_with_a_link_to_edit_it(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await chat_handed_over(console, system, phone, login="supervisor")
    contact = console.page.get_by_test_id("contact-view")
    await contact.locator("summary").click()
    edit = contact.get_by_role("link", name="Изменить в справочнике")
    await expect(edit).to_have_attribute("href", f"/admin/contacts?id={task['contact_id']}")


async def test_a_supervisor_filters_the_inbox_by_a_named_person_and_by_channel(
    console: Console, system: System,
) -> None:
    ivanovas = await handed_over(system, new_chat())
    petrovs = await handed_over(system, new_chat(), responsible="usr-petrov")
    await console.sign_in("supervisor")
    await console.open("/inbox/all")
    page = console.page
    row_i = page.locator(f'a.task[data-task-id="{ivanovas["id"]}"]')
    row_p = page.locator(f'a.task[data-task-id="{petrovs["id"]}"]')
    await expect(row_i).to_be_visible()
    await expect(row_p).to_be_visible()
    await page.locator("details.filters summary").click()
    assignee = filter_select(page, "Ответственный")
    # a named person of the supervisor's group; smirnov (sales) is not offered
    await expect(assignee.locator("option", has_text="Смирнов")).to_have_count(0)
    await assignee.select_option(label="Петров Алексей Игоревич")
    await expect(row_p).to_be_visible()
    await expect(row_i).to_have_count(0)
    await assignee.select_option("none")  # nobody: neither of them
    await expect(row_p).to_have_count(0)
    await assignee.select_option("")
    channel = filter_select(page, "Канал")
    # each number by its gateway as people call it, not by our connection's name
    await expect(channel.locator(f'option[value="{META_CHANNEL}"]')).to_have_text(
        "WhatsApp Business (Meta)")
    gateway = filter_select(page, "Шлюз")
    await expect(gateway.locator('option[value="chat_api"]')).to_have_text("chat-api")
    await channel.select_option(petrovs["chat"]["channel_id"])
    await expect(row_p).to_be_visible()
    await console.shot("filters")
    await channel.select_option(META_CHANNEL)
    await expect(row_p).to_have_count(0)
    await expect(row_i).to_have_count(0)


async def test_the_inbox_says_bot_before_the_bots_answer_and_you_before_a_persons(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)  # the bot's "connecting you" is the last message
    await console.sign_in("ivanova")
    page = console.page
    row = page.locator(f'a.task[data-task-id="{task["id"]}"]')
    await expect(row.locator(".task-preview")).to_contain_text("Соединяем")
    await expect(row.locator(".you")).to_have_text("Бот:")
    status, body = await console.api("POST", f"/api/v1/tasks/{task['id']}/comments",
                                     data={"text": "Это пишет человек"})
    assert status == 201, body
    await expect(row.locator(".task-preview")).to_contain_text("Это пишет человек")
    await expect(row.locator(".you")).to_have_text("Вы:")
    await console.shot("author-prefix")

    async def recorded() -> Any:  # the activity is written a moment after the message
        status, listed = await console.api("GET", "/api/v1/inbox?view=mine")
        assert status == 200, listed
        mine = next((t for t in listed["items"] if t["id"] == task["id"]), None)
        return mine and mine["last_author_kind"] == "user"
    await eventually(recorded, what="the person's answer as the task's last activity")
    await page.reload()  # as the server keeps it, not only as the live event said
    await expect(row.locator(".task-preview")).to_contain_text("Это пишет человек")
    await expect(row.locator(".you")).to_have_text("Вы:")
    await system.inbound(phone, "Спасибо")
    await expect(row.locator(".task-preview")).to_contain_text("Спасибо")
    await expect(row.locator(".you")).to_have_count(0)  # the customer's, as is


async def test_the_new_dialogue_form_names_each_number_by_its_gateway(console: Console) -> None:
    await console.sign_in("ivanova")
    page = console.page
    await page.get_by_role("button", name="Новый диалог").click()
    picker = page.get_by_role("dialog").get_by_label("Канал")
    await expect(picker.locator(f'option[value="meta:{META_CHANNEL}"]')).to_have_text(
        "WhatsApp Business (Meta)")
    labels = await picker.locator("option").all_inner_texts()
    assert any(label.startswith("Wazzup") for label in labels), labels
    assert not {"meta", "wazzup", "chat_api"} & set(labels), labels
    await console.shot("new-dialogue-channels")
