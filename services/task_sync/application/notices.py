"""A person's notices as the console's bell shows them: the newest with how many are unread,
and marking some or all of them read. Only one's own notices are read or marked."""

from __future__ import annotations

import msgspec

from services.task_sync.application.errors import Invalid
from services.task_sync.deps import Deps
from shared.domain.access import Actor
from shared.domain.desk import Notice

MARK_AT_MOST = 200


class NoticeList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Notice]
    unread: int


async def notices_of(deps: Deps, actor: Actor, limit: int) -> NoticeList:
    """My notices, newest first, and the count of my unread ones (none where no desk runs)."""
    if deps.desk is None:
        return NoticeList(items=[], unread=0)
    return NoticeList(items=await deps.desk.notices_of(actor.user.id, limit),
                      unread=await deps.desk.unread_notices(actor.user.id))


async def mark_read(deps: Deps, actor: Actor, ids: list[str] | None) -> int:
    """Mark my notices ``ids`` read (all of mine when None); how many were unread."""
    if ids is not None and not 1 <= len(ids) <= MARK_AT_MOST:
        raise Invalid("invalid_body", f"ids names 1 to {MARK_AT_MOST} notices, or send all=true")
    if deps.desk is None:
        return 0
    return await deps.desk.mark_notices_read(actor.user.id, ids)
