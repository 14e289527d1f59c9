"""bot-router's handlers on in-memory fakes: decisions recorded, applied, replayed, published."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from services.bot_router.decide import BotPolicy
from services.bot_router.handlers import Deps, bundle_comments, handle
from shared import events
from shared.domain.conversations import Conversation
from shared.domain.scenarios import Scenario
from shared.errors import PermanentError, RetryableError
from tests.fakes.bot_router import (
    FakeConversations,
    FakeIdentities,
    FakePublisher,
    FakeScenarios,
    flow_cache,
)

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
POLICY = BotPolicy(status_bot="Bot dialogue", status_manager="Manager dialogue",
                   status_closed="Closed", robot_user="WhatsAppRobot",
                   group_bot_user="1FWhatsAppBot", greeting="Hello! Send a code.",
                   handover_text="Passed to a manager.")
HOURS = Scenario(id="hours", codes=["1"], answer="We work 9-18.")
CHAT = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                      chat_id="79011112233")


@dataclass
class Bot:
    """bot-router's handlers wired to fakes, as the composition root wires the real adapters."""

    store: FakeConversations = field(default_factory=FakeConversations)
    publisher: FakePublisher = field(default_factory=FakePublisher)
    scenarios: FakeScenarios = field(default_factory=lambda: FakeScenarios([HOURS]))
    identities: FakeIdentities = field(default_factory=FakeIdentities)

    async def handle(self, message: events.Message) -> list[events.Message]:
        """Handle ``message``; what it published."""
        before = len(self.publisher.published)
        await handle(Deps(conversations=self.store, publisher=self.publisher, policy=POLICY,
                          flows=flow_cache(self.scenarios, POLICY),
                          identities=self.identities), message)
        return self.publisher.published[before:]

    async def open_conversation(self) -> Conversation:
        await self.handle(message("hello", n=0))
        conv = await self.store.find_open(CHAT.key)
        assert conv is not None
        return conv


def message(text: str, *, n: int = 1) -> events.MessageReceived:
    return events.MessageReceived(
        id=f"ev-{n}", correlation_id=f"corr-{n}", occurred_at=NOW, chat=CHAT,
        gateway_message_id=f"gw-{n}", content_type="text", text=text, contact_name="Anna",
        contact_phone="79011112233")


def status_changed(conv_id: str, task_id: str, state: events.ConversationState, *,
                   n: int = 1) -> events.TaskStatusChanged:
    return events.TaskStatusChanged(
        id=f"st-{n}", correlation_id=f"st-corr-{n}", occurred_at=NOW, task_id=task_id,
        conversation_id=conv_id, chat=CHAT, status=state, state=state)


def of(published: list[events.Message], kind: type[Any]) -> list[Any]:
    return [m for m in published if isinstance(m, kind)]


def sent_texts(published: list[events.Message]) -> list[str]:
    return [m.text for m in of(published, events.SendMessage)]


# ---- a customer's message -------------------------------------------------------------------


async def test_first_message_opens_a_conversation_in_bot_dialogue_and_sends_the_greeting() -> None:
    bot = Bot()
    published = await bot.handle(message("hello"))

    conv = await bot.store.find_open(CHAT.key)
    assert conv is not None and (conv.state, conv.version) == ("bot", 1)
    [opened] = of(published, events.OpenTask)
    assert (opened.task_id, opened.status) == (conv.task_id, POLICY.status_bot)
    assert sent_texts(published) == [POLICY.greeting]
    assert of(published, events.SendMessage)[0].chat == CHAT


async def test_redelivered_message_replays_its_decision_even_after_the_scenarios_changed() -> None:
    bot = Bot()
    first = await bot.handle(message("1"))
    conv = await bot.store.find_open(CHAT.key)
    bot.scenarios.replace([])  # deciding again would now hand over instead of answering

    again = await bot.handle(message("1"))

    assert sent_texts(first) == [f"{POLICY.greeting}\n\n{HOURS.answer}"]
    assert again == first
    assert await bot.store.find_open(CHAT.key) == conv


async def test_redelivered_message_replays_after_the_conversation_moved_on() -> None:
    bot = Bot()
    conv = await bot.open_conversation()
    handed_over = await bot.handle(message("what is the price?", n=2))
    await bot.handle(status_changed(conv.id, conv.task_id, "closed"))

    again = await bot.handle(message("what is the price?", n=2))

    assert of(handed_over, events.HandOver) and again == handed_over
    stored = bot.store.stored(conv.id)
    assert stored is not None and (stored.state, stored.version) == ("closed", 3)


class MovesOnAfterRead(FakeConversations):
    """Once armed, another consumer hands the conversation over right after this one read it."""

    armed = False

    async def find_open(self, chat_key: str) -> Conversation | None:
        found = await super().find_open(chat_key)
        if found is not None and self.armed:
            self.armed = False
            self.add(msgspec.structs.replace(found, state="manager", version=found.version + 1))
        return found


async def test_decision_on_a_conversation_that_moved_on_is_discarded_and_retried() -> None:
    store = MovesOnAfterRead()
    bot = Bot(store=store)
    conv = await bot.open_conversation()
    store.armed = True

    with pytest.raises(RetryableError):
        await bot.handle(message("what is the price?", n=2))  # the bot would hand over

    assert await store.find_decision("ev-2") is None
    assert store.stored(conv.id) == msgspec.structs.replace(conv, state="manager", version=2)
    # the retry decides on the fresh state: the manager dialogue, where the bot stays silent
    retried = await bot.handle(message("what is the price?", n=2))
    assert of(retried, events.AddComment) and sent_texts(retried) == []


