""""Send when they return": free text posted after the 24-hour window closed is held (a
comment in the delivery state ``held``, cancellable) and goes out by itself, through the same
publish path as any comment, when the customer writes again: oldest first, each before
anything posted after it."""

from __future__ import annotations

import msgspec

from services.task_sync.application.access import ensure_can_post, visible_task
from services.task_sync.application.activity import announce
from services.task_sync.application.errors import Conflict, Invalid, NotFound
from services.task_sync.application.outgoing import publish_sends, remaining_sends
from services.task_sync.application.window import ensure_free_text_allowed
from services.task_sync.deps import Deps
from shared.domain.access import Actor
from shared.domain.comments import Comment
from shared.domain.tasks import Task
from shared.logs import get_logger

log = get_logger(__name__)
HELD = "held"


async def must_hold(deps: Deps, task: Task, hold: bool) -> bool:
    """False when free text may go now; True when it is to be held (asked for, and the
    window is closed); the window's refusal otherwise."""
    try:
        await ensure_free_text_allowed(deps, task)
    except Invalid as exc:
        if not hold or deps.desk is None:
            raise Invalid(exc.error, exc.reason + (
                "; or post it with hold=true to send it when the customer writes again"
                if deps.desk is not None else "")) from None
        return True
    return False


def as_held(comment: Comment) -> Comment:
    return msgspec.structs.replace(comment, delivery=HELD, outbox=None)


async def remember(deps: Deps, task: Task, comment: Comment) -> None:
    assert deps.desk is not None
    await deps.desk.hold(comment.id, task.chat.key, task.id, comment.order)


async def release(deps: Deps, chat_key: str) -> int:
    """The customer wrote: what was held for them goes out, in the order it was posted."""
    if deps.desk is None:
        return 0
    released = 0
    for item in await deps.desk.held_of_chat(chat_key):
        comment_id = str(item["_id"])
        if await deps.desk.release_held(comment_id):
            comment = await deps.tasks.get_comment(comment_id)
            task = await deps.tasks.get_task(str(item["task_id"]))
            if comment is not None and task is not None:
                await publish_sends(deps, comment.id, await remaining_sends(deps, task, comment))
                await announce(deps, "comment.updated", task, f"released:{comment.id}",
                               msgspec.structs.replace(comment, delivery="queued"))
                released += 1
        await deps.desk.forget_held(comment_id)
    if released:
        log.info("held replies released", chat_key=chat_key, released=released)
    return released


async def cancel(deps: Deps, actor: Actor, task_id: str, comment_id: str) -> Comment:
    """A held reply withdrawn before it went out (409 once it went, or for any other)."""
    task = await visible_task(deps, actor.viewer, task_id)
    ensure_can_post(actor.viewer, task)
    comment = await deps.tasks.get_comment(comment_id)
    if comment is None or comment.task_id != task.id:
        raise NotFound("not_found", "no such comment in this task")
    if deps.desk is None or comment.delivery != HELD or not await deps.desk.cancel_held(
            comment_id):
        raise Conflict("not_held", "only a held reply can be withdrawn (this one is "
                       f"{comment.delivery or 'not a send'})")
    await deps.desk.forget_held(comment_id)
    cancelled = msgspec.structs.replace(comment, delivery="cancelled", deleted=True)
    await announce(deps, "comment.updated", task, f"cancelled:{comment.id}", cancelled)
    return cancelled
