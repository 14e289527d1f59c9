"""The load: customers who write (bot codes, then a question that hands them over) and a manager
who answers with text, a file and a quote; every step retried the way a gateway or a person
would (the same message id, the same Idempotency-Key), and what each chat is owed noted down.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import yaml

from deploy.stack import ROOT
from shared import events
from shared.config import Texts

ADMIN = {"Authorization": "Bearer demo-admin-token"}
TEXTS = Texts(mongodb_url="mongodb://unused")
SCENARIOS = {s["codes"][0]: s["answer"] for s in yaml.safe_load(
    (ROOT / "deploy" / "seed" / "demo.yaml").read_text())["scenarios"] if s.get("codes")}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
STEP_DEADLINE_S = 240.0


def digits(chat_id: str) -> str:
    return re.sub(r"\D", "", chat_id.split("@", 1)[0])


@dataclass
class Chat:
    """One customer's chat: what was said, and what the chat is owed, in order."""

    chat_id: str
    provider: str
    manager: bool  # a manager answers too (Wazzup chats)
    customer: list[str] = field(default_factory=list)
    owed: list[str] = field(default_factory=list)  # bot texts, reply markers, file:<id>
    task_id: str | None = None
    done: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def marker(self) -> str:
        return f"#{self.chat_id[-7:]}"


class Driver:
    """Speaks to the running system as its gateways and its manager would."""

    def __init__(self, http: aiohttp.ClientSession, ports: dict[str, int]) -> None:
        self.http = http
        self.ports = ports
        self.manager_tasks: dict[str, str] = {}  # chat digits -> task id, once handed over

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    async def _retrying(self, what: str, attempt: Any) -> Any:
        """Call ``attempt`` until it gives a result (None: not yet), up to the step deadline."""
        deadline = asyncio.get_running_loop().time() + STEP_DEADLINE_S
        delay = 0.5
        while True:
            try:
                result = await attempt()
                if result is not None:
                    return result
            except (aiohttp.ClientError, TimeoutError, ValueError):
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{what} did not succeed within {STEP_DEADLINE_S:.0f}s")
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 3.0)

    async def customer_says(self, chat: Chat, text: str) -> None:
        """The gateway delivers the message until ingest takes it (same message id)."""
        body = {"chat_id": chat.chat_id, "text": text, "provider": chat.provider,
                "message_id": str(uuid.uuid4())}

        async def attempt() -> bool | None:
            async with self.http.post(self.url("sandbox", "/sandbox/inbound"), json=body) as r:
                answer = await r.json(content_type=None)
                return True if r.status == 200 and answer.get("ingest_status") == 200 else None

        await self._retrying(f"customer message in {chat.chat_id}", attempt)
        chat.customer.append(text)

    async def manager_says(self, chat: Chat, text: str, *, file: bool = False,
                           reply_to: str | None = None) -> dict[str, Any]:
        """The manager posts until the API takes it (same Idempotency-Key)."""
        key = uuid.uuid4().hex
        path = f"/api/v1/tasks/{chat.task_id}/comments"

        async def attempt() -> dict[str, Any] | None:
            headers = ADMIN | {"Idempotency-Key": key}
            if file:
                form = aiohttp.FormData()
                form.add_field("text", text)
                form.add_field("files", PDF, filename="invoice.pdf",
                               content_type="application/pdf")
                request = self.http.post(self.url("task_sync", path), data=form, headers=headers)
            else:
                payload: dict[str, Any] = {"text": text} | ({"reply_to": reply_to} if reply_to
                                                            else {})
                request = self.http.post(self.url("task_sync", path), json=payload,
                                         headers=headers)
            async with request as r:
                if r.status in (200, 201, 202):
                    posted: dict[str, Any] = await r.json()
                    return posted
                if r.status < 500:
                    chat.problems.append(f"API refused a reply: {r.status} {await r.text()}")
                    return {}
                return None

        return dict(await self._retrying(f"manager reply in {chat.chat_id}", attempt))

    async def customer_comment_id(self, chat: Chat, text: str) -> str:
        async def attempt() -> str | None:
            for comment in await self.comments(chat.task_id or ""):
                if comment.get("direction") == "in" and comment.get("text") == text:
                    return str(comment["id"])
            return None

        return str(await self._retrying(f"customer comment in {chat.chat_id}", attempt))

    async def comments(self, task_id: str) -> list[dict[str, Any]]:
        path = f"/api/v1/tasks/{task_id}/comments"
        async with self.http.get(self.url("task_sync", path), headers=ADMIN) as r:
            if r.status != 200:
                raise ValueError(f"comments of {task_id}: HTTP {r.status}")
            return list((await r.json())["items"])

    async def tasks(self, status: str | None = None) -> list[dict[str, Any]]:
        query = "?limit=500" + (f"&status={status}" if status else "")
        async with self.http.get(self.url("task_sync", f"/api/v1/tasks{query}"),
                                 headers=ADMIN) as r:
            if r.status != 200:
                raise ValueError(f"tasks: HTTP {r.status}")
            return list((await r.json())["items"])

    async def follow_hand_overs(self, stop: asyncio.Event) -> None:
        """Learn which chats reached a manager (one listing a second for all of them)."""
        while not stop.is_set():
            try:
                for task in await self.tasks(TEXTS.wabridge_status_manager):
                    self.manager_tasks[digits(task["chat"]["chat_id"])] = task["id"]
            except (aiohttp.ClientError, TimeoutError, ValueError):
                pass
            await asyncio.sleep(1.0)

    async def manager_part(self, chat: Chat) -> None:
        """The manager's answers, through the console API (First Form mode: in First Form)."""
        await manager_part(self, chat)

    async def handed_over(self, chat: Chat) -> str:
        async def attempt() -> str | None:
            return self.manager_tasks.get(digits(chat.chat_id))

        return str(await self._retrying(f"hand-over of {chat.chat_id}", attempt))