async def test_nothing_is_published_for_a_decision_that_could_not_be_applied() -> None:
    store = MovesOnAfterRead()
    bot = Bot(store=store)
    await bot.open_conversation()
    store.armed = True
    before = list(bot.publisher.published)

    with pytest.raises(RetryableError):
        await bot.handle(message("what is the price?", n=2))

    assert bot.publisher.published == before


# ---- status changes from task-sync ----------------------------------------------------------


async def test_status_change_from_task_sync_moves_the_conversation_to_its_state() -> None:
    bot = Bot()
    conv = await bot.open_conversation()

    published = await bot.handle(status_changed(conv.id, conv.task_id, "manager"))

    stored = bot.store.stored(conv.id)
    assert stored is not None and (stored.state, stored.version) == ("manager", 2)
    assert published == []


async def test_closed_task_ends_the_conversation_so_the_next_message_opens_a_new_task() -> None:
    bot = Bot()
    conv = await bot.open_conversation()
    await bot.handle(status_changed(conv.id, conv.task_id, "closed"))

    published = await bot.handle(message("hello again", n=2))

    [opened] = of(published, events.OpenTask)
    assert opened.task_id != conv.task_id
    assert sent_texts(published) == [POLICY.greeting]


async def test_a_reopened_task_gets_the_customers_next_message() -> None:
    bot = Bot()
    conv = await bot.open_conversation()
    await bot.handle(status_changed(conv.id, conv.task_id, "closed"))
    await bot.handle(status_changed(conv.id, conv.task_id, "manager", n=2))

    published = await bot.handle(message("I am back", n=3))

    assert of(published, events.OpenTask) == []
    [comment] = of(published, events.AddComment)
    assert comment.task_id == conv.task_id


async def test_reopening_while_another_conversation_is_open_is_refused() -> None:
    bot = Bot()
    conv = await bot.open_conversation()
    await bot.handle(status_changed(conv.id, conv.task_id, "closed"))
    await bot.handle(message("a new question", n=2))  # opens a new task

    with pytest.raises(PermanentError, match="reopened"):
        await bot.handle(status_changed(conv.id, conv.task_id, "manager", n=3))


async def test_task_started_from_our_side_opens_its_conversation() -> None:
    bot = Bot()
    await bot.handle(status_changed("conv-ours", "task-ours", "manager"))

    conv = await bot.store.find_open(CHAT.key)
    assert conv is not None and (conv.id, conv.task_id, conv.state) == (
        "conv-ours", "task-ours", "manager")


async def test_task_started_from_our_side_while_another_conversation_is_open_is_refused() -> None:
    bot = Bot()
    conv = await bot.open_conversation()

    with pytest.raises(PermanentError):
        await bot.handle(status_changed("conv-ours", "task-ours", "manager"))

    assert await bot.store.get("conv-ours") is None
    assert await bot.store.find_decision("st-1") is None
    assert await bot.store.find_open(CHAT.key) == conv


async def test_a_message_type_bot_router_does_not_handle_is_refused() -> None:
    bot = Bot()
    with pytest.raises(PermanentError):
        await bot.handle(events.SendSucceeded(
            id="s-1", correlation_id="c-1", occurred_at=NOW, send_id="send-1", task_id="t-1",
            comment_id="cm-1"))


# ---- publishing -----------------------------------------------------------------------------


async def test_comments_of_one_decision_are_published_as_one_bundle_before_the_sends() -> None:
    bot = Bot()
    await bot.handle(message("hello"))

    [batch] = bot.publisher.batches  # one call: the publisher queues sends before the records
    records, sends = batch[:-1], batch[-1:]
    [bundle] = of(records, events.AddComments)
    assert [c.author_kind for c in bundle.items] == ["customer", "bot"]
    assert of(records, events.AddComment) == [] and of(records, events.SendMessage) == []
    assert sends == of(sends, events.SendMessage) and len(sends) == 1


async def test_a_lone_comment_is_published_without_a_bundle() -> None:
    bot = Bot()
    conv = await bot.open_conversation()
    await bot.handle(status_changed(conv.id, conv.task_id, "manager"))

    published = await bot.handle(message("hi", n=2))

    assert [type(m) for m in published] == [events.AddComment]


def comment(n: int, **overrides: Any) -> events.AddComment:
    return events.AddComment(
        id=f"cmd-{n}", correlation_id="corr", occurred_at=NOW, comment_id=f"cm-{n}",
        task_id="t-1", author_kind="customer", direction="in", text=f"text {n}", at=NOW,
        **overrides)


def test_edits_and_deletions_stay_out_of_the_bundle() -> None:
    edit, deletion = comment(3, is_edit=True), comment(4, is_delete=True)

    bundled = bundle_comments("ev-1", [comment(1), edit, comment(2), deletion])

    assert [type(c) for c in bundled] == [events.AddComments, events.AddComment,
                                          events.AddComment]
    assert isinstance(bundled[0], events.AddComments)
    assert [c.comment_id for c in bundled[0].items] == ["cm-1", "cm-2"]
    assert bundled[1:] == [edit, deletion]
