"""The bot's pure decisions: what one message does to a conversation and which commands follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import msgspec
import pytest

from services.bot_router.decide import BotPolicy, decide, follow_status_change
from services.bot_router.flow_cache import legacy_flow
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.scenarios import Scenario, ScenarioSet

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
POLICY = BotPolicy(status_bot="Bot dialogue", status_manager="Manager dialogue",
                   status_closed="Closed", robot_user="WhatsAppRobot",
                   group_bot_user="1FWhatsAppBot", greeting="Hello! Send a code.",
                   handover_text="Passed to a manager.")
HOURS = Scenario(id="hours", codes=["1"], keywords=["schedule"], answer="We work 9-18.")
MANAGER = Scenario(id="manager", codes=["4"], answer="Connecting you.", action="hand_over")
BYE = Scenario(id="bye", codes=["9"], answer="Goodbye!", action="close")
SCENARIOS = [HOURS, MANAGER, BYE]
PRIVATE = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                         chat_id="79011112233")
GROUP = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsgroup",
                       chat_id="120363-group")


def message(text: str = "hello", *, n: int = 1, chat: events.ChatRef = PRIVATE,
            **overrides: Any) -> events.MessageReceived:
    fields: dict[str, Any] = {
        "id": f"ev-{n}", "correlation_id": f"corr-{n}", "occurred_at": NOW, "chat": chat,
        "gateway_message_id": f"gw-{n}", "content_type": "text", "text": text,
        "contact_name": "Anna", "contact_phone": "79011112233",
    }
    return events.MessageReceived(**(fields | overrides))


def conversation(state: str = "bot", *, chat: events.ChatRef = PRIVATE,
                 version: int = 1) -> Conversation:
    return Conversation(id="conv-1", chat=chat, task_id="task-1", state=state,  # type: ignore[arg-type]
                        version=version, opened_at=NOW - timedelta(hours=1),
                        contact_name="Anna")


def run(conv: Conversation | None, event: events.MessageReceived,
        policy: BotPolicy = POLICY) -> Decision:
    flow = legacy_flow(ScenarioSet(version=1, items=SCENARIOS), policy.greeting,
                       policy.handover_text)
    return decide(conv, event, flow, policy, NOW)


def of(decision: Decision, kind: type[Any]) -> list[Any]:
    return [c for c in decision.commands if isinstance(c, kind)]


def bot_texts(decision: Decision) -> list[str]:
    return [c.text for c in of(decision, events.SendMessage)]


def state_of(decision: Decision, before: str = "bot") -> str:
    """The conversation's state after the decision (unchanged when it writes nothing)."""
    return decision.conversation.state if decision.conversation else before


# ---- a new dialogue -------------------------------------------------------------------------


def test_first_message_opens_a_task_in_the_bot_status() -> None:
    decision = run(None, message("hello"))
    [open_task] = of(decision, events.OpenTask)
    assert decision.conversation is not None and decision.previous_version is None
    assert (open_task.status, open_task.chat, open_task.phone, open_task.contact_name) == (
        "Bot dialogue", PRIVATE, "79011112233", "Anna")
    assert open_task.task_id == decision.conversation.task_id
    assert open_task.conversation_id == decision.conversation.id
    assert (state_of(decision), decision.conversation.version) == ("bot", 1)


def test_first_message_is_recorded_as_a_customer_comment_by_the_robot() -> None:
    decision = run(None, message("hello"))
    customer = of(decision, events.AddComment)[0]
    assert (customer.author_kind, customer.author_name, customer.sender_name) == (
        "customer", "WhatsAppRobot", "Anna")
    assert (customer.direction, customer.text, customer.gateway_message_id) == (
        "in", "hello", "gw-1")


def test_first_message_gets_the_greeting() -> None:
    decision = run(None, message("hello"))
    assert bot_texts(decision) == ["Hello! Send a code."]
    assert of(decision, events.HandOver) == []


def test_first_message_that_is_a_code_gets_greeting_with_the_answer() -> None:
    decision = run(None, message("1"))
    assert bot_texts(decision) == ["Hello! Send a code.\n\nWe work 9-18."]
    assert state_of(decision) == "bot"


