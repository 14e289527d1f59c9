"""Each channel's last webhook: ingest reports it at most every 30 s per channel (the first at
once), task-sync keeps the newest of all replicas, and the channels list and card show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.ingest.webhook_times import WebhookTimes, is_due, report_due
from services.task_sync.application.delivery import record_webhook_seen
from services.task_sync.application.task_card import task_card
from shared import events
from shared.domain.directory import User
from tests.fakes.task_sync import (
    FakeChannels,
    FakePublisher,
    FakeTaskSystem,
    a_task,
    an_actor,
    fake_deps,
)

T0 = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def test_a_channel_never_reported_is_due_at_once_then_after_the_interval_only() -> None:
    assert is_due(None, 5.0, 30.0)
    assert not is_due(100.0, 129.9, 30.0)
    assert is_due(100.0, 130.0, 30.0)


async def test_the_first_webhook_is_reported_at_once_and_the_next_ones_once_per_interval() -> None:
    times, bus = WebhookTimes(every_s=30.0, replica="r1"), FakePublisher()
    times.seen("wazzup", "ch-1", T0, now=0.0)
    assert times.wake.is_set()
    assert await report_due(times, bus, now=0.0) == 1

    times.wake.clear()
    for second in (1, 10, 20):
        times.seen("wazzup", "ch-1", T0 + timedelta(seconds=second), now=float(second))
    assert not times.wake.is_set()
    assert await report_due(times, bus, now=20.0) == 0
    assert await report_due(times, bus, now=30.0) == 1  # the newest of those three
    assert await report_due(times, bus, now=90.0) == 0  # nothing newer since

    reported = [m for m in bus.published if isinstance(m, events.ChannelWebhookSeen)]
    assert [(m.channel_id, m.at, m.replica) for m in reported] == [
        ("ch-1", T0, "r1"), ("ch-1", T0 + timedelta(seconds=20), "r1")]


async def test_channels_are_throttled_each_on_its_own() -> None:
    times, bus = WebhookTimes(every_s=30.0), FakePublisher()
    times.seen("wazzup", "ch-1", T0, now=0.0)
    await report_due(times, bus, now=0.0)
    times.seen("meta", "ch-2", T0 + timedelta(seconds=5), now=5.0)
    assert await report_due(times, bus, now=5.0) == 1


async def test_a_report_the_broker_did_not_confirm_is_sent_on_the_next_tick() -> None:
    times, bus = WebhookTimes(), FakePublisher()
    times.seen("wazzup", "ch-1", T0, now=0.0)
    bus.fail_next()
    assert await report_due(times, bus, now=0.0) == 0
    assert await report_due(times, bus, now=1.0) == 1


async def test_task_sync_keeps_the_newest_webhook_time_of_all_replicas() -> None:
    channels = FakeChannels()
    deps = fake_deps(channels=channels)
    await channels.record_state("ch-1", "wazzup", "active", None, T0)

    def seen(at: datetime, replica: str) -> events.ChannelWebhookSeen:
        return events.ChannelWebhookSeen(id=events.new_id(), correlation_id="ch-1",
                                         occurred_at=at, provider="wazzup", channel_id="ch-1",
                                         at=at, replica=replica)

    await record_webhook_seen(deps, seen(T0 + timedelta(seconds=40), "r1"))
    await record_webhook_seen(deps, seen(T0 + timedelta(seconds=10), "r2"))  # older: ignored

    [item] = await deps.channels.all()
    assert item["last_webhook_at"] == "2026-12-03T10:00:40.000000Z"
    assert item["state"] == "active"


async def test_a_channel_known_only_by_its_webhooks_is_listed_and_its_card_shows_the_time(
) -> None:
    tasks, channels = FakeTaskSystem(), FakeChannels()
    deps = fake_deps(tasks=tasks, channels=channels)
    task = a_task("t-1")
    await tasks.create_task(task)
    await record_webhook_seen(deps, events.ChannelWebhookSeen(
        id="e-1", correlation_id="x", occurred_at=T0, provider="wazzup",
        channel_id=task.chat.channel_id, at=T0))

    admin = an_actor(User(id="usr-admin", full_name="Админ", role="admin", is_admin=True))
    card = await task_card(deps, admin.viewer, "t-1")
    assert card["channel"]["last_webhook_at"] == "2026-12-03T10:00:00.000000Z"
