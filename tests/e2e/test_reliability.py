"""Issue 10 through the real processes: a chat's sends in order across long retries, a crash
during a gateway call, a replay of a dead letter whose comment was resent since, dead letters
that can never succeed, and uploads whose content is not what they claim."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from shared import events
from tests.e2e.conftest import ADMIN, System, eventually, new_chat
from tests.e2e.test_faults import ANSWERS, GREETING_START, sent
from tests.e2e.test_operations import wabridge


async def bot_comment(system: System, chat: str, state: str) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        if task is None:
            return None
        bot = [c for c in await system.comments(task["id"]) if c["author_kind"] == "bot"]
        return bot[0] if bot and bot[0].get("delivery") == state else None
    return await eventually(probe, timeout=30, what=f"the bot's comment {state}")


async def test_a_later_answer_waits_behind_an_earlier_one_the_gateway_keeps_refusing(
        system: System) -> None:
    chat = new_chat()
    # more failures than the worker's in-place retries would ever cover: the greeting waits
    # in its chat's queue and the answer to "1" must not overtake it
    await system.sandbox("POST", "/sandbox/fail", json={"count": 4, "status": 500})
    await system.inbound(chat, "привет")
    await system.inbound(chat, "1")

    texts = await sent(system, chat, 2, timeout=60)

    assert texts[0].startswith(GREETING_START) and texts[1] == ANSWERS["1"]


async def test_a_send_cut_short_by_a_crash_is_retried_soon_and_arrives_once(
        system: System) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/chaos", json={"latency_s": 2.0})
    try:
        await system.inbound(chat, "привет")
        await asyncio.sleep(1.0)  # the greeting is in its (slow) gateway call now
        await asyncio.to_thread(system.stack.kill, "outbound_sender")
        await system.sandbox("POST", "/sandbox/chaos", json={})
        started = asyncio.get_running_loop().time()
        await asyncio.to_thread(system.stack.restart, "outbound_sender")
        await bot_comment(system, chat, "sent")
        assert asyncio.get_running_loop().time() - started < 30  # not after a minute's lease
    finally:
        await system.sandbox("POST", "/sandbox/chaos", json={})
    assert len(await system.texts_sent(chat)) == 1  # the gateway dropped the repeat


async def test_replaying_a_send_resent_since_sends_nothing_and_says_so(system: System) -> None:
    chat = new_chat()
    await system.sandbox("POST", "/sandbox/fail", json={"count": 1, "status": 400,
                                                         "error": "CHANNEL_BLOCKED"})
    await system.inbound(chat, "привет")
    failed = await bot_comment(system, chat, "failed")
    task = await system.task_of(chat)
    assert task is not None
    status, _ = await system.api(
        "POST", f"/api/v1/tasks/{task['id']}/comments/{failed['id']}/resend", ADMIN)
    assert status == 202
    await bot_comment(system, chat, "sent")
    send_id = events.derive_id("send", failed["id"])  # the bot's send of that comment
    code, listing, err = await wabridge(system, "dlq", "list", "outbound_sender.sends")
    assert any(m["id"] == send_id for q in listing.values() for m in q["messages"]), listing

    code, result, err = await wabridge(system, "dlq", "replay", "outbound_sender.sends",
                                       "--id", send_id)
    assert (code, result) == (0, {"replayed": 1}), err

    log = system.stack.var_dir / "logs" / "outbound_sender.log"

    async def said() -> bool:
        return "replayed send not sent" in log.read_text(errors="replace")
    await eventually(said, what="the sender saying it sent nothing")
    assert len(await system.texts_sent(chat)) == 1


async def test_a_dead_letter_that_can_never_succeed_is_marked_and_purged(
        system: System) -> None:
    chat = new_chat()
    await system.inbound(chat, "", type="image", content_uri="https://evil.example/x.jpg")

    async def listed() -> list[dict[str, Any]] | None:
        _, listing, _ = await wabridge(system, "dlq", "list", "outbound_sender.media")
        found = [m for q in (listing or {}).values() for m in q["messages"]
                 if m["x-error-code"] == "MEDIA_URL_REFUSED"]
        return found or None
    [refused] = await eventually(listed, what="the refused download dead-lettered")
    assert refused["can_succeed"] is False

    code, result, err = await wabridge(system, "dlq", "purge", "outbound_sender.media")
    assert (code, result) == (0, {"purged": 1}), err
    assert await listed() is None


async def test_an_upload_whose_content_is_not_its_declared_type_is_refused_with_415(
        system: System) -> None:
    chat = new_chat()
    await system.inbound(chat, "привет")
    task = await eventually(lambda: system.task_of(chat), what="the task")
    form = aiohttp.FormData()
    form.add_field("text", "Счёт")
    form.add_field("files", b"%PDF-1.4\n1 0 obj<<>>endobj\n", filename="photo.jpg",
                   content_type="image/jpeg")
    status, body = await system.api("POST", f"/api/v1/tasks/{task['id']}/comments", ADMIN,
                                    data=form)
    assert status == 415 and "application/pdf" in str(body), body
