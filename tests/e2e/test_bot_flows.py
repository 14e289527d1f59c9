"""The bot's flows end to end on each gateway (issue 12): a flow published through the API; a
sub-menu two levels deep, back and main menu; a question answered wrongly then rightly and kept
on the task; a status look-up that answers the customer's own request and refuses another
customer's; an out-of-hours answer from a channel's own flow. On Meta the menus go out as a
list and reply buttons, and the customer taps them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from shared.domain.calendar import BusinessCalendar, Hours
from shared.domain.flows import (
    AskAction,
    FlowSet,
    HandOverAction,
    LookupStatusAction,
    Node,
    Triggers,
)
from tests.e2e.conftest import System, eventually, new_chat

PROVIDERS = ["wazzup", "meta", "chat_api"]
GREETING = "Здравствуйте! Выберите раздел:"
MENU = f"{GREETING}\n\n1. Доставка\n2. Статус заявки\n3. Менеджер"
DELIVERY = "Доставка:\n\n1. По Москве\n2. По России\n3. Изменить адрес"
MOSCOW = "По Москве:\n1 — Курьер\n2 — Самовывоз"
PICKUP = "Самовывоз: ул. Ленина, 1."
ASK = "Напишите номер заказа (6 цифр):"
REASK = "Номер заказа — 6 цифр, например 123456."
NOT_FOUND = "Среди ваших заявок такой нет."
CLOSED = "Сейчас мы не работаем."


def shop(*, closed: bool = False) -> FlowSet:
    """The e2e shop bot: the main menu as a list, delivery as reply buttons, a text menu under
    Moscow; ``closed``: business hours that are closed today and tomorrow."""
    moscow = Node(id="moscow", title="По Москве", triggers=Triggers(codes=["1"]),
                  answer=MOSCOW, children=[
                      Node(id="courier", triggers=Triggers(codes=["1"]),
                           answer="Курьер за 1–2 дня."),
                      Node(id="pickup", triggers=Triggers(codes=["2"]), answer=PICKUP)])
    delivery = Node(
        id="delivery", title="Доставка", triggers=Triggers(codes=["1"], keywords=["доставка"]),
        answer="Доставка:", offer="buttons", children=[
            moscow,
            Node(id="russia", title="По России", triggers=Triggers(codes=["2"]),
                 answer="СДЭК, 3–7 дней."),
            Node(id="address", title="Изменить адрес", triggers=Triggers(codes=["3"]),
                 answer=ASK, action=AskAction(
                     field="order_number", pattern=r"\d{6}", reask_text=REASK,
                     done_text="Спасибо! Заказ {value} записан."))])
    root = Node(id="main", answer=GREETING, offer="list", children=[
        delivery,
        Node(id="status", title="Статус заявки", triggers=Triggers(codes=["2"]),
             answer="Напишите номер заявки:", action=LookupStatusAction(
                 reask_text="Номер заявки — только цифры.", not_found_text=NOT_FOUND,
                 answer_template="Заявка {number}: {status}")),
        Node(id="manager", title="Менеджер", triggers=Triggers(codes=["3"],
                                                              keywords=["менеджер"]),
             action=HandOverAction(group_id="grp-contact-centre"))])
    hours = None
    if closed:
        today = datetime.now(UTC).date()
        hours = BusinessCalendar(
            timezone="UTC", closed_dates=[today - timedelta(days=1), today,
                                          today + timedelta(days=1)],
            hours=[Hours(day=d, start="00:00", end="24:00")
                   for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")])
    return FlowSet(root=root, hours=hours, handover_text="Передаю ваш вопрос менеджеру.",
                   closed_text=CLOSED)


async def publish(system: System, key: str, flow: FlowSet) -> None:
    status, body = await system.api("PUT", f"/api/v1/flows/{key}/draft",
                                    json=msgspec.to_builtins(flow))
    assert status == 200, body
    status, body = await system.api("POST", f"/api/v1/flows/{key}/publish")
    assert status == 201, body


@pytest.fixture(scope="module")
def published(stack: Any) -> None:
    """The shop flow as the default flow, published once for the module."""
    import asyncio

    import aiohttp

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            await publish(System(stack, session), "default", shop())
    asyncio.run(run())


def chat_id(provider: str, phone: str) -> str:
    return f"{phone}@c.us" if provider == "chat_api" else phone


def shown(provider: str, body: dict[str, Any]) -> str | None:
    """What the customer read, as numbered text whatever the gateway (Meta's buttons and list
    rows as numbered lines, so one expectation fits all three)."""
    if provider == "wazzup":
        return body.get("text")
    if provider == "chat_api":
        return body.get("body")
    if body.get("type") == "text":
        return str(body["text"]["body"])
    options = body.get("interactive") or {}
    action = options.get("action") or {}
    titles = [b["reply"]["title"] for b in action.get("buttons", [])] + [
        r["title"] for s in action.get("sections", []) for r in s["rows"]]
    lines = "\n".join(f"{n}. {t}" for n, t in enumerate(titles, start=1))
    return f"{options['body']['text']}\n\n{lines}"


class Customer:
    """One customer's chat on one gateway: what they write, tap and read."""

    def __init__(self, system: System, provider: str) -> None:
        self.system = system
        self.provider = provider
        self.phone = new_chat()
        self.chat = chat_id(provider, self.phone)
        self.seen = 0

    async def records(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = await self.system.sandbox(
            "GET", "/sandbox/requests",
            params={"provider": self.provider, "delivered": "true", "chat_id": self.chat})
        return [r for r in found if "media" not in r["path"] and shown(self.provider, r["json"])]

    async def says(self, text: str, n: int = 1, **extra: Any) -> list[str]:
        """Write ``text`` (or tap, with ``extra``); the ``n`` messages the bot answers."""
        await self.system.inbound(self.phone, text, provider=self.provider, **extra)
        return await self.reads(n)

    async def reads(self, n: int) -> list[str]:
        async def probe() -> list[str] | None:
            texts = [shown(self.provider, r["json"]) or "" for r in await self.records()]
            return texts[self.seen:self.seen + n] if len(texts) >= self.seen + n else None
        got = await eventually(probe, what=f"{n} answers via {self.provider}")
        self.seen += n
        return got

    async def task(self) -> dict[str, Any]:
        task = await eventually(lambda: self.system.task_of(self.chat), what="the task")
        status, card = await self.system.api("GET", f"/api/v1/tasks/{task['id']}")
        assert status == 200, card
        return dict(card)


async def test_a_look_ups_answer_comes_before_what_the_bot_says_next_with_task_sync_down(
    system: System, published: None,
) -> None:
    """task-sync writes a look-up's answer; its place in the chat's queue is kept when the bot
    decides, so the bot's answer to the customer's next message never overtakes it."""
    anna = Customer(system, "wazzup")
    assert await anna.says("Здравствуйте") == [MENU]
    assert await anna.says("2") == ["Напишите номер заявки:"]
    number = (await anna.task())["number"]
    system.stack.kill("task_sync")
    try:
        await system.inbound(anna.phone, str(number))
        await system.inbound(anna.phone, "меню")
        await asyncio.sleep(3)  # the bot decided both long ago; the menu waits for the answer
        assert len(await anna.records()) == anna.seen
    finally:
        await asyncio.to_thread(system.stack.restart, "task_sync")
    assert await anna.reads(2) == [f"Заявка {number}: Диалог с ботом", MENU]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_published_flow_runs_on_each_gateway(
    system: System, provider: str, published: None,
) -> None:
    anna = Customer(system, provider)
    assert await anna.says("Здравствуйте") == [MENU]
    meta = provider == "meta"
    tap_delivery = {"kind": "list_reply", "reply_id": "delivery"} if meta else {}
    tap_moscow = {"kind": "button_reply", "reply_id": "moscow"} if meta else {}

    # a sub-menu two levels deep, back one level, and the main menu
    assert await anna.says("Доставка" if meta else "1", **tap_delivery) == [DELIVERY]
    assert await anna.says("По Москве" if meta else "1", **tap_moscow) == [MOSCOW]
    assert await anna.says("2") == [PICKUP]
    assert await anna.says("0") == [DELIVERY]
    assert await anna.says("меню") == [MENU]
    if meta:  # what was sent: a list for the menu, reply buttons for delivery
        kinds = [(r["json"]["type"], (r["json"].get("interactive") or {}).get("type"))
                 for r in await anna.records()]
        assert kinds[:3] == [("interactive", "list"), ("interactive", "button"),
                             ("text", None)]

    # a question: a wrong answer asks again, the right one is kept on the task
    await anna.says("Доставка" if meta else "1", **tap_delivery)
    assert await anna.says("3") == [ASK]
    assert await anna.says("12") == [REASK]
    assert await anna.says("123456") == ["Спасибо! Заказ 123456 записан."]

    async def field_kept() -> dict[str, Any] | None:
        task = await anna.task()
        return task if task.get("fields") == {"order_number": "123456"} else None
    mine = await eventually(field_kept, what="the order number on the task")
    assert mine["status"] == "Диалог с ботом" and isinstance(mine["number"], int)

    # a status look-up: her own request is answered, another customer's is refused
    boris = Customer(system, provider)
    await boris.says("Добрый день")
    theirs = await boris.task()
    await anna.says("меню")
    assert await anna.says("2") == ["Напишите номер заявки:"]
    assert await anna.says(str(mine["number"])) == [
        f"Заявка {mine['number']}: Диалог с ботом"]
    await anna.says("2")
    assert await anna.says(str(theirs["number"])) == [NOT_FOUND]
    comments = await system.comments(mine["id"])
    assert any(c["author_kind"] == "bot" and c["text"] == NOT_FOUND for c in comments)

    # the channel's own flow, closed today: the greeting with the out-of-hours answer, and a
    # hand-over promising the next opening
    await publish(system, mine["chat"]["channel_id"], shop(closed=True))
    night = Customer(system, provider)
    assert await night.says("Здравствуйте", 2) == [MENU, CLOSED]
    [promise] = await night.says("менеджер")
    assert promise.startswith("Менеджер ответит вам ")
    task = await night.task()
    assert task["status"] == "Диалог с менеджером"
    assert task["assignee_group_id"] == "grp-contact-centre"
