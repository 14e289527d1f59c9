"""A chat as the console opens it: its comments a page at a time, each with its files, the
snippet of the message it quotes and the reactions it shows (the task card is
``task_card.py``)."""

from __future__ import annotations

from typing import Any

from services.task_sync.application.views import comment_view, reactions_shown
from services.task_sync.deps import Deps
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task

PAGE_MAX = 200


async def comment_page(deps: Deps, task: Task, *, before: int | None = None,
                       limit: int = 50) -> dict[str, Any]:
    """The newest ``limit`` comments before ``before`` (oldest first) and whether there are
    older ones: three reads, however long the chat. A message's ``reactions`` come from the
    reaction comments of the same page (they stay listed too); those to an older page's
    messages are on the newer pages the reader already has."""
    found, has_more = await deps.tasks.comment_page(task.id, before=before,
                                                    limit=min(limit, PAGE_MAX))
    files: dict[str, list[AttachmentRecord]] = {}
    for record in await deps.tasks.attachments_of_comments([c.id for c in found], task.id):
        files.setdefault(record.comment_id, []).append(record)
    by_id = {c.id: c for c in found}
    missing = sorted({c.reply_to_comment_id for c in found if c.reply_to_comment_id
                      and c.reply_to_comment_id not in by_id})
    by_id |= {c.id: c for c in await deps.tasks.comments_by_ids(missing)}
    shown = reactions_shown(found)
    items = [comment_view(c, files.get(c.id, []),
                          by_id.get(c.reply_to_comment_id) if c.reply_to_comment_id else None,
                          shown.get(c.id))
             for c in found]
    return {"items": items, "has_more": has_more}