def test_closed_conversation_makes_the_next_message_open_a_new_one() -> None:
    closed = conversation("closed", version=5)
    decision = run(closed, message("hello again", n=7))

    assert decision.conversation is not None and decision.previous_version is None
    assert decision.conversation.id != closed.id
    assert decision.conversation.task_id != closed.task_id
    [open_task] = of(decision, events.OpenTask)
    assert open_task.task_id == decision.conversation.task_id
    assert bot_texts(decision) == ["Hello! Send a code."]


# ---- the bot dialogue -----------------------------------------------------------------------


def test_code_1_in_bot_dialog_sends_scenario_answer() -> None:
    decision = run(conversation("bot"), message("1", n=2))
    assert bot_texts(decision) == ["We work 9-18."]
    assert of(decision, events.OpenTask) == [] and of(decision, events.HandOver) == []
    assert state_of(decision) == "bot"


@pytest.mark.parametrize("text", ["1.", " 1 ", "What is your SCHEDULE?"])
def test_code_with_punctuation_or_keyword_in_bot_dialog_gets_the_answer(text: str) -> None:
    assert bot_texts(run(conversation("bot"), message(text, n=2))) == ["We work 9-18."]


def test_other_text_in_bot_dialog_hands_over_to_the_manager() -> None:
    decision = run(conversation("bot"), message("I want a refund", n=2))

    [hand_over] = of(decision, events.HandOver)
    assert (hand_over.task_id, hand_over.status) == ("task-1", "Manager dialogue")
    assert bot_texts(decision) == ["Passed to a manager."]
    assert state_of(decision) == "manager"


def test_handover_without_handover_text_sends_nothing() -> None:
    quiet = msgspec.structs.replace(POLICY, handover_text="")
    decision = run(conversation("bot"), message("I want a refund", n=2), quiet)
    assert bot_texts(decision) == []
    assert len(of(decision, events.HandOver)) == 1


def test_scenario_with_hand_over_action_answers_then_hands_over() -> None:
    decision = run(conversation("bot"), message("4", n=2))
    assert bot_texts(decision) == ["Connecting you."]
    assert [h.status for h in of(decision, events.HandOver)] == ["Manager dialogue"]
    assert state_of(decision) == "manager"


def test_scenario_with_close_action_answers_then_closes_the_task() -> None:
    decision = run(conversation("bot"), message("9", n=2))
    assert bot_texts(decision) == ["Goodbye!"]
    [close] = of(decision, events.SetTaskStatus)
    assert (close.task_id, close.status) == ("task-1", "Closed")
    assert state_of(decision) == "closed"
    assert decision.conversation is not None and not decision.conversation.is_open


@pytest.mark.parametrize(("content_type", "raw_type", "caption", "shown"), [
    ("image", "", "look", "[image] look"),
    ("audio", "", "", "[voice message]"),
    ("unsupported", "poll", "", "[unsupported message type: poll]"),
])
def test_media_or_unsupported_message_in_bot_dialog_hands_over_with_placeholder(
    content_type: str, raw_type: str, caption: str, shown: str,
) -> None:
    event = message(caption, n=2, content_type=content_type, raw_type=raw_type)
    decision = run(conversation("bot"), event)

    assert of(decision, events.AddComment)[0].text == shown
    assert of(decision, events.AddComment)[0].content_type == content_type
    assert len(of(decision, events.HandOver)) == 1
    assert state_of(decision) == "manager"


def test_media_caption_equal_to_a_code_does_not_trigger_the_scenario() -> None:
    decision = run(conversation("bot"), message("1", n=2, content_type="image"))
    assert "We work 9-18." not in bot_texts(decision)
    assert state_of(decision) == "manager"


# ---- the manager dialogue -------------------------------------------------------------------


def test_message_in_manager_dialog_is_only_recorded_as_a_comment() -> None:
    decision = run(conversation("manager", version=3), message("1", n=2))

    [comment] = decision.commands
    assert isinstance(comment, events.AddComment)
    assert (comment.task_id, comment.text, comment.direction) == ("task-1", "1", "in")
    assert decision.conversation is None  # nothing the bot decides on changed: no write