async def pause() -> None:
    await asyncio.sleep(random.uniform(0.2, 1.0))


async def run_chat(driver: Driver, chat: Chat) -> None:
    """One chat's whole conversation; what it is owed is noted as each step is taken."""
    m = chat.marker
    try:
        for text, owed in ((f"Добрый день {m}", TEXTS.wabridge_greeting),
                           ("1", SCENARIOS["1"]), ("2", SCENARIOS["2"]),
                           (f"Вопрос про доставку {m}", TEXTS.wabridge_handover_text)):
            chat.owed.append(owed)
            await driver.customer_says(chat, text)
            await pause()
        if chat.manager:
            await driver.manager_part(chat)
    except TimeoutError as exc:
        chat.problems.append(str(exc))
    finally:
        chat.done = True


async def manager_part(driver: Driver, chat: Chat) -> None:
    m = chat.marker
    chat.task_id = await driver.handed_over(chat)
    chat.owed.append(f"{m}-1")
    await driver.manager_says(chat, f"Ответ {m}-1")
    await pause()
    question = f"Уточнение {m}"
    await driver.customer_says(chat, question)
    quoted = await driver.customer_comment_id(chat, question)
    chat.owed.append(f"{m}-2")
    posted = await driver.manager_says(chat, f"Счёт {m}-2", file=True)
    if posted.get("id"):
        chat.owed.append("file:" + events.derive_id("upload", posted["id"], "0"))
    await pause()
    chat.owed.append(f"{m}-3")
    await driver.manager_says(chat, f"Цитата {m}-3", reply_to=quoted)


def new_chats(count: int, unkeyed: int) -> list[Chat]:
    """``count`` Wazzup chats with a manager, and ``unkeyed`` chat-api ones (bot only)."""
    def phone() -> str:
        return "7999" + str(uuid.uuid4().int)[:7]

    return ([Chat(chat_id=phone(), provider="wazzup", manager=True) for _ in range(count)]
            + [Chat(chat_id=phone(), provider="chat_api", manager=False)
               for _ in range(unkeyed)])

