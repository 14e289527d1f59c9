"""Reports per manager and per group over a period: chats, first-response and resolution
times (median, p90; first response in business time), SLA compliance and forwarded chats.

Made from the report facts of the period (one index range) reduced here: the portable subset
keeps aggregation out of the database. Supervisors see their groups and their members;
admins everything.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import msgspec

from services.task_sync.application.errors import Forbidden, Invalid
from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Viewer
from shared.domain.desk import Fact

MAX_DAYS = 366
COLUMNS = ("scope", "id", "name", "chats", "first_response_median_s", "first_response_p90_s",
           "resolution_median_s", "resolution_p90_s", "sla_met", "sla_breached",
           "sla_compliance", "breaches", "forwarded")


class Row(msgspec.Struct, kw_only=True):
    scope: str  # group | manager
    id: str
    name: str
    chats: int
    first_response_median_s: float | None
    first_response_p90_s: float | None
    resolution_median_s: float | None
    resolution_p90_s: float | None
    sla_met: int
    sla_breached: int
    sla_compliance: float | None  # met / (met + breached), of answers that had a target
    breaches: int
    forwarded: int


class Report(msgspec.Struct, kw_only=True):
    since: datetime
    until: datetime
    groups: list[Row]
    managers: list[Row]


def percentile(values: Iterable[float], share: float) -> float | None:
    """Nearest-rank percentile (``share`` 0.5: the median); None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(scope: str, key: str, name: str, facts: list[Fact]) -> Row:
    """One row from the facts of one group or one manager."""
    first = [f.business_s for f in facts if f.kind == "response" and f.response_kind == "first"
             and f.business_s is not None]
    resolved = [f.wall_s for f in facts if f.kind == "closed" and f.wall_s is not None]
    met = sum(1 for f in facts if f.kind == "response" and f.met is True)
    missed = sum(1 for f in facts if f.kind == "response" and f.met is False)
    return Row(
        scope=scope, id=key, name=name, chats=len({f.task_id for f in facts}),
        first_response_median_s=percentile(first, 0.5),
        first_response_p90_s=percentile(first, 0.9),
        resolution_median_s=percentile(resolved, 0.5), resolution_p90_s=percentile(resolved, 0.9),
        sla_met=met, sla_breached=missed,
        sla_compliance=round(met / (met + missed), 4) if met + missed else None,
        breaches=sum(1 for f in facts if f.kind == "breach"),
        forwarded=sum(1 for f in facts if f.kind == "forwarded"))


def period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    until = until or events.utcnow()
    since = since or until - timedelta(days=7)
    if since >= until:
        raise Invalid("bad_period", "since must be before until")
    if until - since > timedelta(days=MAX_DAYS):
        raise Invalid("bad_period", f"a report covers at most {MAX_DAYS} days")
    return since, until


async def report(deps: Deps, viewer: Viewer, since: datetime | None, until: datetime | None,
                 group_id: str | None = None) -> Report:
    if viewer.role == "manager":
        raise Forbidden("reports_not_allowed",
                        "reports are for supervisors and administrators")
    start, end = period(since, until)
    facts = await deps.desk.facts(start, end) if deps.desk else []
    by_group: dict[str, list[Fact]] = {}
    by_user: dict[str, list[Fact]] = {}
    for fact in facts:
        if group_id and fact.group_id != group_id:
            continue
        if fact.group_id and (viewer.role == "admin" or fact.group_id in viewer.group_ids):
            by_group.setdefault(fact.group_id, []).append(fact)
        if fact.user_id and (viewer.role == "admin" or fact.user_id in viewer.group_member_ids):
            by_user.setdefault(fact.user_id, []).append(fact)
    groups = [summarise("group", g, await _group_name(deps, g), items)
              for g, items in sorted(by_group.items())]
    managers = [summarise("manager", u, await _user_name(deps, u), items)
                for u, items in sorted(by_user.items())]
    return Report(since=start, until=end, groups=groups, managers=managers)


async def _group_name(deps: Deps, group_id: str) -> str:
    group = await deps.directory.get_group(group_id)
    return group.name if group else group_id


async def _user_name(deps: Deps, user_id: str) -> str:
    user = await deps.directory.get_user(user_id)
    return user.full_name if user else user_id


def as_csv(found: Report) -> str:
    """Groups, then managers, one row each (seconds as numbers, empty where none)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in [*found.groups, *found.managers]:
        values: dict[str, Any] = msgspec.structs.asdict(row)
        writer.writerow(["" if values[c] is None else values[c] for c in COLUMNS])
    return out.getvalue()
