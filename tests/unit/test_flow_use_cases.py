"""The flow use cases (issue 12) over fakes: drafts, publishing (refused with problems,
atomic numbering), restore, YAML, the simulator (no side effects) and the replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from services.task_sync.application import flows, flows_run
from services.task_sync.application.errors import Conflict, Forbidden, Invalid
from services.task_sync.application.flows import FlowInvalid, PublishFlow, Unsupported
from services.task_sync.deps import Deps
from shared import events
from shared.domain.calendar import BusinessCalendar
from shared.domain.comments import Comment
from shared.domain.directory import Group, User
from shared.domain.flows import (
    FlowSet,
    HandOverAction,
    LookupStatusAction,
    Node,
    Triggers,
)
from shared.domain.scenarios import Scenario
from tests.fakes.flows import FakeFlows, FakeHistoryTasks, KeptAudit
from tests.fakes.task_sync import (
    FakeDirectory,
    FakePublisher,
    FakeScenarios,
    FakeTaskSystem,
    a_chat,
    a_task,
    an_actor,
    fake_deps,
)

ADMIN = an_actor(User(id="usr-admin", full_name="Admin", role="admin"))
MANAGER = an_actor(User(id="usr-ivanova", full_name="Ivanova", role="manager"))
AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def menu(greeting: str = "Hello! 1 hours, 2 orders, 4 manager", *,
         manager_group: str | None = None) -> FlowSet:
    return FlowSet(handover_text="A manager will answer.", root=Node(
        id="root", answer=greeting, children=[
            Node(id="hours", triggers=Triggers(codes=["1"]), answer="We work 9-18."),
            Node(id="orders", triggers=Triggers(codes=["2"]), answer="1 status, 0 back",
                 children=[Node(id="status", triggers=Triggers(codes=["1"]),
                                answer="Your request number?", action=LookupStatusAction(
                                    reask_text="Digits please", not_found_text="Not yours"))]),
            Node(id="manager", triggers=Triggers(codes=["4"]), answer="Connecting you.",
                 action=HandOverAction(group_id=manager_group))]))


class World:
    def __init__(self, tasks: FakeTaskSystem | None = None) -> None:
        self.flows = FakeFlows()
        self.bus = FakePublisher()
        self.audit = KeptAudit()
        self.directory = FakeDirectory()
        self.tasks = tasks or FakeTaskSystem()
        self.scenarios = FakeScenarios([Scenario(id="hours", codes=["1"], answer="9-18")])
        self.deps: Deps = fake_deps(tasks=self.tasks, bus=self.bus, directory=self.directory,
                                    scenarios=self.scenarios, flows=self.flows,
                                    audit=self.audit)

    async def publish(self, flow: FlowSet, key: str = "default") -> int:
        await flows.save_draft(self.deps, ADMIN, key, flow)
        return (await flows.publish_draft(self.deps, PublishFlow(key=key, actor=ADMIN))).version


async def test_a_draft_with_problems_is_saved_and_answers_its_problems() -> None:
    world = World()
    view = await flows.save_draft(world.deps, ADMIN, "default", menu(manager_group="grp-gone"))

    assert [p.code for p in view.problems] == ["unknown_group"]
    assert view.problems[0].node_id == "manager"
    assert world.flows.drafts["default"].flow == view.flow
    assert world.audit.actions() == ["flows.draft_save"]


async def test_publishing_a_draft_with_problems_is_refused_listing_them_all() -> None:
    world = World()
    await flows.save_draft(world.deps, ADMIN, "default", menu(manager_group="grp-gone"))

    with pytest.raises(FlowInvalid) as refused:
        await flows.publish_draft(world.deps, PublishFlow(key="default", actor=ADMIN))
    assert refused.value.status == 422
    assert [p.code for p in refused.value.problems] == ["unknown_group"]
    assert world.flows.live_versions == {} and world.bus.published == []


async def test_a_hand_over_to_an_existing_group_publishes() -> None:
    world = World()
    await world.directory.upsert_group(Group(id="grp-cc", name="Контакт-центр"))
    assert await world.publish(menu(manager_group="grp-cc")) == 1


async def test_publish_makes_the_next_version_live_announces_it_and_ends_the_draft() -> None:
    world = World()
    assert await world.publish(menu("v1")) == 1
    assert await world.publish(menu("v2")) == 2

    live = await world.flows.live("default")
    assert live is not None and live.flow.root.answer == "v2"
    assert world.flows.drafts == {}
    changed = world.bus.of_type(events.FlowsChanged)
    assert [(e.key, e.version) for e in changed] == [("default", 1), ("default", 2)]
    assert world.audit.actions().count("flows.publish") == 2


async def test_a_publish_that_loses_to_a_concurrent_one_is_a_conflict() -> None:
    world = World()
    await world.publish(menu("v1"))
    await flows.save_draft(world.deps, ADMIN, "default", menu("mine"))
    world.flows.interleave = menu("theirs")

    with pytest.raises(Conflict):
        await flows.publish_draft(world.deps, PublishFlow(key="default", actor=ADMIN))
    assert sorted(v for (_, v) in world.flows.history) == [1, 2]
    live = await world.flows.live("default")
    assert live is not None and live.flow.root.answer == "theirs"
    assert "default" in world.flows.drafts  # the loser's draft is kept


async def test_publish_refuses_a_draft_saved_since_it_was_read() -> None:
    world = World()
    read = await flows.save_draft(world.deps, ADMIN, "default", menu("mine"))
    await flows.save_draft(world.deps, ADMIN, "default", menu("someone else's"))

    with pytest.raises(Conflict, match="saved by someone else"):
        await flows.publish_draft(world.deps, PublishFlow(
            key="default", actor=ADMIN, base_updated_at=f"{read.updated_at}-old"))
    assert world.flows.live_versions == {}


async def test_restore_publishes_a_copy_of_the_old_version_as_the_next_one() -> None:
    world = World()
    await world.publish(menu("v1"))
    await world.publish(menu("v2"))

    restored = await flows.restore_version(world.deps, ADMIN, "default", 1)
    assert (restored.version, restored.note, restored.flow.root.answer) == (
        3, "restored from 1", "v1")
    listed = await flows.list_versions(world.deps, ADMIN, "default")
    assert [(i.version, i.live) for i in listed] == [(3, True), (2, False), (1, False)]


async def test_without_a_stored_draft_the_editor_starts_from_live_else_the_scenarios() -> None:
    world = World()
    legacy = await flows.read_draft(world.deps, ADMIN, "default")
    assert legacy.base_version is None and legacy.updated_at is None
    assert legacy.flow.root.answer == world.deps.settings.wabridge_greeting
    assert [c.id for c in legacy.flow.root.children] == ["hours"]

    await world.publish(menu("live one"))
    view = await flows.read_draft(world.deps, ADMIN, "default")
    assert (view.base_version, view.flow.root.answer) == (1, "live one")


async def test_a_channel_without_its_own_flow_starts_from_the_default_one() -> None:
    world = World()
    await world.publish(menu("default live"))
    view = await flows.read_draft(world.deps, ADMIN, "chan-1")

    assert (view.base_version, view.flow.key) == (None, "chan-1")
    assert view.flow.root.answer == "default live"
    result = await flows_run.simulate(world.deps, ADMIN, msgspec.convert(
        {"key": "chan-1", "messages": [{"text": "hi"}]}, flows_run.SimulateIn))
    assert result["steps"][0]["replies"][0]["text"] == "default live"


async def test_only_admins_edit_flows() -> None:
    world = World()
    with pytest.raises(Forbidden):
        await flows.save_draft(world.deps, MANAGER, "default", menu())
    with pytest.raises(Forbidden):
        await flows.publish_draft(world.deps, PublishFlow(key="default", actor=MANAGER))
    with pytest.raises(Forbidden):
        await flows_run.simulate(world.deps, MANAGER, flows_run.SimulateIn(
            messages=[flows_run.SimMessage(text="1")]))
    assert world.flows.drafts == {}


async def test_yaml_round_trips_and_a_malformed_one_names_where() -> None:
    world = World()
    await world.publish(menu("v1"))
    text = await flows.export_yaml(world.deps, ADMIN, "default", 1)
    imported = await flows.import_yaml(world.deps, ADMIN, "chan-1", text)
    assert imported.flow == msgspec.structs.replace(menu("v1"), key="chan-1")

    with pytest.raises(Invalid) as refused:
        await flows.import_yaml(world.deps, ADMIN, "default", "root:\n  id: [unclosed\n")
    assert refused.value.error == "invalid_yaml" and "line" in refused.value.reason


async def test_hours_edit_only_the_drafts_hours() -> None:
    world = World()
    await world.publish(menu("v1"))
    hours = msgspec.convert({"timezone": "Europe/Moscow",
                             "hours": [{"day": "mon", "start": "09:00", "end": "18:00"}]},
                            BusinessCalendar)
    view = await flows.save_hours(world.deps, ADMIN, "default", hours)

    assert view.flow.hours == hours and view.flow.root == menu("v1").root
    assert await flows.read_hours(world.deps, ADMIN, "default") == hours


def sim(*texts: str, version: int | str | None = "draft") -> flows_run.SimulateIn:
    return msgspec.convert({"version": version, "at": AT.isoformat(),
                            "messages": [{"text": t} for t in texts]}, flows_run.SimulateIn)


async def test_simulate_keeps_the_state_across_messages_without_side_effects() -> None:
    world = World()
    await world.publish(menu("live"))
    await flows.save_draft(world.deps, ADMIN, "default", menu("draft"))
    published, drafts, audited = (list(world.bus.published), dict(world.flows.drafts),
                                  list(world.audit.entries))

    result = await flows_run.simulate(world.deps, ADMIN, sim("hi", "2", "1", "12345"))

    assert result["version"] == "draft"
    steps = result["steps"]
    assert steps[0]["replies"][0]["text"] == "draft"
    assert steps[1]["node_id"] == "orders" and steps[1]["state"] == {"node_id": "orders"}
    assert steps[2]["replies"][0]["text"] == "Your request number?"
    lookup = steps[3]["effects"][0]
    assert lookup["type"] == "lookup" and lookup["number"] == "12345" and lookup["simulated"]
    assert (world.bus.published, world.flows.drafts, world.audit.entries) == (
        published, drafts, audited)
    assert world.tasks.writes == []


async def test_simulate_stops_after_a_hand_over() -> None:
    world = World()
    await world.publish(menu("live"))
    result = await flows_run.simulate(world.deps, ADMIN, sim("hi", "4", "1", version=None))

    assert result["version"] == 1
    assert result["steps"][1]["effects"] == [{"type": "hand_over"}]
    assert result["steps"][2] == {"input": {"text": "1", "payload": None}, "replies": [],
                                  "effects": [], "node_id": None, "state": None,
                                  "open": None, "handed_over": True}


def past_conversation(tasks: FakeHistoryTasks, task_id: str, texts: list[str],
                      at: datetime) -> None:
    task = a_task(task_id, chat=a_chat(chat_id=f"7900{task_id}"), at=at,
                  status="Диалог с ботом")
    tasks.tasks[task_id] = task
    for n, text in enumerate(texts):
        tasks.comments[f"{task_id}-{n}"] = Comment(
            id=f"{task_id}-{n}", task_id=task_id, order=n, at=at + timedelta(minutes=n),
            author_kind="customer", direction="in", text=text)


async def test_replay_lists_the_conversations_the_draft_answers_differently() -> None:
    tasks = FakeHistoryTasks()
    world = World(tasks)
    now = datetime.now(UTC)
    await world.publish(menu("live"))
    past_conversation(tasks, "t1", ["hi", "1"], now - timedelta(days=1))
    past_conversation(tasks, "t2", ["hi", "4", "1"], now - timedelta(days=2))
    past_conversation(tasks, "t3", ["hi", "1"], now - timedelta(days=30))  # too old
    draft = menu("live")
    root = msgspec.structs.replace(draft.root, children=[
        draft.root.children[0], draft.root.children[1],
        Node(id="manager", triggers=Triggers(codes=["4"]), answer="Call us instead.")])
    await flows.save_draft(world.deps, ADMIN, "default",
                           msgspec.structs.replace(draft, root=root))

    report = await flows_run.replay(world.deps, ADMIN, "default", 7, "draft", now=now)

    assert (report["compared"], report["differing"]) == (2, 1)
    item = report["items"][0]
    assert (item["task_id"], item["live_handed_over"], item["draft_handed_over"]) == (
        "t2", True, False)
    assert [d["index"] for d in item["differences"]] == [1, 2]
    assert item["differences"][0]["live"] == ["Connecting you."]
    assert item["differences"][0]["draft"] == ["Call us instead."]
    assert report["capped"]["conversations"] is False


async def test_replay_without_a_chat_history_is_unsupported() -> None:
    world = World()
    with pytest.raises(Unsupported) as refused:
        await flows_run.replay(world.deps, ADMIN, "default", 7, "draft",
                               now=datetime.now(UTC))
    assert refused.value.status == 501


async def test_the_old_scenario_editor_publishes_a_flow_under_the_current_greeting() -> None:
    world = World()
    await world.publish(menu("Greeting of the live flow"))
    replaced = await flows.replace_scenarios_as_flow(world.deps, ADMIN, [
        Scenario(id="address", codes=["2"], answer="Lenina 1")])

    live = await world.flows.live("default")
    assert live is not None and live.version == replaced.version == 2
    assert live.flow.root.answer == "Greeting of the live flow"
    assert [s.id for s in (await flows.legacy_scenarios(world.deps)).items] == ["address"]
