"""One customer, one conversation: bot-router on fakes, with messages naming the customer by
phone, BSUID or both; system notices, merges, messages without a sender, quiet kinds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from services.bot_router.__main__ import policy_from
from services.bot_router.decide import BotPolicy
from services.bot_router.handlers import Deps, handle
from services.bot_router.identity import ChatAliases
from shared import config, events
from shared.config import BotRouterSettings
from shared.domain.identities import Identifier
from tests.fakes.bot_router import (
    FakeConversations,
    FakeIdentities,
    FakePublisher,
    FakeScenarios,
    flow_cache,
)

NOW = datetime(2026, 6, 2, 12, 0, tzinfo=UTC)
POLICY = BotPolicy(status_bot="Bot dialogue", status_manager="Manager dialogue",
                   status_closed="Closed", robot_user="WhatsAppRobot",
                   group_bot_user="1FWhatsAppBot", greeting="Hello! Send a code.",
                   handover_text="Passed to a manager.")
PHONE, BSUID = "34600111222", "ES.84920571"


@dataclass
class Bot:
    store: FakeConversations = field(default_factory=FakeConversations)
    publisher: FakePublisher = field(default_factory=FakePublisher)
    identities: FakeIdentities = field(default_factory=FakeIdentities)
    aliases: ChatAliases = field(default_factory=ChatAliases)
    policy: BotPolicy = POLICY

    async def handle(self, message: events.Message) -> list[events.Message]:
        before = len(self.publisher.published)
        await handle(Deps(conversations=self.store, publisher=self.publisher, policy=self.policy,
                          flows=flow_cache(FakeScenarios(), self.policy),
                          identities=self.identities,
                          aliases=self.aliases), message)
        return self.publisher.published[before:]


_seq = iter(range(1, 10_000))


def meta(text: str = "hi", *, phone: str | None = PHONE, bsuid: str | None = BSUID,
         name: str = "Ana", **extra: Any) -> events.MessageReceived:
    n = next(_seq)
    chat = events.ChatRef(provider="meta", channel_id="pn1", chat_type="whatsapp",
                          chat_id=bsuid or phone or "")
    fields: dict[str, Any] = {"content_type": "text", "text": text} | extra
    return events.MessageReceived(
        id=f"ev-{n}", correlation_id=f"ev-{n}", occurred_at=NOW, chat=chat,
        gateway_message_id=f"wamid.{n}", contact_name=name, contact_phone=phone, user_id=bsuid,
        **fields)


def of(published: list[events.Message], kind: type[Any]) -> list[Any]:
    found = [m for m in published if isinstance(m, kind)]
    for bundle in (m for m in published if isinstance(m, events.AddComments)):
        found += [c for c in bundle.items if isinstance(c, kind)]
    return found


def greetings(published: list[events.Message]) -> int:
    return sum(1 for s in of(published, events.SendMessage) if s.text == POLICY.greeting)


async def test_phone_only_then_phone_and_bsuid_is_one_conversation_with_one_greeting() -> None:
    bot = Bot()
    first = await bot.handle(meta("hello", bsuid=None))
    second = await bot.handle(meta("1", bsuid=BSUID))
    [opened] = of(first, events.OpenTask)
    assert of(second, events.OpenTask) == []
    assert greetings(first + second) == 1
    comments = of(second, events.AddComment)
    assert comments and all(c.task_id == opened.task_id for c in comments)
    customer = bot.identities.customer_of("meta", Identifier(kind="bsuid", value=BSUID))
    assert customer is not None and customer == bot.identities.customer_of(
        "meta", Identifier(kind="phone", value="+" + PHONE))


async def test_bsuid_only_then_phone_is_one_conversation() -> None:
    bot = Bot()
    first = await bot.handle(meta("hello", phone=None, username="@ana"))
    second = await bot.handle(meta("and my phone", phone=PHONE, bsuid=BSUID))
    third = await bot.handle(meta("phone only now", phone=PHONE, bsuid=None))
    [opened] = of(first, events.OpenTask)
    assert (opened.user_id, opened.username, opened.phone) == (BSUID, "@ana", None)
    assert of(second + third, events.OpenTask) == []
    assert {c.task_id for c in of(second + third, events.AddComment)} == {opened.task_id}


async def test_phone_written_differently_finds_the_same_conversation() -> None:
    bot = Bot()
    first = await bot.handle(meta("hello", phone="79011112233", bsuid=None))
    second = await bot.handle(meta("again", phone="89011112233", bsuid=None))
    [opened] = of(first, events.OpenTask)
    assert of(second, events.OpenTask) == []
    assert {c.task_id for c in of(second, events.AddComment)} == {opened.task_id}


async def test_two_customers_sharing_a_display_name_get_two_tasks() -> None:
    bot = Bot()
    one = await bot.handle(meta("hi", phone="34600111222", bsuid="ES.1", name="Alex"))
    two = await bot.handle(meta("hi", phone="79011112233", bsuid="RU.2", name="Alex"))
    assert len(of(one, events.OpenTask)) == len(of(two, events.OpenTask)) == 1
    assert of(one, events.OpenTask)[0].task_id != of(two, events.OpenTask)[0].task_id


async def test_changed_number_is_a_notice_that_moves_sends_without_a_bot_reaction() -> None:
    bot = Bot()
    await bot.handle(meta("hello", bsuid=None))
    notice = await bot.handle(meta(
        "Ana changed from +34 600 111 222 to +34 600 999 888", bsuid=None,
        content_type="system", system_kind="user_changed_number", new_phone="34600999888"))
    assert of(notice, events.SendMessage) == [] and of(notice, events.HandOver) == []
    [comment] = of(notice, events.AddComment)
    assert comment.author_kind == "system" and comment.text.startswith("[notice] Ana changed")
    [change] = of(notice, events.ChangeTaskChat)
    assert (change.chat.chat_id, change.chat.address, change.phone) == (
        PHONE, "34600999888", "34600999888")
    later = await bot.handle(meta("1", phone="34600999888", bsuid=None))
    assert of(later, events.OpenTask) == []
    [answer] = of(later, events.SendMessage)
    assert answer.chat.send_to == "34600999888"


async def test_system_message_without_an_open_task_opens_none() -> None:
    bot = Bot()
    published = await bot.handle(meta("changed", content_type="system",
                                      system_kind="user_changed_number", new_phone="3411"))
    assert published == []


async def test_message_without_a_sender_is_a_problem_never_a_task_or_a_send() -> None:
    bot = Bot()
    published = await bot.handle(meta("?", phone=None, bsuid=None, content_type="system",
                                      system_kind="customer_identity_changed"))
    [problem] = published
    assert isinstance(problem, events.RecordProblem)
    assert problem.gateway_message_id.startswith("wamid.") and "no sender" in problem.reason
    assert bot.store.rows == {}


async def test_customers_found_to_be_one_keep_the_older_task_and_note_the_merge() -> None:
    bot = Bot()
    old = of(await bot.handle(meta("by phone", bsuid=None)), events.OpenTask)[0]
    new = of(await bot.handle(meta("by username", phone=None)), events.OpenTask)[0]
    assert old.task_id != new.task_id
    both = await bot.handle(meta("both at once"))
    notices = [c for c in of(both, events.AddComment) if c.author_kind == "system"]
    assert {c.task_id for c in notices} == {old.task_id, new.task_id}
    customer_comment = [c for c in of(both, events.AddComment) if c.author_kind == "customer"]
    assert [c.task_id for c in customer_comment] == [old.task_id]
    later = await bot.handle(meta("username again", phone=None))
    assert [c.task_id for c in of(later, events.AddComment)] == [old.task_id]
    assert of(later, events.OpenTask) == []


QUIET = {
    "reaction": {"reaction": "👍", "quoted_gateway_message_id": "wamid.out"},
    "sticker": {"media": events.MediaRef(media_id="sticker-1", mime_type="image/webp")},
    "geo": {"text": "Cafe\nMain street 1\n40.4168, -3.7038"},
    "vcard": {"text": "Bob: +34 600 555 666"},
}


@pytest.mark.parametrize("kind", sorted(QUIET))
async def test_quiet_kind_in_the_bot_dialogue_neither_answers_nor_hands_over(kind: str) -> None:
    bot = Bot()
    await bot.handle(meta("hello"))
    published = await bot.handle(meta(**({"content_type": kind, "text": ""} | QUIET[kind])))
    assert of(published, events.HandOver) == [] and of(published, events.SendMessage) == []
    [comment] = of(published, events.AddComment)
    assert comment.author_kind == "customer" and comment.content_type == kind
    conv = await bot.store.find_open(f"pn1:whatsapp:{BSUID}")
    assert conv is not None and conv.state == "bot"


async def test_quiet_kinds_are_configurable() -> None:
    bot = Bot(policy=msgspec.structs.replace(POLICY, quiet_kinds=frozenset()))
    await bot.handle(meta("hello"))
    published = await bot.handle(meta(content_type="sticker"))
    assert len(of(published, events.HandOver)) == 1


async def test_the_quiet_kinds_setting_decides_which_kinds_hand_over() -> None:
    settings = config.load(BotRouterSettings, {
        "MONGODB_URL": "mongodb://127.0.0.1:27017/", "WABRIDGE_URL_SIGNING_KEY": "k" * 32,
        "WABRIDGE_BOT_QUIET_KINDS": " reaction , geo "})
    policy = msgspec.structs.replace(policy_from(settings), greeting=POLICY.greeting,
                                     handover_text=POLICY.handover_text)
    assert policy.quiet_kinds == {"reaction", "geo"}
    handed: dict[str, int] = {}
    for kind in sorted(QUIET):
        bot = Bot(policy=policy)
        await bot.handle(meta("hello"))
        published = await bot.handle(meta(**({"content_type": kind, "text": ""} | QUIET[kind])))
        handed[kind] = len(of(published, events.HandOver))
    assert handed == {"geo": 0, "reaction": 0, "sticker": 1, "vcard": 1}


async def test_reaction_with_no_open_dialogue_opens_no_task() -> None:
    assert await Bot().handle(meta(content_type="reaction", reaction="👍")) == []


async def test_echo_is_an_outgoing_comment_that_leaves_the_window_alone() -> None:
    bot = Bot()
    await bot.handle(meta("hello"))
    conv = await bot.store.find_open(f"pn1:whatsapp:{BSUID}")
    assert conv is not None and conv.last_inbound_at is not None
    published = await bot.handle(meta("from the phone app", name="", is_echo=True))
    [comment] = of(published, events.AddComment)
    assert (comment.direction, comment.author_kind) == ("out", "user")
    assert of(published, events.SendMessage) == []
    after = await bot.store.find_open(f"pn1:whatsapp:{BSUID}")
    assert after is not None and after.last_inbound_at == conv.last_inbound_at


async def test_form_answer_is_on_the_comment_as_fields() -> None:
    bot = Bot()
    form = [events.FormField(label="Email", value="ana@example.com", name="email")]
    published = await bot.handle(meta("[form] contact\nEmail: ana@example.com",
                                      content_type="interactive", form=form,
                                      form_name="contact"))
    comment = next(c for c in of(published, events.AddComment) if c.author_kind == "customer")
    assert comment.form == form and comment.text == "[form] contact\nEmail: ana@example.com"


async def test_meta_edit_becomes_a_revision_of_the_original() -> None:
    bot = Bot()
    await bot.handle(meta("orginal"))
    published = await bot.handle(meta("original", is_edited=True))
    [revision] = of(published, events.AddComment)
    assert revision.is_edit and of(published, events.SendMessage) == []


async def test_changed_user_id_keeps_the_task_and_answers_at_the_new_bsuid() -> None:
    bot = Bot()
    first = await bot.handle(meta("hello", phone=None, username="@ana"))
    [opened] = of(first, events.OpenTask)
    notice = await bot.handle(meta(
        "Ana changed their user id", phone=None, content_type="system",
        system_kind="user_changed_user_id", new_user_id="ES.11112222"))
    assert of(notice, events.SendMessage) == [] and of(notice, events.HandOver) == []
    [comment] = of(notice, events.AddComment)
    assert (comment.task_id, comment.author_kind) == (opened.task_id, "system")
    [change] = of(notice, events.ChangeTaskChat)
    assert (change.chat.chat_id, change.chat.address, change.user_id) == (
        BSUID, "ES.11112222", "ES.11112222")
    later = await bot.handle(meta("1", phone=None, bsuid="ES.11112222"))
    assert of(later, events.OpenTask) == []
    assert {c.task_id for c in of(later, events.AddComment)} == {opened.task_id}
    [answer] = of(later, events.SendMessage)
    assert answer.chat.send_to == "ES.11112222"
