"""What the console's admin and chat show besides messages: each channel's last webhook, and
the notices a hand-over and a status change leave in the task's chat."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import System, eventually, new_chat

MANAGER = "Диалог с менеджером"
CLOSED = "Закрыта"


async def test_a_webhook_on_a_channel_shows_as_its_last_webhook_within_seconds(
    system: System,
) -> None:
    channel = str(uuid.uuid4())  # a number no other test's webhooks reported yet
    before = datetime.now(UTC)
    status, _ = await system.webhook({"channelsUpdates": [
        {"channelId": channel, "state": "active", "timestamp": before.isoformat()}]})
    assert status == 200

    async def shown() -> dict[str, Any] | None:
        status, body = await system.api("GET", "/api/v1/channels")
        assert status == 200, body
        return next((c for c in body["items"]
                     if c["channel_id"] == channel and c.get("last_webhook_at")), None)
    item = await eventually(shown, timeout=10.0, what="the channel's last webhook")
    at = datetime.fromisoformat(item["last_webhook_at"].replace("Z", "+00:00"))
    assert (at - before).total_seconds() > -1 and item["state"] == "active"


async def test_a_hand_over_and_a_close_leave_their_notices_in_the_chat(system: System) -> None:
    chat = new_chat()  # not in the directory: the contact centre's queue
    await system.inbound(chat, "здравствуйте")
    await system.inbound(chat, "мне нужна консультация по тарифу")

    async def handed_over() -> dict[str, Any] | None:
        task = await system.task_of(chat)
        return task if task and task["status"] == MANAGER else None
    task = await eventually(handed_over, what="hand-over")

    async def notices(n: int) -> list[str] | None:
        found = [c["text"] for c in await system.comments(task["id"])
                 if c["author_kind"] == "system"]
        return found if len(found) >= n else None
    assert (await eventually(lambda: notices(1), what="the hand-over's notice"))[0] \
        .startswith("В очереди группы ")

    status, body = await system.api("PATCH", f"/api/v1/tasks/{task['id']}",
                                    json={"status": CLOSED})
    assert status == 200, body
    texts = await eventually(lambda: notices(2), what="the close's notice")
    assert texts[-1].startswith(f"Статус: {MANAGER} → {CLOSED} (")
    sent = [c for c in await system.comments(task["id"]) if c["author_kind"] == "system"]
    assert all(c.get("delivery") is None and c["direction"] == "out" for c in sent)
