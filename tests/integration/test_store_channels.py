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


async def test_the_last_webhook_time_only_moves_forward_and_keeps_the_state(db: Any) -> None:
    await channels.record_webhook(db, "ch-2", "wazzup", AT)
    await channels.record_state(db, "ch-2", "wazzup", "active", None, AT)  # after the webhook
    await channels.record_webhook(db, "ch-2", "wazzup", AT + timedelta(seconds=40))
    await channels.record_webhook(db, "ch-2", "wazzup", AT + timedelta(seconds=10))  # older

    [doc] = [d for d in await channels.all_channels(db) if d["channel_id"] == "ch-2"]
    assert doc["last_webhook_at"] == "2026-01-02T03:04:45.000000Z"
    assert doc["state"] == "active"


async def test_a_first_webhook_time_is_added_to_a_channel_with_a_state(db: Any) -> None:
    await channels.record_state(db, "ch-3", "meta", "CONNECTED", None, AT)
    await channels.record_webhook(db, "ch-3", "meta", AT)
    doc = await channels.get(db, "ch-3")
    assert doc is not None and (doc["state"], doc["last_webhook_at"]) == (
        "CONNECTED", "2026-01-02T03:04:05.000000Z")