# ---- echoes (an employee wrote from the phone) ----------------------------------------------


def test_echo_is_recorded_as_an_outgoing_comment_of_its_author() -> None:
    echo = message("We are open", n=2, is_echo=True, author_name="Ivan Petrov")
    decision = run(conversation("bot"), echo)

    [comment] = decision.commands
    assert isinstance(comment, events.AddComment)
    assert (comment.author_kind, comment.author_name, comment.direction) == (
        "user", "Ivan Petrov", "out")
    assert state_of(decision) == "bot"


def test_echo_equal_to_a_code_never_triggers_the_bot() -> None:
    echo = message("1", n=2, is_echo=True, author_name="Ivan Petrov")
    assert bot_texts(run(conversation("bot"), echo)) == []


def test_echo_changes_nothing_in_the_conversation() -> None:
    echo = message("hi", n=2, is_echo=True, author_name="Ivan")
    decision = run(conversation("bot"), echo)
    assert decision.conversation is None


def test_echo_starting_a_dialogue_opens_it_with_the_manager_without_greeting() -> None:
    echo = message("Hello from the shop", is_echo=True, author_name="Ivan")
    decision = run(None, echo)

    [open_task] = of(decision, events.OpenTask)
    assert open_task.status == "Manager dialogue"
    assert bot_texts(decision) == []
    assert state_of(decision) == "manager"


# ---- group chats ----------------------------------------------------------------------------


def test_group_chat_goes_straight_to_the_manager_when_bot_is_off_for_groups() -> None:
    decision = run(None, message("1", chat=GROUP))

    [open_task] = of(decision, events.OpenTask)
    assert open_task.status == "Manager dialogue"
    assert [h.status for h in of(decision, events.HandOver)] == ["Manager dialogue"]
    assert bot_texts(decision) == []
    assert state_of(decision) == "manager"


def test_group_participant_is_shown_through_the_group_bot_user() -> None:
    decision = run(None, message("hi all", chat=GROUP, contact_name="Boris"))
    [comment] = of(decision, events.AddComment)
    assert (comment.author_kind, comment.author_name, comment.sender_name) == (
        "participant", "1FWhatsAppBot", "Boris")


def test_group_chat_gets_the_bot_when_bot_is_on_for_groups() -> None:
    with_bot = msgspec.structs.replace(POLICY, bot_in_groups=True)
    decision = run(None, message("hi", chat=GROUP), with_bot)
    assert of(decision, events.OpenTask)[0].status == "Bot dialogue"
    assert bot_texts(decision) == ["Hello! Send a code."]


# ---- ids, order, bot answers ----------------------------------------------------------------


@pytest.mark.parametrize("conv", [None, conversation("bot"), conversation("closed")])
def test_deciding_the_same_event_twice_gives_identical_commands(
    conv: Conversation | None,
) -> None:
    assert run(conv, message("1", n=3)) == run(conv, message("1", n=3))


def test_command_and_comment_ids_are_distinct_within_a_decision() -> None:
    decision = run(None, message("hello"))  # open, customer comment, greeting, send
    command_ids = [c.id for c in decision.commands]
    comment_ids = [c.comment_id for c in of(decision, events.AddComment)]
    assert len(command_ids) == len(set(command_ids)) == 4
    assert len(comment_ids) == len(set(comment_ids)) == 2


def test_different_events_get_different_ids() -> None:
    first = run(conversation("bot"), message("1", n=2))
    second = run(conversation("bot"), message("1", n=3))
    assert not {c.id for c in first.commands} & {c.id for c in second.commands}


def test_commands_carry_the_events_correlation_id() -> None:
    decision = run(None, message("1", n=5))
    assert {c.correlation_id for c in decision.commands} == {"corr-5"}


