"""The chaos suite with First Form as the task system (``--task-system first_form``): the
sandbox's First Form refuses, rate-limits, loses answers of creations it carried out, forgets
login tokens, and task-sync is killed, while managers answer inside First Form (the sandbox's
"write a comment as a manager": text, a file, a quote), so the feed pick-up runs under the
faults; afterwards every chat must have exactly one task in First Form holding each customer
message once and no comment of ours twice, and every manager's answer sent once, in order."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import Any

from shared.first_form.mapping import picked_comment_id, picked_file_id
from tests.chaos.load import PDF, Chat, Driver, digits, pause
from tests.chaos.scenarios import Context, Scenario
from tests.chaos.system import in_thread

MARKER = re.compile(r"\n?\[wa:([0-9a-f]{12})\]$")
IVANOVA = 101  # the seed's responsible employee, as First Form's user


class FirstFormDriver(Driver):
    """The load's manager writes inside First Form; the rest is the load as it is."""

    async def manager_part(self, chat: Chat) -> None:
        m = chat.marker
        chat.task_id = await self.handed_over(chat)
        ff_task = await self.ff_task(chat)
        chat.owed.append(f"{m}-1")
        await self.in_first_form(chat, ff_task, f"Ответ {m}-1")
        await pause()
        question = f"Уточнение {m}"
        await self.customer_says(chat, question)
        quoted = await self.ff_comment(chat, ff_task, question)
        chat.owed.append(f"{m}-2")
        media = await self.upload(chat)
        posted = await self.in_first_form(chat, ff_task, f"Счёт {m}-2", media_ids=[media])
        for ff_file in posted.get("file_ids", []):
            picked = picked_comment_id(ff_task, int(posted["id"]))
            chat.owed.append("file:" + picked_file_id(picked, str(ff_file)))
        await pause()
        chat.owed.append(f"{m}-3")
        await self.in_first_form(chat, ff_task, f"Цитата {m}-3", reply_to=quoted)

    async def ff_task(self, chat: Chat) -> int:
        """The chat's task in First Form (the newest)."""
        async def attempt() -> int | None:
            tasks = await self.ff_tasks(chat)
            return int(tasks[0]["id"]) if tasks else None
        return int(await self._retrying(f"First Form task of {chat.chat_id}", attempt))

    async def ff_tasks(self, chat: Chat) -> list[dict[str, Any]]:
        async with self.http.get(self.url("sandbox", "/sandbox/first-form/tasks"),
                                 params={"chat_id": chat.chat_id}) as r:
            found: list[dict[str, Any]] = await r.json()
            return found

    async def ff_comment(self, chat: Chat, ff_task: int, text: str) -> int:
        """First Form's id of the customer's comment ``text`` once it is there."""
        async def attempt() -> int | None:
            for task in await self.ff_tasks(chat):
                for comment in task["comments"] if task["id"] == ff_task else ():
                    if MARKER.sub("", comment["text"]) == text:
                        return int(comment["id"])
            return None
        return int(await self._retrying(f"customer comment in First Form ({chat.chat_id})",
                                        attempt))

    async def upload(self, chat: Chat) -> str:
        async def attempt() -> str | None:
            async with self.http.post(self.url("sandbox", "/sandbox/media"), data=PDF,
                                      params={"filename": "invoice.pdf"},
                                      headers={"Content-Type": "application/pdf"}) as r:
                return str((await r.json())["id"]) if r.status == 200 else None
        return str(await self._retrying(f"file for {chat.chat_id}", attempt))

    async def in_first_form(self, chat: Chat, ff_task: int, text: str,
                            **extra: Any) -> dict[str, Any]:
        """A comment by the manager in First Form; the sandbox's own side is not faulted, so
        one post (a refusal is the load's problem, noted)."""
        body = {"task_id": ff_task, "author_id": IVANOVA, "text": text, **extra}
        async with self.http.post(self.url("sandbox", "/sandbox/first-form/comment"),
                                  json=body) as r:
            made: dict[str, Any] = await r.json()
        if "id" not in made:
            chat.problems.append(f"First Form refused the manager's comment: {made}")
        return made


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
# make test's: the same faults and the task-sync kill, over a shorter load
FIRST_FORM_QUICK = [Scenario("first_form_faults", first_form_faults, 16, chats=6)]
