"""The desk's use cases against fakes: round-robin hand-overs, the queue handed out when
someone can take it, idle forwarding, a missed deadline, a reply held until the customer
writes again, and the window's timers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec
import pytest

from services.task_sync.application import held
from services.task_sync.application.availability import set_availability
from services.task_sync.application.commands import ChangeStatus, PostComment
from services.task_sync.application.comments import post_comment
from services.task_sync.application.errors import Conflict, Invalid
from services.task_sync.application.records import add_comment
from services.task_sync.application.reports import report
from services.task_sync.application.tasks import change_status, hand_over
from services.task_sync.application.timers import fire_due
from services.task_sync.deps import Deps
from shared import events
from shared.domain.comments import Comment, order_of
from shared.domain.directory import Group, User
from shared.domain.routing import AgentState, GroupPolicy
from tests.fakes.desk import FakeDesk
from tests.fakes.task_sync import (
    FakeDirectory,
    FakePublisher,
    FakeTaskSystem,
    a_chat,
    a_task,
    an_actor,
    fake_deps,
    settings,
)

S = settings()
BOT, MANAGER, CLOSED = S.wabridge_status_bot, S.wabridge_status_manager, S.wabridge_status_closed
CC = Group(id="grp-cc", name=S.wabridge_contact_centre_group)
ANNA = User(id="usr-anna", full_name="Анна Ким", group_ids=[CC.id])
BORIS = User(id="usr-boris", full_name="Борис Ли", group_ids=[CC.id])
SUPER = User(id="usr-super", full_name="Вера Ро", role="supervisor", group_ids=[CC.id])
ADMIN = User(id="usr-admin", full_name="Админ", role="admin")


class World:
    def __init__(self, **policy: Any) -> None:
        self.tasks = FakeTaskSystem()
        self.directory = FakeDirectory()
        self.bus = FakePublisher()
        self.desk = FakeDesk(self.tasks, self.directory)
        self.deps: Deps = fake_deps(tasks=self.tasks, directory=self.directory, bus=self.bus,
                                    desk=self.desk)
        self.desk.group_policies[CC.id] = GroupPolicy(group_id=CC.id, **policy)

    async def setup(self) -> World:
        await self.directory.upsert_group(CC)
        for user in (ANNA, BORIS, SUPER, ADMIN):
            await self.directory.upsert_user(user)
        return self

    async def handed_over(self, task_id: str, **fields: Any) -> str | None:
        await self.tasks.create_task(a_task(task_id, status=BOT,
                                            chat=a_chat(chat_id=f"7901{task_id}"), **fields))
        await hand_over(self.deps, events.HandOver(
            id=f"ho-{task_id}", correlation_id=task_id, occurred_at=events.utcnow(),
            task_id=task_id, status=MANAGER))
        task = await self.tasks.get_task(task_id)
        assert task is not None and task.status == MANAGER
        return task.assignee_user_id

    def timers_due_now(self, *prefixes: str) -> None:
        past = events.utcnow() - timedelta(seconds=1)
        for key, timer in list(self.desk.timers.items()):
            if key.startswith(prefixes):
                self.desk.timers[key] = msgspec.structs.replace(timer, due_at=past)


async def test_round_robin_hands_over_to_the_group_members_in_turn() -> None:
    world = await World(mode="round_robin").setup()

    assigned = [await world.handed_over(t) for t in ("t1", "t2", "t3")]

    assert assigned == [ANNA.id, BORIS.id, ANNA.id]  # the supervisor takes no chats


async def test_the_responsible_employee_comes_first_unless_on_leave() -> None:
    world = await World(mode="round_robin").setup()
    from shared.domain.directory import Contact
    await world.directory.upsert_contact(Contact(id="c1", name="Клиент", phones=["79010000001"],
                                                 responsible_user_id=BORIS.id))
    assert await world.handed_over("t1", contact_id="c1") == BORIS.id
    world.desk.states[BORIS.id] = AgentState(user_id=BORIS.id, availability="on_leave")
    assert await world.handed_over("t2", contact_id="c1") == ANNA.id


async def test_a_task_nobody_can_take_waits_and_goes_to_whoever_comes_online() -> None:
    world = await World(mode="least_open").setup()
    world.desk.states[ANNA.id] = AgentState(user_id=ANNA.id, availability="away")
    world.desk.states[BORIS.id] = AgentState(user_id=BORIS.id, capacity=0)

    assert await world.handed_over("t1") is None
    await set_availability(world.deps, an_actor(ANNA), ANNA.id, availability="online")
    await fire_due(world.deps)

    task = await world.tasks.get_task("t1")
    assert task is not None and task.assignee_user_id == ANNA.id


async def test_closing_a_task_frees_capacity_for_the_queue() -> None:
    world = await World(mode="round_robin").setup()
    for user in (ANNA, BORIS):
        world.desk.states[user.id] = AgentState(user_id=user.id, capacity=1)
    assert [await world.handed_over(t) for t in ("t1", "t2", "t3")] == [ANNA.id, BORIS.id, None]

    await change_status(world.deps, ChangeStatus(actor=an_actor(ANNA), task_id="t1",
                                                 status=CLOSED))
    await fire_due(world.deps)

    task = await world.tasks.get_task("t3")
    assert task is not None and task.assignee_user_id == ANNA.id


async def test_an_idle_assignee_loses_the_task_to_the_next_member_and_is_told() -> None:
    world = await World(mode="round_robin", idle_forward_minutes=5).setup()
    assert await world.handed_over("t1") == ANNA.id
    assert "idle:t1" in world.desk.timers

    world.timers_due_now("idle:")
    await fire_due(world.deps)

    task = await world.tasks.get_task("t1")
    assert task is not None and task.assignee_user_id == BORIS.id
    assert task.forwarded_from == ANNA.id
    told = {n.user_id for n in world.desk.notices if n.kind == "task.forwarded"}
    assert told == {ANNA.id, SUPER.id}
    history = [c.text for c in world.tasks.comments.values() if c.author_kind == "system"]
    assert history[0] == "Передано менеджеру: Анна Ким"  # the hand-over's own notice
    assert "Борис Ли" in history[-1]
    assert [f.user_id for f in world.desk.fact_log.values() if f.kind == "forwarded"] == [ANNA.id]
    assert world.desk.timers["idle:t1"].user_id == BORIS.id  # the next one is watched too


async def test_an_answer_in_time_stops_idle_forwarding() -> None:
    world = await World(mode="round_robin", idle_forward_minutes=5).setup()
    await world.handed_over("t1")
    await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA),
                                               text="Здравствуйте"))
    assert "idle:t1" not in world.desk.timers


async def test_a_missed_first_response_is_an_event_and_the_supervisor_is_told() -> None:
    world = await World(mode="round_robin", first_response_minutes=1).setup()
    await world.handed_over("t1")
    task = await world.tasks.get_task("t1")
    assert task is not None and task.sla_due_at is not None and task.sla_kind == "first"

    clock = world.desk.clocks["t1"]  # a minute later:
    world.desk.clocks["t1"] = msgspec.structs.replace(
        clock, due_at=events.utcnow() - timedelta(seconds=1))
    world.timers_due_now("sla:")
    await fire_due(world.deps)
    world.timers_due_now("sla:")
    await fire_due(world.deps)  # a repeat reports nothing new

    breaches = world.bus.of_type(events.SlaBreached)
    assert [(b.task_id, b.kind, b.group_id) for b in breaches] == [("t1", "first", CC.id)]
    assert {n.user_id for n in world.desk.notices if n.kind == "sla.breached"} == {
        SUPER.id, ANNA.id}
    await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA), text="Да"))
    responses = [f for f in world.desk.fact_log.values() if f.kind == "response"]
    assert [(r.response_kind, r.met) for r in responses] == [("first", False)]
    answered = await world.tasks.get_task("t1")
    assert answered is not None and answered.sla_due_at is None


async def waba_task(world: World, last_inbound: datetime) -> None:
    await world.tasks.create_task(a_task("t1", chat=a_chat("meta"), assignee_user_id=ANNA.id,
                                         assignee_group_id=CC.id))
    await world.tasks.add_comment(Comment(
        id="in-1", task_id="t1", order=order_of(last_inbound), at=last_inbound,
        author_kind="customer", direction="in", text="Здравствуйте"))


def customer_writes(text: str) -> events.AddComment:
    now = events.utcnow()
    return events.AddComment(id=f"cmd-{text}", correlation_id="c", occurred_at=now,
                             comment_id=f"in-{text}", task_id="t1", author_kind="customer",
                             direction="in", text=text, at=now)


async def test_a_reply_after_the_window_is_held_and_goes_when_the_customer_returns() -> None:
    world = await World().setup()
    await waba_task(world, events.utcnow() - timedelta(hours=25))
    as_anna = an_actor(ANNA)
    try:
        await post_comment(world.deps, PostComment(task_id="t1", actor=as_anna, text="Ответ"))
        raise AssertionError("free text went out after the window closed")
    except Invalid as exc:
        assert exc.error == "window_closed" and "hold=true" in exc.reason

    first = await post_comment(world.deps, PostComment(task_id="t1", actor=as_anna,
                                                       text="Ответ 1", hold=True))
    second = await post_comment(world.deps, PostComment(task_id="t1", actor=as_anna,
                                                        text="Ответ 2", hold=True))
    assert first.comment.delivery == "held" and not world.bus.sends()

    await add_comment(world.deps, customer_writes("Я вернулся"))

    sent = world.bus.sends()
    assert [s.comment_id for s in sent] == [first.comment.id, second.comment.id]
    stored = await world.tasks.get_comment(first.comment.id)
    assert stored is not None and stored.delivery == "queued"
    assert not world.desk.held


async def test_a_held_reply_can_be_withdrawn_once_and_then_never_goes() -> None:
    world = await World().setup()
    await waba_task(world, events.utcnow() - timedelta(hours=30))
    posted = await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA),
                                                        text="Ответ", hold=True))

    cancelled = await held.cancel(world.deps, an_actor(ANNA), "t1", posted.comment.id)
    try:
        await held.cancel(world.deps, an_actor(ANNA), "t1", posted.comment.id)
        raise AssertionError("withdrawn twice")
    except Conflict:
        pass
    await add_comment(world.deps, customer_writes("Привет"))

    assert cancelled.delivery == "cancelled" and not world.bus.sends()


async def test_a_customer_message_moves_the_window_reminder_to_before_its_end() -> None:
    world = await World().setup()
    await waba_task(world, events.utcnow() - timedelta(hours=2))

    await add_comment(world.deps, customer_writes("Ещё вопрос"))

    wrote = world.tasks.comments["in-Ещё вопрос"].at
    remind = world.desk.timers["window-remind:t1"]
    assert remind.due_at == wrote + timedelta(hours=24) - timedelta(
        minutes=S.wabridge_window_reminder_minutes)
    assert "window-close:t1" not in world.desk.timers  # no "please reply" template configured

    world.timers_due_now("window-remind:")
    await fire_due(world.deps)
    assert world.desk.notices == []  # 24 hours are still ahead: nobody is reminded yet


async def test_reports_count_responses_forwards_and_compliance_per_group_and_manager() -> None:
    world = await World(mode="round_robin", first_response_minutes=60).setup()
    await world.handed_over("t1")
    await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA), text="Да"))

    found = await report(world.deps, an_actor(SUPER, group_member_ids=frozenset(
        {ANNA.id, BORIS.id})).viewer, None, None)

    (group,) = found.groups
    assert (group.id, group.chats, group.sla_met, group.sla_compliance) == (CC.id, 1, 1, 1.0)
    assert group.first_response_median_s is not None
    assert [m.id for m in found.managers] == [ANNA.id]


async def test_a_customer_message_in_a_chat_without_the_window_looks_for_no_held_reply(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Replies are held only where the 24-hour window applies, so a customer's message on a
    plain WhatsApp channel costs no read of held replies; on a WABA channel it releases them."""
    world = await World().setup()
    looked: list[str] = []
    held_of_chat = world.desk.held_of_chat

    async def counting(chat_key: str) -> list[dict[str, Any]]:
        looked.append(chat_key)
        return await held_of_chat(chat_key)
    monkeypatch.setattr(world.desk, "held_of_chat", counting)

    await world.tasks.create_task(a_task("t1", chat=a_chat(chat_id="79010000001")))
    await add_comment(world.deps, customer_writes("Привет"))
    assert looked == []

    world.tasks.tasks.pop("t1")
    await waba_task(world, events.utcnow() - timedelta(hours=1))
    await add_comment(world.deps, customer_writes("Я тут"))
    assert len(looked) == 1


