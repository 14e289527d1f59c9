"""GET /api/v1/events over HTTP against the running system: a manager's stream carries only
the tasks they may see, and a stream opened again with the last event id (the Last-Event-ID
header of EventSource's own retry, or the console's ?last_event_id=) gets what it missed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from tests.e2e.conftest import ADMIN, IVANOVA, System, eventually, new_chat

SMIRNOV = "demo-manager-smirnov"


class Stream:
    """One SSE connection, read in the background into (id, event, data) frames."""

    def __init__(self) -> None:
        self.frames: list[tuple[str | None, str, dict[str, Any]]] = []
        self.opened = asyncio.Event()

    def of_task(self, task_id: str) -> list[tuple[str | None, str, dict[str, Any]]]:
        return [f for f in self.frames if f[2].get("task_id") == task_id]

    def texts(self, task_id: str) -> list[str]:
        """The customer's messages of ``task_id`` as they were added, in order."""
        return [f[2]["comment"].get("text", "") for f in self.of_task(task_id)
                if f[1] == "comment.added" and f[2]["comment"].get("direction") == "in"]

    async def read(self, resp: aiohttp.ClientResponse) -> None:
        fields: dict[str, str] = {}
        async for raw in resp.content:
            line = raw.decode().rstrip("\r\n")
            if line:
                name, _, value = line.partition(":")
                fields[name] = value.removeprefix(" ")
                continue
            if "event" in fields:
                self.frames.append((fields.get("id"), fields["event"],
                                    json.loads(fields.get("data") or "{}")))
            fields = {}


@asynccontextmanager
async def stream(system: System, token: str, last_id: str | None = None,
                 by_query: bool = False) -> AsyncIterator[Stream]:
    headers = {"Authorization": f"Bearer {token}"}
    params = {}
    if last_id and by_query:
        params["last_event_id"] = last_id
    elif last_id:
        headers["Last-Event-ID"] = last_id
    timeout = aiohttp.ClientTimeout(total=None, sock_read=60)
    async with system.http.get(system.url("task_sync", "/api/v1/events"), headers=headers,
                               params=params, timeout=timeout) as resp:
        assert resp.status == 200 and resp.content_type == "text/event-stream"
        opened = Stream()
        reader = asyncio.create_task(opened.read(resp))
        try:
            yield opened
        finally:
            reader.cancel()


async def task_given_to(system: System, user_id: str) -> tuple[str, str]:
    """A new chat's task, assigned to ``user_id``: (chat id, task id)."""
    chat = new_chat()
    await system.inbound(chat, "Здравствуйте")
    task = await eventually(lambda: system.task_of(chat), what="the task")
    await system.give_to(task["id"], user_id)
    return chat, task["id"]


async def has(found: list[str], text: str) -> bool:
    return text in found


async def test_a_managers_stream_never_carries_a_task_they_cannot_see(system: System) -> None:
    hidden_chat, hidden = await task_given_to(system, "usr-ivanova")
    own_chat, own = await task_given_to(system, "usr-smirnov")
    async with stream(system, SMIRNOV) as smirnov, stream(system, ADMIN) as admin:
        await system.inbound(hidden_chat, "не для отдела продаж")
        await system.api("POST", f"/api/v1/tasks/{hidden}/comments", IVANOVA,
                         json={"text": "ответ Ивановой"})
        await system.inbound(own_chat, "вопрос в отдел продаж")
        await eventually(lambda: has(admin.texts(hidden), "не для отдела продаж"),
                         what="the admin's event of Ivanova's task")
        await eventually(lambda: has(smirnov.texts(own), "вопрос в отдел продаж"),
                         what="Smirnov's event of his own task")
        await eventually(lambda: has(admin.texts(own), "вопрос в отдел продаж"),
                         what="the admin's event of Smirnov's task")
    assert len(admin.of_task(hidden)) >= 2
    assert smirnov.of_task(hidden) == []
    assert "не для отдела продаж" not in json.dumps(smirnov.frames, ensure_ascii=False)


async def test_a_reconnect_with_the_last_event_id_gets_the_events_it_missed(
        system: System) -> None:
    chat, task_id = await task_given_to(system, "usr-ivanova")
    async with stream(system, IVANOVA) as first:
        await system.inbound(chat, "до обрыва")
        await eventually(lambda: has(first.texts(task_id), "до обрыва"), what="the first event")
    last_id = [f for f in first.frames if f[0]][-1][0]
    for text in ("пока связи не было 1", "пока связи не было 2"):
        await system.inbound(chat, text)
    await eventually(lambda: _comment_texts(system, task_id, "пока связи не было 2"),
                     what="the missed messages stored")
    for by_query in (False, True):  # EventSource's own retry; the console's new stream
        async with stream(system, IVANOVA, last_id, by_query=by_query) as resumed:
            await eventually(lambda s=resumed: has(s.texts(task_id), "пока связи не было 2"),
                             what="the missed events")
        assert resumed.texts(task_id) == ["пока связи не было 1", "пока связи не было 2"]
        assert all(kind != "reset" for _, kind, _ in resumed.frames)


async def test_a_resume_from_an_unknown_id_begins_with_a_reset(system: System) -> None:
    async with stream(system, IVANOVA, "no-such-event", by_query=True) as resumed:
        await eventually(lambda: _first_kind(resumed), what="the first frame")
    assert resumed.frames[0][1] == "reset"


async def _first_kind(opened: Stream) -> str | None:
    return opened.frames[0][1] if opened.frames else None


async def _comment_texts(system: System, task_id: str, text: str) -> bool:
    return text in [c.get("text") for c in await system.comments(task_id)]
