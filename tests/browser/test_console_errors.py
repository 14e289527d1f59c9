"""What the console says when something cannot be done, and how it asks before risky admin
actions: a refusal reads as a sentence in the console's language (the server's English reason
never stands alone in a Russian page), a password is typed twice into the console's own dialog,
deleting a group and revoking tokens ask first, the audit log's «Кто» names people, and the users
table fits a phone."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Locator, Route, expect

from tests.browser.conftest import Console, chat_handed_over
from tests.e2e.conftest import System

CONTACT_CENTRE, SALES = "grp-contact-centre", "grp-sales"
# the server's words that used to reach the page as they are
ENGLISH = re.compile(r"supervisors|Expected|must have|signs in as|still has|Failed to fetch")


class People:
    """Users and groups a test adds through the admin API, removed after it."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.users: list[str] = []
        self.groups: list[str] = []

    async def user(self, *, groups: list[str], password: str | None = None) -> dict[str, Any]:
        tag = uuid.uuid4().hex[:6]
        body: dict[str, Any] = {"id": f"usr-t{tag}", "full_name": f"Тестов {tag} Иван",
                                "login": f"t{tag}", "role": "manager", "group_ids": groups}
        if password:
            body["password"] = password
        status, user = await self.system.api("POST", "/api/v1/users", json=body)
        assert status == 201, user
        self.users.append(user["id"])
        return user

    async def group(self) -> dict[str, Any]:
        status, group = await self.system.api("POST", "/api/v1/groups", json={
            "name": f"Группа {uuid.uuid4().hex[:6]}"})
        assert status == 201, group
        self.groups.append(group["id"])
        return group

    async def remove(self) -> None:
        for user_id in self.users:
            await self.system.api("DELETE", f"/api/v1/users/{user_id}")
        for group_id in self.groups:
            await self.system.api("DELETE", f"/api/v1/groups/{group_id}")


@pytest.fixture
async def people(system: System) -> AsyncIterator[People]:
    added = People(system)
    yield added
    await added.remove()


def user_row(console: Console, name: str) -> Locator:
    return console.page.locator("table.grid tbody tr", has_text=name)


async def test_a_supervisors_refused_assignment_reads_as_a_russian_sentence(
    console: Console, system: System, people: People,
) -> None:
    newcomer = await people.user(groups=[CONTACT_CENTRE])
    await chat_handed_over(console, system, login="supervisor")
    card = console.page.get_by_role("complementary", name="Карточка задачи")
    pick = card.get_by_label("Кому назначить")
    await expect(pick.locator("option", has_text=newcomer["full_name"])).to_have_count(1)
    # meanwhile an admin moves the newcomer to a group the supervisor does not lead
    status, body = await system.api("PUT", f"/api/v1/users/{newcomer['id']}", json={
        "full_name": newcomer["full_name"], "login": newcomer["login"], "role": "manager",
        "group_ids": [SALES]})
    assert status == 200, body
    await pick.select_option(label=newcomer["full_name"])
    await card.get_by_role("button", name="Назначить").click()
    alert = card.get_by_role("alert")
    await expect(alert).to_have_text(
        "Руководитель назначает задачи только сотрудникам и очередям своих групп.")
    await expect(alert).not_to_contain_text(ENGLISH)
    await console.shot("assign-refused")


async def test_a_new_users_short_password_bad_phone_and_taken_login_are_told_in_russian(
    console: Console, system: System, people: People,
) -> None:
    await console.sign_in("admin")
    await console.open("/admin/users")
    page = console.page
    await page.get_by_role("button", name="Добавить пользователя").click()
    form = page.get_by_role("form", name="Добавить пользователя")
    login = f"t{uuid.uuid4().hex[:6]}"
    await form.get_by_label("Имя").fill(f"Коротков {login} Пётр")
    await form.get_by_label("Логин").fill(login)
    password = form.get_by_label("Пароль")
    await expect(password).to_have_attribute("type", "password")
    await expect(form).to_contain_text("Не короче 8 символов")
    await password.fill("12345")
    await form.get_by_role("button", name="Сохранить").click()
    alert = form.get_by_role("alert")
    await expect(alert).to_have_text("Пароль должен быть не короче 8 символов.")
    await console.shot("short-password")
    status, listed = await system.api("GET", "/api/v1/users?limit=500")
    assert status == 200 and all(u.get("login") != login for u in listed["items"])

    # the server's own refusals, in words: a phone without enough digits, a login taken
    await password.fill("long-enough-1")
    await form.get_by_label("Телефоны (через запятую)").fill("not a phone")
    await form.get_by_role("button", name="Сохранить").click()
    await expect(alert).to_have_text(
        "Телефон «not a phone» не похож на номер: в нём должно быть от 7 до 15 цифр.")
    await form.get_by_label("Телефоны (через запятую)").fill("")
    await form.get_by_label("Логин").fill("ivanova")
    await form.get_by_role("button", name="Сохранить").click()
    await expect(alert).to_have_text("Логин «ivanova» уже занят другим пользователем.")
    await expect(alert).not_to_contain_text(ENGLISH)
    await console.shot("login-taken")
    assert console.dialogs == []


