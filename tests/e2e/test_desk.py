"""Routing, idle forwarding, deadlines and held replies end to end, with short timers: the
four services as processes, the sandbox gateway, the group's policy set through the API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest

from deploy.stack import Stack
from shared import events
from tests.e2e.conftest import IVANOVA, System, eventually, new_chat

GROUP = "grp-contact-centre"
MANAGERS = {"usr-ivanova", "usr-petrov"}
TOKENS = {"usr-ivanova": IVANOVA, "usr-petrov": "demo-manager-petrov"}
SUPERVISOR = "demo-supervisor-token"


@pytest.fixture
async def claim_only_afterwards(system: System) -> AsyncIterator[None]:
    yield
    await system.set_group_policy(GROUP, mode="claim")


async def handed_over(system: System) -> dict[str, Any]:
    """A new customer asks for a manager; their task once it is in the manager status."""
    chat = new_chat()
    await system.inbound(chat, "Здравствуйте")
    await eventually(lambda: system.task_of(chat), what="the task")
    await system.inbound(chat, "4")

    async def manager_status() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        return task if task and task["status"] == "Диалог с менеджером" else None
    return await eventually(manager_status, what="the hand-over")


async def task(system: System, task_id: str) -> dict[str, Any]:
    status, body = await system.api("GET", f"/api/v1/tasks/{task_id}")
    assert status == 200, body
    return dict(body)


async def test_round_robin_gives_two_handed_over_chats_to_the_two_managers(
    system: System, claim_only_afterwards: None,
) -> None:
    await system.set_group_policy(GROUP, mode="round_robin")
    first = await handed_over(system)
    second = await handed_over(system)
    assert {first["assignee_user_id"], second["assignee_user_id"]} == MANAGERS


async def test_an_idle_manager_loses_the_task_to_the_other_one_and_is_told(
    system: System, claim_only_afterwards: None,
) -> None:
    await system.set_group_policy(GROUP, mode="round_robin", idle_forward_minutes=0.05)  # 3 seconds
    handed = await handed_over(system)
    first = handed["assignee_user_id"]
    assert first in MANAGERS

    async def forwarded() -> dict[str, Any] | None:
        found = await task(system, handed["id"])
        return found if found.get("forwarded_from") == first else None
    moved = await eventually(forwarded, what="the idle forward")
    assert moved["assignee_user_id"] == (MANAGERS - {first}).pop()
    await system.set_group_policy(GROUP, mode="claim")  # no more forwards while we look

    async def told() -> list[dict[str, Any]] | None:
        _, body = await system.api("GET", "/api/v1/notices", token=TOKENS[first])
        return [n for n in body["items"] if n["task_id"] == handed["id"]] or None
    [notice] = (await eventually(told, what="the notice"))[:1]
    assert notice["kind"] == "task.forwarded"
    notes = [c for c in await system.comments(handed["id"]) if c["author_kind"] == "system"]
    assert any("Нет ответа клиенту" in n["text"] for n in notes)  # after the hand-over's


@pytest.fixture
async def breaches(stack: Stack, rabbitmq_url: str) -> AsyncIterator[asyncio.Queue[Any]]:
    """``sla.breached`` events as the bus carries them."""
    got: asyncio.Queue[Any] = asyncio.Queue()
    connection = await aio_pika.connect_robust(rabbitmq_url)
    channel = await connection.channel()
    exchange = await channel.get_exchange(f"{stack.env['WABRIDGE_BUS_PREFIX']}.events")
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, "sla.breached")

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await got.put(events.decode(message.body))
        await message.ack()
    await queue.consume(on_message)
    try:
        yield got
    finally:
        await connection.close()


async def test_a_missed_first_response_is_a_breach_event_on_the_bus(
    system: System, claim_only_afterwards: None, breaches: asyncio.Queue[Any],
) -> None:
    await system.set_group_policy(GROUP, mode="claim", first_response_minutes=0.05)
    handed = await handed_over(system)
    card = await task(system, handed["id"])
    assert card["sla_kind"] == "first" and card["sla_due_at"]

    try:
        event = await asyncio.wait_for(breaches.get(), timeout=30)
    except TimeoutError:
        _, notes = await system.api("GET", "/api/v1/notices", token=SUPERVISOR)
        raise AssertionError(f"no breach event; card {await task(system, handed['id'])}, "
                             f"notices {notes}") from None
    assert isinstance(event, events.SlaBreached)
    assert (event.task_id, event.kind, event.group_id) == (handed["id"], "first", GROUP)

    async def supervisor_told() -> Any:
        _, body = await system.api("GET", "/api/v1/notices", token=SUPERVISOR)
        return [n for n in body["items"] if n["task_id"] == handed["id"]] or None
    assert (await eventually(supervisor_told, what="the supervisor's notice"))[0][
        "kind"] == "sla.breached"


async def test_a_reply_held_after_the_window_goes_out_when_the_customer_writes_again(
    system: System,
) -> None:
    phone = new_chat()
    start = {"channel_id": "100000000000001", "provider": "meta", "phone": phone,
             "template_id": "order_ready", "template_values": ["Олег", "12"],
             "template_language": "ru"}
    status, started = await system.api("POST", "/api/v1/conversations", token=IVANOVA,
                                       json=start)
    assert status == 201, started
    task_id = started["task"]["id"]
    status, body = await system.api("POST", f"/api/v1/tasks/{task_id}/comments",
                                    token=IVANOVA, json={"text": "Заказ готов, ждём вас"})
    assert status == 422 and body["error"] == "window_closed"
    status, held = await system.api("POST", f"/api/v1/tasks/{task_id}/comments",
                                    token=IVANOVA,
                                    json={"text": "Заказ готов, ждём вас", "hold": True})
    assert status == 201 and held["delivery"] == "held", held

    async def at_meta() -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = await system.sandbox(
            "GET", "/sandbox/requests",
            params={"provider": "meta", "chat_id": phone, "delivered": "true"})
        return records
    await eventually(at_meta, what="the template at Meta")
    await asyncio.sleep(0)  # nothing else goes while the customer is silent:
    assert [r["json"]["type"] for r in await at_meta()] == ["template"]

    await system.inbound(phone, "Спасибо, зайду", provider="meta")

    async def released() -> list[dict[str, Any]] | None:
        found = await at_meta()
        return found if len(found) >= 2 else None
    sent = await eventually(released, what="the held reply at Meta")
    assert sent[1]["json"]["type"] == "text"
    assert sent[1]["json"]["text"]["body"].endswith("Заказ готов, ждём вас")
    [comment] = [c for c in await system.comments(task_id) if c["id"] == held["id"]]
    assert comment["delivery"] != "held"
