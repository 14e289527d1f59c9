"""The First Form adapter against the sandbox's First Form, in this process: for the adapter's
integration tests and the task-system contract test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer

from services.sandbox.app import create_app
from services.sandbox.first_form_api import WORLD
from services.sandbox.first_form_world import World, bridge_env
from services.sandbox.settings import SandboxSettings
from shared import events
from shared.config import TaskSyncSettings, load
from shared.domain.comments import Comment, order_of
from shared.domain.tasks import Task
from shared.first_form.client import FirstFormClient
from shared.first_form.options import Options, from_settings
from shared.first_form.task_system import FirstFormTaskSystem
from shared.store import comments, files, first_form_ids, revisions, tasks
from shared.store.builtin_ports import MongoFiles

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
BOT, MANAGER, CLOSED = "Диалог с ботом", "Диалог с менеджером", "Закрыта"
CHANNEL = "2f9e6a3c-5b1d-4c7e-9a8f-0d1e2c3b4a59"


def task(task_id: str = "t1", chat_id: str = "79011112233", status: str = BOT) -> Task:
    return Task(id=task_id, title="WhatsApp: Сидоров Пётр", category="Общение WhatsApp",
                status=status, chat=events.ChatRef(provider="wazzup", channel_id=CHANNEL,
                                                   chat_type="whatsapp", chat_id=chat_id),
                conversation_id=f"cv-{task_id}", created_at=NOW, updated_at=NOW,
                phone=chat_id)


def comment(comment_id: str, text: str = "Здравствуйте", **extra: Any) -> Comment:
    fields: dict[str, Any] = {"id": comment_id, "task_id": "t1", "order": order_of(NOW),
                              "at": NOW, "author_kind": "customer", "direction": "in",
                              "text": text}
    return Comment(**(fields | extra))


@dataclass
class Clock:
    """Monotonic seconds the test moves forward."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Sleeps:
    """Records the client's waits instead of waiting."""

    taken: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)


@dataclass
class FirstFormRig:
    system: FirstFormTaskSystem
    world: World
    opts: Options
    client: FirstFormClient
    clock: Clock
    sleeps: Sleeps
    db: Any
    server: TestServer

    def ff_tasks(self) -> list[Any]:
        return [t for t in self.world.tasks.values() if t.subcat_id == 1001]

    def ff_comments(self, ff_task_id: int | None = None) -> list[Any]:
        return sorted((c for c in self.world.comments.values()
                       if ff_task_id is None or c.task_id == ff_task_id), key=lambda c: c.id)

    async def requests(self, path_part: str = "") -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as http, http.get(
                self.server.make_url("/sandbox/requests"),
                params={"provider": "first_form"}) as resp:
            found: list[dict[str, Any]] = await resp.json()
        return [r for r in found if path_part in r["path"]]

    async def ff_task_of(self, task_id: str = "t1") -> int:
        link = await first_form_ids.get(self.db, "task", task_id)
        assert link is not None and link.ff_id is not None
        return link.ff_id


def settings_for(url: str, **env: str) -> TaskSyncSettings:
    environ = {"MONGODB_URL": "mongodb://127.0.0.1:1", "WABRIDGE_URL_SIGNING_KEY": "k" * 24,
               **bridge_env(url), "FIRST_FORM_RETRIES": "2", **env}
    return load(TaskSyncSettings, environ)


@asynccontextmanager
async def first_form_rig(db: Any, system_class: type[FirstFormTaskSystem] = FirstFormTaskSystem,
                         feed_page: int = 500, now: Callable[[], datetime] = events.utcnow,
                         **env: str) -> AsyncIterator[FirstFormRig]:
    for module in (comments, files, revisions, tasks, first_form_ids):
        await module.ensure_indexes(db)
    server = TestServer(create_app(SandboxSettings()), host="127.0.0.1")
    await server.start_server()
    clock, sleeps = Clock(), Sleeps()
    try:
        async with aiohttp.ClientSession() as session:
            opts = from_settings(settings_for(str(server.make_url("")).rstrip("/"), **env))
            client = FirstFormClient(session, opts, clock=clock, sleep=sleeps)
            system = system_class(db, client, opts, MongoFiles(db), feed_page=feed_page,
                                  clock=now)
            yield FirstFormRig(system=system, world=server.app[WORLD], opts=opts,
                               client=client, clock=clock, sleeps=sleeps, db=db, server=server)
    finally:
        await server.close()