async def groups_page_with_a_new_group(console: Console, people: People
                                       ) -> tuple[dict[str, Any], Locator]:
    """A new group, and its row on the admin's groups page."""
    group = await people.group()
    await console.sign_in("admin")
    await console.open("/admin/groups")
    return group, console.page.locator(f'tr[data-group-id="{group["id"]}"]')


async def test_deleting_a_group_asks_first_and_cancel_keeps_it(
    console: Console, system: System, people: People,
) -> None:
    group, row = await groups_page_with_a_new_group(console, people)
    page = console.page
    await row.get_by_role("button", name="Удалить").click()
    dialog = page.get_by_role("dialog", name="Удалить группу")
    await expect(dialog).to_contain_text(f"Удалить группу «{group['name']}»?")
    await console.shot("delete-group-asks")
    await dialog.get_by_role("button", name="Отмена").click()
    await expect(dialog).to_have_count(0)
    await expect(row).to_be_visible()
    status, _ = await system.api("GET", f"/api/v1/groups/{group['id']}")
    assert status == 200

    # a group with people in it: the server's refusal in words
    sales = page.locator(f'tr[data-group-id="{SALES}"]')
    await sales.get_by_role("button", name="Удалить").click()
    await dialog.get_by_role("button", name="Удалить").click()
    alert = page.locator(".admin-body > p.error")
    await expect(alert).to_contain_text("В группе «Отдел продаж» ещё есть сотрудники")
    await expect(alert).not_to_contain_text(ENGLISH)
    await console.shot("group-has-members")

    await row.get_by_role("button", name="Удалить").click()
    await dialog.get_by_role("button", name="Удалить").click()
    await expect(row).to_have_count(0)
    status, _ = await system.api("GET", f"/api/v1/groups/{group['id']}")
    assert status == 404
    assert console.dialogs == []


async def test_renaming_a_group_uses_the_consoles_dialog(
    console: Console, people: People,
) -> None:
    group, row = await groups_page_with_a_new_group(console, people)
    page = console.page
    await row.get_by_role("button", name="Переименовать").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Новое название").fill("Отдел продаж")  # another group's name
    await dialog.get_by_role("button", name="Сохранить").click()
    await expect(dialog.get_by_role("alert")).to_have_text("Группа «Отдел продаж» уже есть.")
    renamed = f"{group['name']} (новая)"
    await dialog.get_by_label("Новое название").fill(renamed)
    await dialog.get_by_role("button", name="Сохранить").click()
    await expect(dialog).to_have_count(0)
    await expect(row.locator("td").first).to_have_text(renamed)
    assert console.dialogs == []


async def test_changing_a_password_takes_two_matching_hidden_entries_in_a_dialog(
    console: Console, system: System, people: People,
) -> None:
    user = await people.user(groups=[CONTACT_CENTRE], password="first-password")
    await console.sign_in("admin")
    await console.open("/admin/users")
    page = console.page
    await user_row(console, user["full_name"]).get_by_role("button", name="Сменить пароль").click()
    dialog = page.get_by_role("dialog", name=f"Новый пароль: {user['full_name']}")
    first, second = dialog.get_by_label("Новый пароль"), dialog.get_by_label("Пароль ещё раз")
    await expect(first).to_have_attribute("type", "password")
    await expect(second).to_have_attribute("type", "password")
    await expect(dialog).to_contain_text("Не короче 8 символов.")
    save = dialog.get_by_role("button", name="Сменить пароль")
    await first.fill("1234")
    await second.fill("1234")
    await save.click()
    too_short = "Пароль должен быть не короче 8 символов."
    await expect(dialog.get_by_role("alert")).to_have_text(too_short)
    await first.fill("second-password")
    await second.fill("second-passw0rd")
    await save.click()
    await expect(dialog.get_by_role("alert")).to_have_text("Пароли не совпадают.")
    await console.shot("passwords-differ")
    await second.fill("second-password")
    await save.click()
    await expect(dialog).to_have_count(0)
    await expect(page.locator("p.note")).to_have_text("Пароль изменён.")
    assert console.dialogs == []  # no window.prompt
    async with system.http.post(system.url("task_sync", "/api/v1/auth/login"), json={
            "login": user["login"], "password": "second-password"}) as resp:
        assert resp.status == 200


