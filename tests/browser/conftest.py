"""The operator console in headless Chromium (Debian's package, never a downloaded browser)
against the whole system as processes, as tests/e2e runs it; one stack for the package, stopped
when its last test is done.

A person's view is what the tests wait for (Playwright's expectations poll with a deadline);
each test leaves a screenshot in .var/screenshots/.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from deploy.stack import PORT_VARS, ROOT, Stack, free_port
from shared.bus import Topology
from tests.e2e.conftest import System, eventually, new_chat
from tests.topology_cleanup import delete_topology

CHROMIUM = Path(os.environ.get("WABRIDGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DIST = ROOT / "services" / "task_sync" / "console" / "dist" / "index.html"
SHOTS = ROOT / ".var" / "screenshots"
ADMIN_TOKEN = "demo-admin-token"
TIMEZONE = "Europe/Moscow"

try:
    from playwright.async_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        async_playwright,
        expect,
    )
except ImportError:  # pragma: no cover - the dev extras install it
    async_playwright = None  # type: ignore[assignment]


def password_of(login: str) -> str:
    """The demo seed's password of a demo login (README: replace them for anything real)."""
    return f"demo-{login}"


async def templates_listed(system: System, provider: str) -> None:
    """Let task-sync fetch the gateway's template list first (where it lists them), so the
    form a test fills does not change under it."""
    async def listed() -> Any:
        status, body = await system.api("GET", f"/api/v1/templates?provider={provider}")
        return status == 404 or (status == 200 and not body.get("refreshing") and body["items"])
    try:
        await eventually(listed, timeout=10, what="the template list")
    except AssertionError:
        pass  # the form then asks for the template's name: the path is the same


async def fill_template(form: Locator, name: str, values: list[str]) -> None:
    """Pick a listed template, or type the name of one when the channel lists none."""
    picker = form.get_by_role("combobox", name="Шаблон", exact=True)
    await expect(picker.or_(form.get_by_label("Название шаблона"))).to_be_visible()
    if await picker.count():
        await picker.select_option(label=f"{name} (ru)")
    else:
        await form.get_by_label("Название шаблона").fill(name)
        for n in range(2, len(values) + 1):
            await form.get_by_role("button", name=f"+ Параметр {n}").click()
    for n, value in enumerate(values, start=1):
        await form.get_by_label(f"Параметр {n}").fill(value)


@pytest.fixture(scope="session", autouse=True)
def browser_prerequisites() -> None:
    if async_playwright is None:
        pytest.skip("the playwright package is missing: `make install` installs the dev extras")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: `make chromium` installs Debian's package "
                    "(needs root); the browser tests cannot run without it")
    if not DIST.exists():
        pytest.fail("the console is not built: run `make console`")


@pytest.fixture(scope="package")
def console_stack(rabbitmq_url: str) -> Iterator[Stack]:
    prefix = f"br{uuid.uuid4().hex[:8]}"
    var_dir = ROOT / ".var" / "e2e" / f"browser-{prefix}"
    env = {var: str(free_port()) for var in PORT_VARS.values()}
    env |= {"WABRIDGE_BUS_PREFIX": prefix, "WABRIDGE_BUS_SHARDS": "2",
            "WABRIDGE_RETRY_BASE_SECONDS": "0.2", "WABRIDGE_MAX_ATTEMPTS": "5",
            "WABRIDGE_OUTBOX_SWEEP_SECONDS": "1", "RABBITMQ_URL": rabbitmq_url,
            "LOG_LEVEL": "info"}
    running = Stack(var_dir=var_dir, env=env, memory_db=True, sandbox_only=True)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        asyncio.run(delete_topology(rabbitmq_url, Topology(prefix, 2)))


