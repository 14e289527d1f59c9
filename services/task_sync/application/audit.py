"""The audit log: the use cases and the HTTP writes note who changed what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Actor, Via
from shared.domain.audit import AuditEntry
from shared.domain.directory import User


async def record(deps: Deps, actor: Actor, action: str, target_kind: str, target_id: str,
                 **details: Any) -> None:
    """Append an entry (after the change it describes took effect)."""
    await record_as(deps, actor.user, actor.via, action, target_kind, target_id, **details)


async def record_as(deps: Deps, user: User, via: Via, action: str, target_kind: str,
                    target_id: str, **details: Any) -> None:
    await deps.audit.append(AuditEntry(
        id=events.new_id(), at=events.utcnow(), actor_id=user.id,
        actor_name=user.full_name, via=via, action=action,
        target_kind=target_kind, target_id=target_id,
        details={k: v for k, v in details.items() if v is not None}))


async def entries(deps: Deps, *, actor_id: str | None, action: str | None,
                  since: datetime | None, until: datetime | None,
                  limit: int) -> list[AuditEntry]:
    return await deps.audit.find(actor_id=actor_id, action=action, since=since, until=until,
                                 limit=limit)
