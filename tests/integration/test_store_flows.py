"""The flow store on MongoDB (or the stand-in): drafts, atomic publishing, the history and the
live pointer."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.task_sync.seed import ensure_default_flow
from shared import events
from shared.domain.comments import Comment
from shared.domain.drafts import FlowDraft, KeyInfo, PublishConflict
from shared.domain.flows import FlowSet, Node, SetStatusAction, Triggers
from shared.domain.scenarios import Scenario
from shared.domain.tasks import Task
from shared.message_parts import Direction
from shared.store import comments, flows, scenarios, tasks
from shared.store.task_system import MongoTaskSystem
from tests.fakes.task_sync import settings

AT = "2026-12-02T10:00:00Z"
DEMO_SEED = Path(__file__).resolve().parents[2] / "deploy" / "seed" / "demo.yaml"


def flow(greeting: str) -> FlowSet:
    return FlowSet(root=Node(id="root", answer=greeting, children=[
        Node(id="hours", title="Hours", triggers=Triggers(codes=["1"], keywords=["часы"]),
             answer="9-18", action=SetStatusAction(status="Закрыта")),
        Node(id="sub", triggers=Triggers(codes=["2"]), answer="Sub", children=[
            Node(id="leaf", triggers=Triggers(codes=["1"]), answer="Leaf")])]))


async def test_nothing_is_live_before_the_first_publish(db: Any) -> None:
    assert await flows.live(db, "default") is None
    assert await flows.versions(db, "default") == []


async def test_publish_makes_version_1_live_with_the_whole_flow(db: Any) -> None:
    await flows.ensure_indexes(db)
    published = await flows.publish(db, "default", flow("Hello"), published_at=AT,
                                    published_by="usr-1", note="first")

    assert (published.version, published.note, published.published_by) == (1, "first", "usr-1")
    assert await flows.live(db, "default") == published
    assert await flows.get_version(db, "default", 1) == published


async def test_publishes_number_versions_and_keep_the_older_ones(db: Any) -> None:
    await flows.ensure_indexes(db)
    for greeting in ("one", "two", "three"):
        await flows.publish(db, "default", flow(greeting), published_at=AT)

    live = await flows.live(db, "default")
    assert live is not None and (live.version, live.flow.root.answer) == (3, "three")
    assert [v.version for v in await flows.versions(db, "default")] == [3, 2, 1]
    first = await flows.get_version(db, "default", 1)
    assert first is not None and first.flow.root.answer == "one"


async def test_concurrent_publishes_never_share_a_number(db: Any) -> None:
    await flows.ensure_indexes(db)
    await flows.publish(db, "default", flow("base"), published_at=AT)
    results = await asyncio.gather(
        *(flows.publish(db, "default", flow(f"v{n}"), published_at=AT) for n in range(6)),
        return_exceptions=True)

    won = [r for r in results if not isinstance(r, BaseException)]
    assert all(isinstance(r, PublishConflict) for r in results if isinstance(r, BaseException))
    assert len(won) >= 1
    history = await flows.versions(db, "default")
    assert [v.version for v in history] == list(range(len(won) + 1, 0, -1))
    live = await flows.live(db, "default")
    stored = await flows.get_version(db, "default", len(won) + 1)
    assert live is not None and stored is not None and live.flow == stored.flow


async def test_publish_expecting_an_older_version_is_refused(db: Any) -> None:
    await flows.publish(db, "default", flow("one"), published_at=AT)
    with pytest.raises(PublishConflict):
        await flows.publish(db, "default", flow("two"), published_at=AT, expected_version=0)
    live = await flows.live(db, "default")
    assert live is not None and live.version == 1


async def test_a_publish_stopped_after_the_pointer_moved_is_healed_into_the_history(
        db: Any) -> None:
    await flows.publish(db, "default", flow("one"), published_at=AT)
    await db.flow_versions.delete_many({})  # as if the history write never happened

    assert [v.version for v in await flows.versions(db, "default")] == [1]
    await flows.publish(db, "default", flow("two"), published_at=AT)
    assert [v.version for v in await flows.versions(db, "default")] == [2, 1]


async def test_keys_are_published_independently(db: Any) -> None:
    await flows.publish(db, "default", flow("d"), published_at=AT)
    await flows.publish(db, "chan-1", flow("c"), published_at=AT)

    chan = await flows.live(db, "chan-1")
    assert chan is not None and (chan.version, chan.flow.key) == (1, "chan-1")
    assert [v.version for v in await flows.versions(db, "default")] == [1]


async def test_drafts_are_saved_replaced_listed_and_deleted(db: Any) -> None:
    draft = FlowDraft(key="default", flow=flow("draft"), updated_at=AT, updated_by="usr-1")
    await flows.save_draft(db, draft)
    later = FlowDraft(key="default", flow=flow("again"), updated_at="2026-12-02T11:00:00Z",
                      base_version=1)
    await flows.save_draft(db, later)
    await flows.publish(db, "chan-1", flow("c"), published_at=AT)

    assert await flows.get_draft(db, "default") == later
    assert await flows.keys(db) == [
        KeyInfo(key="chan-1", live_version=1),
        KeyInfo(key="default", draft_updated_at="2026-12-02T11:00:00Z")]
    assert await flows.delete_draft(db, "default", if_updated_at=AT) is False
    assert await flows.delete_draft(db, "default", if_updated_at=later.updated_at) is True
    assert await flows.get_draft(db, "default") is None


async def test_past_conversations_are_the_periods_tasks_with_their_customer_messages(
        db: Any) -> None:
    now = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    for n, age in enumerate([1, 3, 40]):
        at = now - timedelta(days=age)
        chat = events.ChatRef(provider="wazzup", channel_id="ch-1", chat_type="whatsapp",
                              chat_id=f"7900{n}")
        await tasks.create(db, Task(id=f"t{n}", title=f"Chat {n}", category="WA", status="bot",
                                    chat=chat, conversation_id=f"c{n}", created_at=at,
                                    updated_at=at))
        said: list[tuple[Direction, str]] = [("in", "hi"), ("out", "Hello"), ("in", "1"),
                                             ("in", "2")]
        for order, (direction, text) in enumerate(said):
            await comments.insert(db, Comment(
                id=f"t{n}-{order}", task_id=f"t{n}", order=order,
                at=at + timedelta(minutes=order), author_kind="customer" if direction == "in"
                else "bot", direction=direction, text=text))

    found = await MongoTaskSystem(db).customer_messages_since(
        now - timedelta(days=7), category="WA", limit=10, per_conversation=2)

    assert [(c.task_id, c.channel_id) for c in found] == [("t1", "ch-1"), ("t0", "ch-1")]
    assert [m.text for m in found[0].messages] == ["hi", "1"]
    assert found[0].messages[0].at == now - timedelta(days=3)


async def test_an_empty_store_starts_with_the_default_flow_from_the_seeded_scenarios(
        db: Any) -> None:
    await scenarios.seed_if_empty(db, [Scenario(id="hours", codes=["1"], answer="9-18")])
    config = settings(WABRIDGE_GREETING="Hello! 1 hours")

    assert await ensure_default_flow(db, config) is True
    assert await ensure_default_flow(db, config) is False  # a restart changes nothing
    live = await flows.live(db, "default")
    assert live is not None and live.version == 1
    assert live.flow.root.answer == "Hello! 1 hours"
    assert [(c.id, c.triggers.codes) for c in live.flow.root.children] == [("hours", ["1"])]


async def test_a_replica_that_finds_the_seed_half_loaded_publishes_the_seed_files_scenarios(
        db: Any) -> None:
    """Two task-sync replicas start on an empty store: one loads the seed file (users first,
    scenarios last), the other sees users and skips it; its default flow must still carry the
    seed's scenarios (it was published empty, and the bot handed every code over)."""
    config = settings(WABRIDGE_SEED_FILE=str(DEMO_SEED))

    assert await ensure_default_flow(db, config) is True

    live = await flows.live(db, "default")
    assert live is not None
    assert [c.triggers.codes for c in live.flow.root.children][:2] == [["1"], ["2"]]


async def test_a_start_without_a_seed_file_has_the_contact_centre_group(db: Any) -> None:
    """A chat whose contact has no responsible employee goes to the contact-centre group: a
    store started without any seed file gets that group (the hand-over was dead-lettered)."""
    from services.task_sync.seed import ensure_contact_centre
    from shared.store import directory

    assert await ensure_contact_centre(db, "Контакт-центр") is True
    assert await ensure_contact_centre(db, "Контакт-центр") is False  # a restart adds none
    group = await directory.group_by_name(db, "Контакт-центр")
    assert group is not None and group.id == "grp-contact-centre"
    # renamed through the API: left alone (routing then names the missing group in its error)
    assert await ensure_contact_centre(db, "Поддержка") is False
    assert await directory.group_by_name(db, "Поддержка") is None