@pytest.fixture
async def system(console_stack: Stack) -> AsyncIterator[System]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield System(console_stack, session)


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                    args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Console:
    """One person's browser tab on the console."""

    def __init__(self, base: str, context: BrowserContext, page: Page, name: str) -> None:
        self.base, self.context, self.page, self.name = base, context, page, name
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    async def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        await dialog.dismiss()

    async def open(self, path: str = "/") -> None:
        await self.page.goto(self.base + path)

    async def sign_in(self, login: str) -> None:
        from playwright.async_api import expect

        await self.open("/login")
        await self.page.get_by_label("Логин").fill(login)
        await self.page.get_by_label("Пароль").fill(password_of(login))
        await self.page.get_by_role("button", name="Войти").click()
        await expect(self.page.get_by_role("button", name="Выйти")).to_be_visible()

    async def api(self, method: str, path: str, **kw: Any) -> tuple[int, Any]:
        """A request with this tab's session cookie (and CSRF token for writes)."""
        headers = dict(kw.pop("headers", {}))
        if method != "GET":
            status, me = await self.api("GET", "/api/v1/me")
            headers["X-CSRF-Token"] = me.get("csrf_token", "") if status == 200 else ""
        resp = await self.context.request.fetch(self.base + path, method=method,
                                                headers=headers, **kw)
        try:
            body = await resp.json()
        except Exception:
            body = await resp.text()
        return resp.status, body

    async def shot(self, what: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{self.name}-{what}.png"
        await self.page.screenshot(path=str(path))
        return path


@pytest.fixture
async def console(browser: Browser, console_stack: Stack,
                  request: pytest.FixtureRequest) -> AsyncIterator[Console]:
    """A fresh browser profile at 1280×800 in Moscow time, Russian, notifications allowed."""
    base = f"http://127.0.0.1:{console_stack.ports['task_sync']}"
    context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                        locale="ru-RU", timezone_id=TIMEZONE)
    await context.grant_permissions(["notifications"], origin=base)
    page = await context.new_page()
    tab = Console(base, context, page, request.node.name)
    try:
        yield tab
    finally:
        await tab.shot("end")
        await context.close()


async def handed_over(system: System, phone: str, responsible: str = "usr-ivanova") -> Any:
    """A customer in the directory (with a responsible employee) asks the bot for a manager;
    returns the task, now the responsible employee's."""
    status, body = await system.api("POST", "/api/v1/contacts", token=ADMIN_TOKEN, json={
        "name": f"Клиент {phone[-4:]}", "phones": [phone], "responsible_user_id": responsible})
    assert status == 201, body
    await system.inbound(phone, "Здравствуйте")
    await system.inbound(phone, "4")

    async def assigned() -> Any:
        task = await system.task_of(phone)
        return task if task and task.get("assignee_user_id") == responsible else None
    return await eventually(assigned, what="the task handed over to the manager")


async def open_chat(console: Console, task_id: str) -> None:
    """The task's chat open in the tab, its customer's messages shown."""
    await console.open(f"/tasks/{task_id}")
    await expect(console.page.locator(".msg.in").first).to_be_visible()


async def chat_handed_over(console: Console, system: System, phone: str | None = None,
                           login: str = "ivanova") -> Any:
    """The usual opening: a customer's chat (``phone``, else a new one) handed over to
    Ivanova, and ``login`` signed in with that chat open; returns the task."""
    task = await handed_over(system, phone or new_chat())
    await console.sign_in(login)
    await open_chat(console, task["id"])
    return task


async def live_version(system: System) -> int:
    status, body = await system.api("GET", "/api/v1/flows")
    assert status == 200, body
    return int(next(f for f in body["items"] if f["key"] == "default")["live_version"])


@pytest.fixture
async def flows_restored(system: System) -> AsyncIterator[int]:
    """The default flow as it was before the test (the stack is shared with other browser
    tests, whose customers talk to the bot): the draft dropped, the old version live again."""
    before = await live_version(system)
    yield before
    await system.api("DELETE", "/api/v1/flows/default/draft")
    if await live_version(system) != before:
        status, body = await system.api(
            "POST", f"/api/v1/flows/default/versions/{before}/restore")
        assert status == 201, body