def test_bot_answer_is_a_send_and_a_comment_sharing_the_send_id() -> None:
    decision = run(conversation("bot"), message("1", n=2))
    [send] = of(decision, events.SendMessage)
    bot_comment = next(c for c in of(decision, events.AddComment) if c.author_kind == "bot")

    assert send.clear_unanswered is False
    assert (send.chat, send.task_id, send.text) == (PRIVATE, "task-1", "We work 9-18.")
    assert bot_comment.send_id == send.id
    assert bot_comment.comment_id == send.comment_id
    assert (bot_comment.author_name, bot_comment.direction, bot_comment.text) == (
        "WhatsAppRobot", "out", "We work 9-18.")


@pytest.mark.parametrize("text", ["hello", "1", "4", "9", "refund please"])
def test_comment_times_strictly_increase_within_one_decision(text: str) -> None:
    times = [c.at for c in of(run(None, message(text)), events.AddComment)]
    times_later = [c.at for c in of(run(conversation("bot"), message(text, n=2)),
                                    events.AddComment)]
    for series in (times, times_later):
        assert len(series) >= 2
        assert all(a < b for a, b in pairwise(series))


# ---- following status changes ---------------------------------------------------------------


def status_change(state: str, n: int = 1) -> events.TaskStatusChanged:
    return events.TaskStatusChanged(
        id=f"st-{n}", correlation_id="task-1", occurred_at=NOW, task_id="task-1",
        conversation_id="conv-1", chat=PRIVATE, status=f"status {state}",
        state=state)  # type: ignore[arg-type]


def test_task_closed_by_a_person_closes_the_conversation() -> None:
    decision = follow_status_change(
        conversation("manager", version=4), status_change("closed"), NOW)
    assert decision.conversation is not None
    assert (decision.conversation.state, decision.conversation.version) == ("closed", 5)
    assert decision.previous_version == 4 and decision.commands == []


def test_task_put_back_to_the_bot_status_resumes_the_bot_dialogue() -> None:
    decision = follow_status_change(conversation("manager", version=2), status_change("bot"), NOW)
    assert decision.conversation is not None
    assert (decision.conversation.state, decision.previous_version) == ("bot", 2)


def test_status_change_to_the_current_state_changes_nothing() -> None:
    decision = follow_status_change(conversation("manager"), status_change("manager"), NOW)
    assert (decision.conversation, decision.event_id) == (None, "st-1")


def test_a_reopened_task_continues_its_closed_conversation_with_the_manager() -> None:
    decision = follow_status_change(conversation("closed", version=3), status_change("manager"),
                                    NOW)
    assert decision.conversation is not None
    assert (decision.conversation.state, decision.previous_version) == ("manager", 3)


def test_closing_a_closed_conversation_again_changes_nothing() -> None:
    decision = follow_status_change(conversation("closed"), status_change("closed"), NOW)
    assert decision.conversation is None


def test_status_change_of_an_unknown_task_opens_its_conversation_in_that_state() -> None:
    event = status_change("manager")
    decision = follow_status_change(None, event, NOW)
    assert decision.previous_version is None
    assert decision.conversation is not None
    assert decision.conversation.id == event.conversation_id
    assert decision.conversation.task_id == event.task_id
    assert decision.conversation.state == "manager"


def test_a_tapped_button_whose_payload_is_a_code_gets_that_scenario() -> None:
    tap = msgspec.structs.replace(message("Часы работы"), content_type="interactive",
                                  reply_payload="1")
    decision = run(conversation("bot"), tap)
    sends = [c for c in decision.commands if isinstance(c, events.SendMessage)]
    assert [s.text for s in sends] == [SCENARIOS[0].answer]


@pytest.mark.parametrize(("conv", "with_bot"), [
    (None, True), (conversation("bot"), True), (conversation("manager"), False)])
def test_the_customers_comment_says_whether_the_bot_led_and_names_its_chat(
        conv: Conversation | None, with_bot: bool) -> None:
    """task-sync needs the task only when people lead (a response clock may start); while the
    bot leads, the chat in the comment is all it needs."""
    [comment] = [c for c in of(run(conv, message("1")), events.AddComment)
                 if c.author_kind == "customer"]
    assert (comment.with_bot, comment.chat) == (with_bot, PRIVATE if with_bot else None)
    echo = run(conv, message("ok", n=2, is_echo=True, author_name="Ivan"))
    assert all(not c.with_bot for c in of(echo, events.AddComment))
