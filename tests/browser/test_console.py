"""Issue 9 in the browser: a manager signs in, answers a customer live, and sees only what the
role rules let them see; customer text stays text; a closed 24-hour window leads to a template."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from playwright.async_api import FilePayload, expect

from tests.browser.conftest import (
    Console,
    chat_handed_over,
    fill_template,
    handed_over,
    open_chat,
    templates_listed,
)
from tests.e2e.conftest import System, eventually, new_chat

META_CHANNEL = "100000000000001"


async def comment_where(system: System, task_id: str, test: Any, what: str) -> Any:
    async def probe() -> Any:
        return next((c for c in await system.comments(task_id) if test(c)), None)
    return await eventually(probe, what=what)


async def test_a_wrong_password_is_refused_and_the_right_one_opens_the_inbox(
    console: Console,
) -> None:
    page = console.page
    await console.open("/")
    await expect(page).to_have_url(re.compile(r"/login$"))
    await page.get_by_label("Логин").fill("ivanova")
    await page.get_by_label("Пароль").fill("wrong-password")
    await page.get_by_role("button", name="Войти").click()
    await expect(page.get_by_role("alert")).to_have_text("Неверный логин или пароль.")
    await console.sign_in("ivanova")
    await expect(page.get_by_test_id("who")).to_contain_text("Иванова Мария Сергеевна")
    await expect(page.get_by_role("navigation", name="Разделы")).to_contain_text("Мои")
    cookies = await console.context.cookies()
    session = next(c for c in cookies if c["name"] == "wabridge_session")
    assert session["httpOnly"] and session["sameSite"] == "Strict"
    assert await page.evaluate("Object.keys(localStorage).filter(k => k !== 'wabridge.lang')") == []
    await console.shot("signed-in")


async def test_customer_message_appears_live_in_the_managers_chat(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    await chat_handed_over(console, system, phone)
    page = console.page
    await page.evaluate("window.__notReloaded = true")
    await system.inbound(phone, "Когда привезут заказ?")
    await expect(page.locator(".msg.in .text", has_text="Когда привезут заказ?")).to_be_visible()
    assert await page.evaluate("window.__notReloaded === true")
    await console.shot("live-message")


async def test_a_new_message_in_my_task_shows_a_badge_the_tab_title_and_a_notification(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    await console.page.add_init_script("""
        window.__notes = [];
        const Real = window.Notification;
        window.Notification = class extends Real {
          constructor(title, options) { super(title, options); window.__notes.push(title); }
          static get permission() { return Real.permission; }
          static requestPermission() { return Real.requestPermission(); }
        };
    """)
    await console.sign_in("ivanova")
    page = console.page
    row = page.locator(f'a.task[data-task-id="{task["id"]}"]')
    await expect(row).to_be_visible()
    await system.inbound(phone, "Вы здесь?")
    await expect(row.locator(".badge")).to_be_visible()
    await expect(row.locator(".task-preview")).to_contain_text("Вы здесь?")
    await expect(page).to_have_title(re.compile(r"^\(\d+\) wabridge$"))
    await page.wait_for_function("window.__notes.length > 0")
    assert "Новое сообщение" in (await page.evaluate("window.__notes"))[0]
    await console.shot("unread")


async def test_a_reply_quoting_the_customer_with_a_file_reaches_the_customer(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    await system.inbound(phone, "Пришлите, пожалуйста, счёт")
    asked = await comment_where(system, task["id"], lambda c: "счёт" in c["text"], "the question")
    await console.sign_in("ivanova")
    await open_chat(console, task["id"])
    page = console.page
    question = page.locator(".msg.in", has_text="Пришлите, пожалуйста, счёт")
    await question.hover()
    await question.get_by_role("button", name=re.compile("Ответить")).click()
    await expect(page.locator(".replying")).to_contain_text("Пришлите, пожалуйста, счёт")
    invoice = b"%PDF-1.4\n% wabridge browser test invoice\n" + bytes(range(256)) * 40
    payload: FilePayload = {"name": "invoice.pdf", "mimeType": "application/pdf",
                            "buffer": invoice}
    await page.get_by_test_id("file-input").set_input_files(files=[payload])
    await expect(page.locator(".picked")).to_contain_text("invoice.pdf")
    box = page.locator("form.composer textarea")
    await box.fill("Счёт во вложении")
    await expect(page.locator(".preview-bubble")).to_contain_text("Иванова Мария Сергеевна")
    await box.press("Enter")
    mine = page.locator(".msg.out", has_text="Счёт во вложении")
    await expect(mine.locator(".quote")).to_contain_text("Пришлите, пожалуйста, счёт")
    await expect(mine.locator(".file-doc")).to_contain_text("invoice.pdf")

    async def at_gateway() -> Any:
        sent = await system.deliveries(phone)
        text = next((r for r in sent if "Счёт во вложении" in r["json"].get("text", "")), None)
        file = next((r for r in sent if (r.get("fetched") or {}).get("sha256")), None)
        return (text, file) if text and file else None
    text, file = await eventually(at_gateway, what="the quoted text and the file at the gateway")
    assert text["json"]["refMessageId"] == asked["gateway_message_id"]
    assert text["json"]["text"].startswith("*Иванова Мария Сергеевна*")
    assert file["fetched"]["sha256"] == hashlib.sha256(invoice).hexdigest()
    await console.shot("quoted-reply")


async def test_delivery_ticks_move_to_read_live(console: Console, system: System) -> None:
    phone = new_chat()
    task = await chat_handed_over(console, system, phone)
    page = console.page
    box = page.locator("form.composer textarea")
    await box.fill("Проверяем доставку")
    await box.press("Enter")
    ticks = page.locator(".msg.out", has_text="Проверяем доставку").locator(".ticks")
    await expect(ticks).to_have_attribute("data-delivery", "sent")
    sent = await comment_where(system, task["id"], lambda c: c["text"] == "Проверяем доставку"
                               and c.get("gateway_message_id"), "the sent comment")
    await system.sandbox("POST", "/sandbox/status", json={
        "message_id": sent["gateway_message_id"], "status": "delivered", "chat_id": phone})
    await expect(ticks).to_have_attribute("data-delivery", "delivered")
    await system.sandbox("POST", "/sandbox/status", json={
        "message_id": sent["gateway_message_id"], "status": "read", "chat_id": phone})
    await expect(ticks).to_have_attribute("data-delivery", "read")
    await expect(ticks).to_have_attribute("aria-label", "Прочитано")
    await console.shot("read")


async def test_a_manager_of_another_group_cannot_open_the_task(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    await console.sign_in("smirnov")
    for path in (f"/api/v1/tasks/{task['id']}", f"/api/v1/tasks/{task['id']}/comments"):
        status, body = await console.api("GET", path)
        assert status == 404, (path, body)
    page = console.page
    await console.open(f"/tasks/{task['id']}")
    await expect(page.get_by_test_id("task-missing")).to_be_visible()
    await expect(page.locator(".msg")).to_have_count(0)
    await expect(page.locator(f'a.task[data-task-id="{task["id"]}"]')).to_have_count(0)
    await console.shot("not-found")


async def test_a_customers_markup_is_shown_as_text_and_never_runs(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    attack = "<img src=x onerror=alert(1)>"
    task = await chat_handed_over(console, system, phone)
    page = console.page
    await system.inbound(phone, attack)
    await expect(page.locator(".msg.in .text", has_text=attack)).to_have_text(attack)
    await expect(page.locator(f'a.task[data-task-id="{task["id"]}"] .task-preview')) \
        .to_contain_text(attack)
    await page.reload()
    await expect(page.locator(".msg.in .text", has_text=attack)).to_have_text(attack)
    assert await page.locator('img[src="x"]').count() == 0
    assert console.dialogs == [] and console.errors == []
    await console.shot("inert-markup")


async def test_a_closed_window_on_meta_leads_to_a_template_with_its_parameters(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    await templates_listed(system, "meta")
    await console.sign_in("ivanova")
    page = console.page
    await page.get_by_role("button", name="Новый диалог").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Канал").select_option(f"meta:{META_CHANNEL}")
    await expect(dialog.get_by_text("написать первым можно только шаблоном")).to_be_visible()
    await dialog.get_by_label("Телефон").fill(phone)
    await fill_template(dialog, "order_ready", ["Олег", "12"])
    preview = dialog.get_by_test_id("template-preview")  # as the customer will read it
    await expect(preview).to_have_text("Олег, ваш заказ 12 готов.")
    await dialog.get_by_role("button", name="Начать диалог").click()

    async def template_sent() -> Any:
        records = await system.sandbox("GET", "/sandbox/requests", params={
            "provider": "meta", "chat_id": phone, "delivered": "true"})
        return records[0]["json"] if records else None
    sent = await eventually(template_sent, what="the template at Meta")
    assert sent["type"] == "template" and sent["template"]["name"] == "order_ready"
    assert [p["text"] for p in sent["template"]["components"][0]["parameters"]] == ["Олег", "12"]
    # the chat shows what the customer reads: the template's body with its values
    await expect(page.locator(".msg.out", has_text="Олег, ваш заказ 12 готов.")).to_be_visible()
    await expect(page.locator(".msg.out", has_text="[template")).to_have_count(0)
    # the new task is open: its composer offers to hold a reply, or a template, saying why
    await expect(page.get_by_test_id("held-explain")).to_contain_text("окно WhatsApp закрыто")
    await page.get_by_role("button", name="Написать шаблоном").click()
    composer = page.locator('[data-blocked="window"]')
    await expect(composer).to_contain_text("24-часовое окно WhatsApp закрыто")
    await expect(composer.get_by_role("button", name="Отправить шаблон")).to_be_visible()
    await expect(page.locator("form.composer textarea")).to_have_count(0)
    await console.shot("template")


async def test_the_inbox_works_from_the_keyboard(console: Console, system: System) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    await console.sign_in("ivanova")
    page = console.page
    await expect(page.locator("a.task").first).to_be_visible()
    await page.locator("body").press("/")
    await expect(page.locator("#inbox-search")).to_be_focused()
    await page.keyboard.type(phone)
    row = page.locator(f'a.task[data-task-id="{task["id"]}"]')
    await expect(page.locator("a.task")).to_have_count(1)
    await page.keyboard.press("ArrowDown")
    await expect(row).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(f"/tasks/{task['id']}"))
    await expect(page.locator(".msg.in").first).to_be_visible()


async def test_on_a_phone_the_list_and_the_chat_take_turns_and_english_is_one_switch_away(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    page = console.page
    await page.set_viewport_size({"width": 390, "height": 844})
    await console.sign_in("ivanova")
    await page.get_by_label("Язык интерфейса").select_option("en")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await page.locator(f'a.task[data-task-id="{task["id"]}"]').click()
    await expect(page.locator(".inbox")).to_be_hidden()
    await expect(page.locator("form.composer textarea")).to_have_attribute(
        "placeholder", re.compile("Enter sends"))
    await console.shot("phone-chat")
    await page.get_by_role("link", name="Back to the list").click()
    await expect(page.locator(".inbox")).to_be_visible()


async def test_a_failed_message_shows_the_gateways_reason_and_resend_delivers_it(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await chat_handed_over(console, system, phone)
    page = console.page
    await system.sandbox("POST", "/sandbox/fail", json={
        "count": 1, "status": 400, "error": "BAD_CONTACT", "description": "Account does not exist"})
    box = page.locator("form.composer textarea")
    await box.fill("Повторите, пожалуйста")
    await box.press("Enter")
    mine = page.locator(".msg.out", has_text="Повторите, пожалуйста")
    await expect(mine.locator(".ticks")).to_have_attribute("data-delivery", "failed")
    failed = await comment_where(system, task["id"], lambda c: c.get("delivery") == "failed",
                                 "the failed comment")
    reason = failed.get("failure_reason") or failed["failure_code"]
    await expect(mine.locator(".failure")).to_contain_text(reason)
    await console.shot("failed")
    await mine.get_by_role("button", name="Отправить снова").click()
    await expect(mine.locator(".ticks")).to_have_attribute("data-delivery", "sent")
    await expect(mine.locator(".failure")).to_have_count(0)
    assert any("Повторите, пожалуйста" in t for t in await system.texts_sent(phone))
    # Wazzup carries no reactions: none is offered on the customer's messages
    await expect(page.locator(".msg.in").first).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile("^Реакция на сообщение"))) \
        .to_have_count(0)


async def test_a_file_of_a_forbidden_type_is_refused_before_any_upload(
    console: Console, system: System,
) -> None:
    await chat_handed_over(console, system)
    page = console.page
    uploads: list[str] = []
    page.on("request", lambda r: uploads.append(r.url) if r.method == "POST" else None)
    program: FilePayload = {"name": "setup.exe", "mimeType": "application/x-msdownload",
                            "buffer": b"MZ" + bytes(64)}
    await page.get_by_test_id("file-input").set_input_files(files=[program])
    await expect(page.get_by_role("alert")).to_contain_text(
        "setup.exe: такой тип файла нельзя отправить")
    await expect(page.locator(".picked")).to_have_count(0)
    assert not [u for u in uploads if "/comments" in u]
