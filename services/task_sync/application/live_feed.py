"""The bus as console events: every task-sync replica follows what the services publish about
tasks and turns it into the live updates of ``CONSOLE_API.md``.

Customer and bot messages, delivery results and file transfers are read from the messages
that already flow (no extra publish per message); what people and the routing rule change is
announced as ``TaskActivity`` (see ``activity.py``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import msgspec

from services.task_sync.application.live import ConsoleEvent, LiveHub
from services.task_sync.application.ports import TaskSystem
from services.task_sync.application.views import comment_view, task_summary
from shared import events
from shared.domain.comments import (
    Comment,
    delivery_of_gateway_status,
    initial_delivery,
    order_of,
)
from shared.domain.files import AttachmentRecord, shown_file
from shared.domain.tasks import Task

_tasks_decoder = msgspec.msgpack.Decoder(Task)
_comment_decoder = msgspec.msgpack.Decoder(Comment)
CACHE_MAX = 20_000


class _Lru(OrderedDict[str, Any]):
    def remember(self, key: str, value: Any) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > CACHE_MAX:
            self.popitem(last=False)


class LiveFeed:
    """Turns followed bus messages into console events on ``hub``."""

    def __init__(self, tasks: TaskSystem, hub: LiveHub, robot_name: str = "WhatsAppRobot"
                 ) -> None:
        self._tasks = tasks
        self._hub = hub
        self._robot_name = robot_name
        self._task_cache: _Lru = _Lru()
        self._by_gateway_id: _Lru = _Lru()  # gateway message id → (task id, comment id)

    async def on_message(self, message: events.Message) -> None:
        if isinstance(message, events.TaskActivity):
            await self._activity(message)
        elif isinstance(message, events.AddComments):
            for index, item in enumerate(message.items):
                await self._added(item, f"{message.id}:{index}")
        elif isinstance(message, events.AddComment):
            await self._added(message, message.id)
        elif isinstance(message, events.SendSucceeded):
            if message.gateway_message_id:
                self._by_gateway_id.remember(message.gateway_message_id,
                                             (message.task_id, message.comment_id))
            if message.part == 0:
                await self._updated(message.id, message.task_id, message.comment_id,
                                    {"delivery": "sent"})
        elif isinstance(message, events.SendFailed):
            await self._updated(message.id, message.task_id, message.comment_id, {
                "delivery": "failed" if message.final else "waiting",
                "failure_code": message.code, "failure_reason": message.reason})
        elif isinstance(message, events.StatusUpdated):
            await self._status(message)
        elif isinstance(message, events.MediaStored | events.MediaFetchFailed):
            await self._media(message)
        elif isinstance(message, events.SlaBreached | events.DeskNotice):
            await self._desk(message)

    async def task(self, task_id: str) -> Task | None:
        cached: Task | None = self._task_cache.get(task_id)
        if cached is None:
            cached = await self._tasks.get_task(task_id)
            if cached is not None:
                self._task_cache.remember(task_id, cached)
        return cached

    async def _activity(self, message: events.TaskActivity) -> None:
        task = _tasks_decoder.decode(message.task)
        self._task_cache.remember(task.id, task)
        if message.kind == "comment.added" and message.comment is not None:
            comment = _comment_decoder.decode(message.comment)
            data: dict[str, Any] = {"task_id": task.id, "comment": comment_view(comment, [])}
        elif message.kind == "comment.updated" and message.comment is not None:
            comment = _comment_decoder.decode(message.comment)  # a held reply released or withdrawn
            data = {"task_id": task.id, "comment_id": comment.id, "delivery": comment.delivery}
            data |= {"deleted": True} if comment.deleted else {}
        else:
            data = {"task": task_summary(task)}
        self._hub.publish(ConsoleEvent(id=message.id, kind=message.kind, task_id=task.id,
                                       data=data, task=task))

    async def _added(self, cmd: events.AddComment, event_id: str) -> None:
        task = await self.task(cmd.task_id)
        if cmd.is_edit or cmd.is_delete:
            known = self._by_gateway_id.get(cmd.gateway_message_id or "")
            if known is not None:
                await self._updated(event_id, known[0], known[1], {"deleted": True} if
                                    cmd.is_delete else {"edited": True,
                                                        "current_text": cmd.text})
            return
        if cmd.gateway_message_id:
            self._by_gateway_id.remember(cmd.gateway_message_id, (cmd.task_id, cmd.comment_id))
        delivery = initial_delivery(cmd.direction, cmd.send_id)
        author = cmd.author_name or cmd.sender_name or (
            self._robot_name if cmd.author_kind in ("customer", "bot") else None)
        comment = Comment(
            id=cmd.comment_id, task_id=cmd.task_id, order=order_of(cmd.at), at=cmd.at,
            author_kind=cmd.author_kind, direction=cmd.direction, text=cmd.text,
            content_type=cmd.content_type, author_name=author, sender_name=cmd.sender_name,
            gateway_message_id=cmd.gateway_message_id, send_id=cmd.send_id,
            delivery=delivery[0] if delivery else None)
        files = [AttachmentRecord(
            id=cmd.file_id, comment_id=cmd.comment_id, task_id=cmd.task_id,
            file_name=cmd.media.file_name or cmd.content_type, state="pending",
            mime_type=cmd.media.mime_type or "application/octet-stream")] \
            if cmd.media is not None and cmd.file_id else []
        if cmd.attachment is not None:
            files.append(shown_file(cmd.comment_id, cmd.task_id, cmd.attachment))
        view = comment_view(comment, files)
        quoted = await self._quoted(cmd)
        if quoted is not None:
            view["reply_to_comment_id"] = quoted[1]
        self._hub.publish(ConsoleEvent(id=event_id, kind="comment.added", task_id=cmd.task_id,
                                       data={"task_id": cmd.task_id, "comment": view},
                                       task=task))

    async def _quoted(self, cmd: events.AddComment) -> tuple[str, str] | None:
        """The (task id, comment id) of the message ``cmd`` quotes or reacts to. A reaction
        whose message this replica has not seen lately is looked up: the console shows it on
        that message, so it must name it (a quote shows its own snippet meanwhile)."""
        gateway_id = cmd.reply_to_gateway_message_id or ""
        known: tuple[str, str] | None = self._by_gateway_id.get(gateway_id)
        if known is None and gateway_id and cmd.content_type == "reaction":
            target = await self._tasks.comment_by_gateway_id(gateway_id)
            if target is not None:
                known = (target.task_id, target.id)
                self._by_gateway_id.remember(gateway_id, known)
        return known

    async def _updated(self, event_id: str, task_id: str, comment_id: str,
                       change: dict[str, Any]) -> None:
        task = await self.task(task_id)
        data = {"task_id": task_id, "comment_id": comment_id} | {
            k: v for k, v in change.items() if v is not None}
        self._hub.publish(ConsoleEvent(id=event_id, kind="comment.updated", task_id=task_id,
                                       data=data, task=task))

    async def _status(self, message: events.StatusUpdated) -> None:
        known = self._by_gateway_id.get(message.gateway_message_id)
        if known is None:
            comment = await self._tasks.comment_by_gateway_id(message.gateway_message_id)
            if comment is None:
                return  # not ours, or its send result is still on the way (the API shows it)
            known = (comment.task_id, comment.id)
            self._by_gateway_id.remember(message.gateway_message_id, known)
        status = delivery_of_gateway_status(message.status)
        if status is None:
            return
        await self._updated(message.id, known[0], known[1], {
            "delivery": status, "failure_code": message.error_code,
            "failure_reason": message.error_text})

    async def _media(self, message: events.MediaStored | events.MediaFetchFailed) -> None:
        if isinstance(message, events.MediaStored):
            attachment: dict[str, Any] = {"id": message.file_id, "state": "stored",
                                          "size": message.size}
        else:
            attachment = {"id": message.file_id, "reason": message.reason,
                          "state": "failed" if message.final else "waiting"}
        await self._updated(message.id, message.task_id, message.comment_id,
                            {"attachment": attachment})

    async def _desk(self, message: events.SlaBreached | events.DeskNotice) -> None:
        """A missed deadline (to whoever sees the task) or a notice (to the people named)."""
        if isinstance(message, events.DeskNotice):
            self._hub.publish(ConsoleEvent(
                id=message.id, kind="notice", task_id=message.task_id,
                data={"task_id": message.task_id, "kind": message.kind, "text": message.text,
                      "details": message.details}, audience=frozenset(message.user_ids)))
            return
        self._hub.publish(ConsoleEvent(
            id=message.id, kind="sla.breached", task_id=message.task_id,
            data={"task_id": message.task_id, "kind": message.kind,
                  "due_at": message.due_at.isoformat()}, task=await self.task(message.task_id)))
