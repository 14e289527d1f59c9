"""What a bot flow's actions ask of the task system (issue 12): keep a customer's answer as a
task field, and tell a customer the status of one of their requests.

A status look-up never reveals another customer's request: the answer names a status only when
the request's phone (or its contact's) is the asking task's phone; a request that is someone
else's and one that does not exist get the same ``not_found_text``.
"""

from __future__ import annotations

from services.task_sync.application import records
from services.task_sync.application.activity import announce
from services.task_sync.application.tasks import created_task
from services.task_sync.deps import Deps
from shared import events
from shared.domain.phones import digits
from shared.domain.tasks import Task
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
MAX_NUMBER = 10**15  # beyond any request number; longer digit strings are simply not found


async def set_task_field(deps: Deps, cmd: events.SetTaskField) -> None:
    """Store the answer (idempotent: a redelivery writes the same value again)."""
    updated = await deps.tasks.set_field(cmd.task_id, cmd.field, cmd.value)
    if updated is None:  # its OpenTask is consumed concurrently and may be a moment behind
        raise RetryableError(f"task {cmd.task_id} is not created yet",
                             code="TASK_NOT_YET_CREATED")
    log.info("bot stored a task field", task_id=cmd.task_id, field=cmd.field)
    await announce(deps, "task.updated", updated, cmd.id)


async def look_up_status(deps: Deps, cmd: events.LookUpStatus) -> None:
    """Answer with the request's status (or ``not_found_text``) as the bot: a comment in the
    asking task and its send, queued in the chat's send queue (ids from the command, so a
    redelivery neither repeats the comment nor the message)."""
    asking = await created_task(deps, cmd.task_id)
    found = await _request(deps, cmd.number)
    mine = found is not None and await _same_customer(deps, asking, found)
    log.info("bot looked up a request's status", task_id=cmd.task_id, answered=mine)
    text = (answer_text(cmd.answer_template, cmd.number, found.status)
            if found is not None and mine else cmd.not_found_text)
    await records.add_comment(deps, events.AddComment(
        id=events.derive_id("lookup-comment", cmd.id), correlation_id=cmd.correlation_id,
        occurred_at=cmd.occurred_at, comment_id=cmd.comment_id, task_id=cmd.task_id,
        author_kind="bot", author_name=deps.settings.wabridge_robot_user, direction="out",
        text=text, at=cmd.occurred_at, send_id=cmd.send_id))
    await deps.bus.publish(events.SendMessage(
        id=cmd.send_id, correlation_id=cmd.correlation_id, occurred_at=cmd.occurred_at,
        chat=asking.chat, task_id=cmd.task_id, comment_id=cmd.comment_id, text=text,
        clear_unanswered=False))


def answer_text(template: str, number: str, status: str) -> str:
    """The template with ``{number}`` and ``{status}``; a template that does not format (an
    admin's stray brace) still tells the status."""
    try:
        return template.format(number=number, status=status)
    except (KeyError, IndexError, ValueError):
        return f"{number}: {status}"


async def _request(deps: Deps, number: str) -> Task | None:
    text = number.strip().lstrip("#№")
    if not text.isascii() or not text.isdigit() or int(text) >= MAX_NUMBER:
        return None
    return await deps.tasks.task_by_number(int(text))


async def _same_customer(deps: Deps, asking: Task, found: Task) -> bool:
    """Whether ``found`` is the asking customer's: its phone, or one of its contact's phones,
    is the asking task's phone (digits compared)."""
    if found.id == asking.id:
        return True
    phone = digits(asking.phone) if asking.phone else ""
    if not phone:
        return False
    phones = {found.phone} if found.phone else set()
    if found.contact_id:
        contact = await deps.directory.get_contact(found.contact_id)
        phones |= set(contact.phones) if contact else set()
    return phone in {digits(p) for p in phones if p}
