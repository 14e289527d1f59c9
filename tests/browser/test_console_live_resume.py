"""The console's live stream after a refusal (a proxy's 503 while a task-sync replica fails
over): EventSource gives up on a refused reconnect (CLOSED), so the console opens a new stream
itself, resuming with ?last_event_id=, and what the customer wrote meanwhile shows without a
reload; with no id to resume from, it reloads its lists once the stream is back.

The dropped connection is played by closing the page's EventSource and firing its error (what
the browser does when the connection drops); the 503 is the real thing, from a route that
refuses the stream until one refused request went by.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Request, Route, expect

from tests.browser.conftest import Console, handed_over, open_chat
from tests.e2e.conftest import System, eventually, new_chat

KEEP_SOURCES = """
    window.__sources = [];
    const Real = window.EventSource;
    window.EventSource = class extends Real {
      constructor(url, init) { super(url, init); window.__sources.push(this); }
    };
"""
DROP_STREAM = """() => {
    const source = window.__sources[window.__sources.length - 1];
    source.close();
    source.dispatchEvent(new Event("error"));
}"""


class Proxy:
    """Between the page and GET /api/v1/events: the URLs asked for, and a 503 while
    ``refusing`` (it stops after the first refusal)."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.refusing = False
        self.refused = 0

    async def handle(self, route: Route, request: Request) -> None:
        self.urls.append(request.url)
        if self.refusing:
            self.refusing = False
            self.refused += 1
            await route.fulfill(status=503, body="replica failing over")
        else:
            await route.continue_()


async def behind_a_proxy(console: Console) -> Proxy:
    proxy = Proxy()
    await console.page.add_init_script(KEEP_SOURCES)
    await console.page.route("**/api/v1/events*", proxy.handle)
    return proxy


async def refused_once(proxy: Proxy) -> bool:
    return proxy.refused == 1 and not proxy.refusing


async def test_a_stream_refused_during_a_failover_resumes_with_the_last_event_id(
    console: Console, system: System,
) -> None:
    phone = new_chat()
    task = await handed_over(system, phone)
    proxy = await behind_a_proxy(console)
    await console.sign_in("ivanova")
    await open_chat(console, task["id"])
    page = console.page
    await system.inbound(phone, "До сбоя")
    await expect(page.locator(".msg.in .text", has_text="До сбоя")).to_be_visible()
    await page.evaluate("window.__notReloaded = true")
    asked_before = len(proxy.urls)
    proxy.refusing = True
    await page.evaluate(DROP_STREAM)
    await system.inbound(phone, "Пока шло переключение")
    await eventually(lambda: refused_once(proxy), what="the refused reconnect")
    await expect(page.locator(".msg.in .text", has_text="Пока шло переключение")).to_be_visible(
        timeout=20_000)
    assert await page.evaluate("window.__notReloaded === true")
    reconnects = proxy.urls[asked_before:]
    assert len(reconnects) >= 2 and all("last_event_id=" in url for url in reconnects), reconnects
    await system.inbound(phone, "После переключения")
    await expect(page.locator(".msg.in .text", has_text="После переключения")).to_be_visible()
    await console.shot("resumed")


async def test_with_no_event_to_resume_from_the_console_reloads_its_lists(
    console: Console, system: System,
) -> None:
    task = await handed_over(system, new_chat())
    proxy = await behind_a_proxy(console)
    await console.sign_in("ivanova")
    page = console.page
    await expect(page.locator(f'a.task[data-task-id="{task["id"]}"]')).to_be_visible()
    lists: list[str] = []
    page.on("request", lambda r: lists.append(r.url)
            if "/api/v1/inbox?" in r.url and len(proxy.urls) > 2 else None)
    proxy.refusing = True
    await page.evaluate(DROP_STREAM)
    await eventually(lambda: refused_once(proxy), what="the refused reconnect")
    reopened = await eventually(lambda: _asked_again(proxy), timeout=20,
                                what="the stream asked for again")
    assert "last_event_id=" not in reopened, "no event came, so there is nothing to resume"
    await eventually(lambda: _any(lists), what="the inbox list reloaded once the stream is back")


async def _asked_again(proxy: Proxy) -> Any:
    """The stream's URL once it is asked for after the refusal (first, refused, again)."""
    return proxy.urls[-1] if len(proxy.urls) > 2 else None


async def _any(found: list[str]) -> bool:
    return bool(found)
