"""Resending a failed comment through the API: only what the customer has not received."""

from __future__ import annotations

from typing import Any, cast

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.task_sync import comments_api
from services.task_sync.api_common import install_operator_api
from services.task_sync.wiring import builtin_deps
from shared import events
from shared.bus import Bus
from shared.config import TaskSyncSettings, load
from shared.store import comments, directory, files, tasks

NOW = events.utcnow()


class RecordingBus:
    def __init__(self) -> None:
        self.published: list[events.Message] = []

    async def publish(self, message: events.Message) -> None:
        self.published.append(message)


async def test_resending_a_comment_whose_text_went_out_sends_only_the_file(db: Any) -> None:
    settings = load(TaskSyncSettings, {"MONGODB_URL": "mongodb://127.0.0.1/",
                                       "WABRIDGE_URL_SIGNING_KEY": "k" * 32})
    bus = RecordingBus()
    deps = builtin_deps(db, cast(Bus, bus), settings, robot_user_id="r",
                        group_bot_user_id="g")
    for module in (comments, directory, files, tasks):
        await module.ensure_indexes(db)
    await directory.upsert_user(db, directory.User(id="u1", full_name="Иванова Мария"),
                                token="t0ken")
    chat = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                          chat_id="79011112233")
    await tasks.create(db, tasks.Task(id="t1", title="t", category="c", status="s", chat=chat,
                                      conversation_id="cv", created_at=NOW, updated_at=NOW,
                                      assignee_user_id="u1"))
    await files.add_attachment(db, files.AttachmentRecord(
        id="f1", comment_id="cm1", task_id="t1", file_name="a.pdf",
        mime_type="application/pdf", state="stored", size=3))
    # the text (part 0) was accepted by the gateway, the file (part 1) was refused for good
    await comments.insert(db, comments.Comment(
        id="cm1", task_id="t1", order=1, at=NOW, author_kind="user", direction="out",
        text="Счёт", author_user_id="u1", author_name="Иванова Мария", send_id="s0",
        gateway_message_id="gw-text", delivery="failed", delivery_rank=4, parts=2))

    app = web.Application()
    install_operator_api(app, deps)
    comments_api.routes(app)
    async with TestClient(TestServer(app)) as client:
        resp = await client.post("/api/v1/tasks/t1/comments/cm1/resend",
                                 headers={"Authorization": "Bearer t0ken"})
        assert resp.status == 202, await resp.text()
    sends = [m for m in bus.published if isinstance(m, events.SendMessage)]
    assert [(s.part, s.attachment.file_id if s.attachment else None) for s in sends] == \
        [(1, "f1")]
    stored = await comments.get(db, "cm1")
    assert stored is not None and stored.delivery == "sent"  # the text did arrive
