"""The operator API over a real database (MongoDB or the stand-in) as the console tests use
it: the demo-like directory (two groups, an admin, a supervisor, three managers), a few tasks
with a comment, a revision and a file each, every API route as task-sync serves it, and callers
by API token or by console session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.task_sync.api_common import install_operator_api
from services.task_sync.api_routes import add_operator_routes
from services.task_sync.application.passwords import hash_password_now
from services.task_sync.wiring import builtin_deps
from shared import events
from shared.config import TaskSyncSettings, load
from shared.domain.comments import Comment, Revision
from shared.domain.directory import Role
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task
from shared.ops import request_context
from shared.store import accounts, audit, comments, directory, files, revisions, tasks
from shared.store.directory import Group, User

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TOKENS = {"admin": "t-admin", "supervisor": "t-sup", "ivanova": "t-iva", "petrov": "t-pet",
          "smirnov": "t-smi"}
# task -> (assignee user, assignee group); the chats differ so reopening is allowed
TASKS = {
    "t-ivanova": ("usr-ivanova", "grp-cc"),
    "t-queue-cc": (None, "grp-cc"),
    "t-queue-sales": (None, "grp-sales"),
    "t-smirnov": ("usr-smirnov", "grp-sales"),
    "t-bot": (None, None),
}
class Recorder:
    """The bus: every published message kept."""

    def __init__(self) -> None:
        self.published: list[events.Message] = []

    async def publish(self, message: events.Message) -> None:
        self.published.append(message)

    async def publish_all(self, messages: Any) -> None:
        self.published.extend(messages)


class FakeDeadLetters:
    def __init__(self) -> None:
        self.held = {"outbound_sender.sends.0": [{"type": "outbound.send", "id": "m1",
                                                  "x-error-code": "BAD"}]}

    def queues(self) -> list[str]:
        return ["outbound_sender.sends.0", "task_sync.commands"]

    async def list(self, queue: str | None, limit: int) -> dict[str, Any]:
        return {f"wa.{q}": {"count": len(m), "messages": m[:limit]}
                for q, m in self.held.items() if m and queue in (None, q)}

    async def replay(self, queue: str, limit: int, message_id: str | None) -> int:
        return len(self.held.pop(queue, []))

    async def purge(self, queue: str) -> int:
        return len(self.held.pop(queue, []))


class Console:
    def __init__(self, client: TestClient[Any, Any], db: Any, bus: Recorder) -> None:
        self.client = client
        self.db = db
        self.bus = bus

    async def call(self, method: str, path: str, who: str | None = "admin",
                   headers: dict[str, str] | None = None, **kwargs: Any) -> tuple[int, Any]:
        sent = dict(headers or {})
        if who is not None:
            sent["Authorization"] = f"Bearer {TOKENS[who]}"
        async with self.client.request(method, path, headers=sent, **kwargs) as resp:
            raw = await resp.read()
            return resp.status, (await resp.json() if raw and resp.content_type ==
                                 "application/json" else raw)

    async def login(self, login: str, password: str | None = None,
                    address: str | None = None) -> tuple[int, Any, Any]:
        headers = {"X-Forwarded-For": address} if address else {}
        async with self.client.post("/api/v1/auth/login", headers=headers, json={
                "login": login, "password": password or f"demo-{login}"}) as resp:
            return resp.status, await resp.json(), resp.headers


def make_task(task_id: str, user: str | None, group: str | None) -> Task:
    chat = events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                          chat_id=f"7900{abs(hash(task_id)) % 10_000_000:07d}")
    return Task(id=task_id, title=f"WhatsApp: {task_id}", category="WhatsApp",
                status="Диалог с менеджером", chat=chat, conversation_id=f"conv-{task_id}",
                created_at=AT, updated_at=AT, assignee_user_id=user, assignee_group_id=group,
                status_version=1)


async def seed(db: Any) -> None:
    for module in (directory, tasks, comments, files, revisions, accounts, audit):
        await module.ensure_indexes(db)
    await directory.upsert_group(db, Group(id="grp-cc", name="Контакт-центр"))
    await directory.upsert_group(db, Group(id="grp-sales", name="Отдел продаж"))
    people: list[tuple[str, str, Role, list[str]]] = [
        ("admin", "Admin", "admin", []), ("supervisor", "Sokolova", "supervisor", ["grp-cc"]),
        ("ivanova", "Ivanova", "manager", ["grp-cc"]), ("petrov", "Petrov", "manager", ["grp-cc"]),
        ("smirnov", "Smirnov", "manager", ["grp-sales"])]
    for login, name, role, groups in people:
        await directory.upsert_user(db, User(id=f"usr-{login}", full_name=name, login=login,
                                             role=role, group_ids=groups),
                                    token=TOKENS[login])
    for login in ("admin", "ivanova"):
        await accounts.set_password_hash(db, f"usr-{login}", hash_password_now(f"demo-{login}"),
                                         AT)
    for task_id, (user, group) in TASKS.items():
        await tasks.create(db, make_task(task_id, user, group))
        await comments.insert(db, Comment(
            id=f"c-{task_id}", task_id=task_id, order=1, at=AT, author_kind="customer",
            direction="in", text="Hello", gateway_message_id=f"g-{task_id}"))
        await revisions.add(db, Revision(id=f"r-{task_id}", comment_id=f"c-{task_id}", at=AT,
                                         kind="edited", text="Hello!"))
        await files.put(db, f"f-{task_id}", "a.png", "image/png", b"\x89PNG")
        await files.add_attachment(db, AttachmentRecord(
            id=f"f-{task_id}", comment_id=f"c-{task_id}", task_id=task_id, file_name="a.png",
            mime_type="image/png", state="stored", size=4))


@asynccontextmanager
async def open_console(db: Any, mongo_url: str) -> AsyncIterator[Console]:
    """The API on a test server over ``db`` (seeded by the caller)."""
    settings = load(TaskSyncSettings, {"MONGODB_URL": mongo_url,
                                       "WABRIDGE_URL_SIGNING_KEY": "unit-test-signing-key"})
    bus = Recorder()
    deps = builtin_deps(db, bus, settings, robot_user_id="usr-robot",
                        group_bot_user_id="usr-robot")
    app = web.Application(middlewares=[request_context])
    install_operator_api(app, deps)
    add_operator_routes(app, FakeDeadLetters())
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Console(client, db, bus)
    finally:
        await client.close()