async def test_a_follow_up_answer_cancels_no_idle_timer_a_reply_to_a_waiting_customer_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The idle timer lives only while the customer waits: the answer to a waiting customer
    cancels it; a second comment, with nobody waiting, writes nothing to cancel."""
    world = await World(mode="round_robin", idle_forward_minutes=5).setup()
    await world.handed_over("t1")
    cancelled: list[str] = []
    cancel = world.desk.cancel

    async def counting(key: str) -> None:
        cancelled.append(key)
        await cancel(key)
    monkeypatch.setattr(world.desk, "cancel", counting)

    await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA),
                                               text="Здравствуйте"))
    assert "idle:t1" in cancelled and "idle:t1" not in world.desk.timers
    cancelled.clear()
    await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA),
                                               text="Уточню и вернусь"))
    assert "idle:t1" not in cancelled


async def test_a_message_to_the_bot_moves_the_window_without_reading_the_task(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """bot-router says the bot led the dialogue when the customer wrote (and names the chat):
    no response clock can run, so the task is not read; the window's timers still move and
    held replies still go. A message to people reads the task and starts the clock."""
    world = await World(mode="round_robin").setup()
    await waba_task(world, events.utcnow() - timedelta(hours=30))
    reads: list[str] = []
    get_task = world.tasks.get_task

    async def counting(task_id: str) -> Any:
        reads.append(task_id)
        return await get_task(task_id)
    monkeypatch.setattr(world.tasks, "get_task", counting)
    task = await get_task("t1")
    assert task is not None

    def to_bot(text: str) -> events.AddComment:
        return msgspec.structs.replace(customer_writes(text), with_bot=True, chat=task.chat)

    await add_comment(world.deps, to_bot("Меню"))
    assert reads == []
    assert "window-remind:t1" in world.desk.timers and "sla:t1" not in world.desk.timers

    posted = await post_comment(world.deps, PostComment(task_id="t1", actor=an_actor(ANNA),
                                                        text="Ответ", hold=True))
    await add_comment(world.deps, to_bot("Я тут"))
    assert [s.comment_id for s in world.bus.sends()] == [posted.comment.id]

    world.tasks.tasks["t1"] = msgspec.structs.replace(task, status=MANAGER)
    reads.clear()
    await add_comment(world.deps, customer_writes("Позовите человека"))
    assert reads == ["t1"]
    assert world.desk.clocks["t1"].state == "waiting"


async def test_a_comment_in_a_task_no_group_governs_cancels_no_timer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    world = await World().setup()
    loner = User(id="usr-loner", full_name="Без Группы")
    await world.directory.upsert_user(loner)
    await world.tasks.create_task(a_task("t9", status=MANAGER, assignee_user_id=loner.id))
    cancelled: list[str] = []

    async def counting(key: str) -> None:
        cancelled.append(key)
    monkeypatch.setattr(world.desk, "cancel", counting)
    await post_comment(world.deps, PostComment(task_id="t9", actor=an_actor(loner), text="Да"))
    assert cancelled == []
