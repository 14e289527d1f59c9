"""An entry of the audit log: who did what to which item, when, and how they signed in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: str
    at: datetime
    actor_id: str
    actor_name: str
    via: Literal["token", "session", "system"]
    action: str  # "<item>.<verb>", e.g. task.claim, user.password, contacts.import
    target_kind: str
    target_id: str
    details: dict[str, Any] = {}
