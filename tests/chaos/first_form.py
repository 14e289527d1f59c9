"""The chaos suite with First Form as the task system (``--task-system first_form``): the
sandbox's First Form refuses, rate-limits, loses answers of creations it carried out, forgets
login tokens, and task-sync is killed; afterwards every chat must have exactly one task in
First Form holding each customer message once and no comment of ours twice."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

from tests.chaos.load import Chat, digits
from tests.chaos.scenarios import Context, Scenario
from tests.chaos.system import in_thread

MARKER = re.compile(r"\n?\[wa:([0-9a-f]{12})\]$")


async def first_form_faults(ctx: Context, duration_s: float) -> dict[str, Any]:
    """Rounds of First Form trouble while the load runs, and a crash of task-sync."""
    step = duration_s / 4

    async def fail(path: str, count: int, status: int, **extra: Any) -> None:
        await ctx.sandbox("/sandbox/first-form/fail", {"path": path, "count": count,
                                                        "status": status, **extra})
    await asyncio.sleep(2)
    await fail("", 40, 503, retry_after=0.5)  # down, every route
    await asyncio.sleep(step)
    await fail("", 0, 503)
    await fail("/api/tasks/create", 3, 502, after_effect=True)  # created; answer lost
    await fail("wa-comment", 8, 504, after_effect=True)  # posted; answer lost
    await asyncio.sleep(step)
    await fail("", 30, 429, retry_after=1)  # rate limited
    await ctx.sandbox("/sandbox/first-form/tokens", {"expire": True})
    await asyncio.sleep(step)
    await in_thread(ctx.system.kill_and_restart, "task_sync")
    await asyncio.sleep(step)
    for path in ("", "/api/tasks/create", "wa-comment"):
        await fail(path, 0, 503)
    return {"first_form_down_s": round(step, 1), "lost_answers": 11,
            "task_sync_kills": 1}


async def first_form_findings(ctx: Context, chats: list[Chat]) -> dict[str, Any]:
    """Per chat in First Form: more than one task, customer messages missing or doubled, and
    our comments posted twice (the same marker twice)."""
    url = f"http://127.0.0.1:{ctx.system.running.ports['sandbox']}/sandbox/first-form/tasks"
    async with ctx.http.get(url) as answer:
        tasks: list[dict[str, Any]] = await answer.json()
    by_chat: dict[str, list[dict[str, Any]]] = {}
    for task in tasks:
        by_chat.setdefault(digits(task["fields"].get("ID чата", "")), []).append(task)
    found = {"first_form_second_tasks": 0, "first_form_missing": 0, "first_form_doubled": 0}
    details: list[str] = []
    for chat in chats:
        mine = by_chat.get(digits(chat.chat_id), [])
        found["first_form_second_tasks"] += max(0, len(mine) - 1)
        comments = [c for t in mine for c in t["comments"]]
        markers = Counter(m.group(1) for c in comments if (m := MARKER.search(c["text"])))
        doubled = sum(n - 1 for n in markers.values() if n > 1)
        texts = Counter(MARKER.sub("", c["text"]) for c in comments
                        if c["author"] == "WhatsAppRobot")
        missing = [t for t in chat.customer if texts[t] == 0]
        found["first_form_doubled"] += doubled
        found["first_form_missing"] += len(missing)
        if doubled or missing or len(mine) > 1:
            details.append(f"{chat.chat_id} in First Form: {len(mine)} tasks, doubled "
                           f"{doubled}, missing {missing}")
    return found | {"first_form_details": details[:10]}


FIRST_FORM = [Scenario("first_form_faults", first_form_faults, 24, chats=10)]
