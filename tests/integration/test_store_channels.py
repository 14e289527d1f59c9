"""Channel states: the newest report by the gateway's own time wins, whatever order they come in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.store import channels

AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


async def test_an_older_report_arriving_late_does_not_override_a_newer_one(db: Any) -> None:
    await channels.record_state(db, "ch-1", "wazzup", "active", None, AT)
    await channels.record_state(db, "ch-1", "wazzup", "phoneunavailable", None,
                                AT - timedelta(seconds=30))
    doc = await channels.get(db, "ch-1")
    assert doc is not None and doc["state"] == "active"

    await channels.record_state(db, "ch-1", "wazzup", "qr", "TIER_1K", AT + timedelta(seconds=1))
    doc = await channels.get(db, "ch-1")
    assert doc is not None and (doc["state"], doc["tier"]) == ("qr", "TIER_1K")