async def test_revoking_tokens_asks_first(
    console: Console, system: System, people: People,
) -> None:
    user = await people.user(groups=[CONTACT_CENTRE])
    status, issued = await system.api("POST", f"/api/v1/users/{user['id']}/tokens")
    assert status in (200, 201), issued
    await console.sign_in("admin")
    await console.open("/admin/users")
    page = console.page
    revoke = user_row(console, user["full_name"]).get_by_role("button", name="Отозвать токены")
    await revoke.click()
    dialog = page.get_by_role("dialog", name="Отозвать API-токены")
    await expect(dialog).to_contain_text(user["full_name"])
    await dialog.get_by_role("button", name="Отмена").click()
    await expect(dialog).to_have_count(0)
    status, _ = await system.api("GET", "/api/v1/me", token=issued["token"])
    assert status == 200
    await revoke.click()
    await dialog.get_by_role("button", name="Отозвать токены").click()
    await expect(page.locator("p.note")).to_have_text("Готово.")
    status, _ = await system.api("GET", "/api/v1/me", token=issued["token"])
    assert status == 401


async def test_the_audit_log_filters_by_a_person_named(
    console: Console, people: People,
) -> None:
    await people.group()  # an entry of the admin's
    idle = await people.user(groups=[SALES])  # who has done nothing
    await console.sign_in("admin")
    await console.open("/admin/audit")
    page = console.page
    who = page.get_by_label("Кто")
    await who.select_option(label="Администратор Демо")
    await page.get_by_role("button", name="Показать").click()
    rows = page.locator("table.grid tbody tr")
    await expect(rows.first).to_be_visible()
    for actor in await rows.locator("td:nth-child(2)").all_inner_texts():
        assert actor.startswith("Администратор Демо"), actor
    await console.shot("audit-by-name")
    await who.select_option(label=idle["full_name"])
    await page.get_by_role("button", name="Показать").click()
    await expect(page.get_by_text("Записей нет.")).to_be_visible()


async def test_without_a_connection_the_console_says_so_in_russian(console: Console) -> None:
    await console.sign_in("admin")
    await console.open("/admin/groups")
    page = console.page
    await expect(page.locator("table.grid tbody tr").first).to_be_visible()
    await console.context.set_offline(True)
    try:
        await page.locator("form.admin-form").get_by_label("Имя").fill("Без связи")
        await page.get_by_role("button", name="Добавить группу").click()
        alert = page.locator(".admin-body").get_by_role("alert")
        await expect(alert).to_have_text(
            "Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.")
        await console.shot("offline")
    finally:
        await console.context.set_offline(False)


async def test_a_role_refusal_is_worded_by_its_code_not_by_the_servers_words(
    console: Console,
) -> None:
    await console.sign_in("supervisor")
    page = console.page

    async def refused(route: Route) -> None:  # the code alone says which rule refused
        await route.fulfill(status=403, json={"error": "reports_not_allowed",
                                              "reason": "no reports for you"})
    await page.route("**/api/v1/reports*", refused)
    await console.open("/admin/reports")
    alert = page.locator(".admin-body").get_by_role("alert")
    await expect(alert).to_have_text("Отчёты доступны руководителям и администраторам.")
    await console.shot("refused-by-code")


async def test_the_users_actions_fit_a_phone(console: Console) -> None:
    await console.page.set_viewport_size({"width": 390, "height": 780})
    await console.sign_in("admin")
    await console.open("/admin/users")
    row = user_row(console, "Иванова Мария Сергеевна")
    await expect(row).to_be_visible()
    for name in ("Изменить", "Сменить пароль", "Выпустить API-токен", "Отозвать токены"):
        box = await row.get_by_role("button", name=name).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    box = await row.bounding_box()
    assert box is not None and box["height"] < 200, box
    await console.shot("users-phone")
