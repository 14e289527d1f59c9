"""The bot's decisions with a flow (issue 12): the flow position kept on the conversation,
sub-menus, navigation, questions, look-ups, hand-over to a group, buttons and business hours;
each decision names the flow version it used."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from services.bot_router.decide import BotPolicy, decide, follow_status_change
from shared import events
from shared.domain.conversations import Conversation, Decision
from shared.domain.flow_engine import FlowState
from shared.domain.flows import (
    AskAction,
    FlowSet,
    FlowVersion,
    HandOverAction,
    Node,
    Triggers,
)
from tests.unit.flow_samples import CLOSED_AT, OPEN_AT, shop_buttons_flow, shop_flow

POLICY = BotPolicy(status_bot="Bot dialogue", status_manager="Manager dialogue",
                   status_closed="Closed", robot_user="WhatsAppRobot",
                   group_bot_user="1FWhatsAppBot", greeting="(unused with a flow)",
                   handover_text="(unused with a flow)")
CHAT = events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                      chat_id="79011112233")


def published(flow: FlowSet, version: int = 7, key: str = "default") -> FlowVersion:
    return FlowVersion(key=key, version=version, flow=flow, published_at="2026-12-01")


class Dialogue:
    """One chat's conversation carried from decision to decision, as the store would."""

    def __init__(self, flow: FlowSet, now: datetime = OPEN_AT) -> None:
        self.flow = published(flow)
        self.now = now
        self.conv: Conversation | None = None
        self.n = 0

    def say(self, text: str = "", **overrides: Any) -> Decision:
        self.n += 1
        fields: dict[str, Any] = {
            "id": f"ev-{self.n}", "correlation_id": f"corr-{self.n}", "occurred_at": self.now,
            "chat": CHAT, "gateway_message_id": f"gw-{self.n}", "content_type": "text",
            "text": text, "contact_name": "Anna", "contact_phone": "79011112233"}
        decision = decide(self.conv, events.MessageReceived(**(fields | overrides)), self.flow,
                          POLICY, self.now)
        if decision.conversation is not None:
            self.conv = decision.conversation
        return decision


def of(decision: Decision, kind: type[Any]) -> list[Any]:
    return [c for c in decision.commands if isinstance(c, kind)]


def texts(decision: Decision) -> list[str]:
    return [c.text for c in of(decision, events.SendMessage)]


def test_the_first_message_gets_the_root_answer_and_records_the_flow_version() -> None:
    chat = Dialogue(shop_flow())
    first = chat.say("Добрый день")
    assert texts(first)[0].startswith("Здравствуйте! Магазин «Ромашка».")
    assert (first.flow_key, first.flow_version) == ("default", 7)
    assert chat.conv is not None and chat.conv.flow_version == 7
    assert chat.conv.flow == FlowState()


def test_a_sub_menu_two_levels_deep_then_back_and_main_menu() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    assert texts(chat.say("1"))[0].startswith("Доставка:")
    assert chat.conv is not None and chat.conv.flow.node_id == "delivery"
    assert texts(chat.say("1"))[0].startswith("По Москве:")
    assert chat.conv.flow.node_id == "moscow"
    assert texts(chat.say("2")) == ["Самовывоз бесплатно: ул. Ленина, 1, с 10 до 20."]
    assert texts(chat.say("0"))[0].startswith("Доставка:")
    assert chat.conv.flow.node_id == "delivery"
    assert texts(chat.say("меню"))[0].startswith("Здравствуйте!")
    assert chat.conv.flow == FlowState() and chat.conv.state == "bot"


def test_a_question_asks_again_on_a_wrong_answer_and_stores_the_right_one() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    chat.say("1")
    assert texts(chat.say("3")) == ["Напишите номер заказа (6 цифр):"]
    wrong = chat.say("12")
    assert texts(wrong) == ["Номер заказа — 6 цифр, например 123456."]
    assert of(wrong, events.SetTaskField) == []
    right = chat.say("123456")
    [stored] = of(right, events.SetTaskField)
    assert (stored.task_id, stored.field, stored.value) == (
        chat.conv.task_id if chat.conv else "", "order_number", "123456")
    assert texts(right) == ["Спасибо! Заказ 123456 записан, менеджер изменит адрес."]


def test_a_status_look_up_goes_to_task_sync_with_ids_from_the_message() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    chat.say("3")
    decision = chat.say("42")
    [lookup] = of(decision, events.LookUpStatus)
    assert lookup.number == "42" and lookup.chat == CHAT
    assert lookup.not_found_text == "Среди ваших заявок такой нет."
    assert lookup.send_id == events.derive_id("send", lookup.comment_id)
    # its answer's place in the chat's queue is kept now, before the customer can write again
    [place] = of(decision, events.SendMessage)
    assert (place.id, place.comment_id, place.awaits_text, place.text) == (
        lookup.send_id, lookup.comment_id, True, "")
    again = Dialogue(shop_flow())
    again.say("Привет")
    again.say("3")
    assert of(again.say("42"), events.LookUpStatus) == [lookup]  # deterministic


def test_a_hand_over_node_hands_the_task_to_its_group() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    decision = chat.say("менеджер")
    [hand_over] = of(decision, events.HandOver)
    assert (hand_over.group_id, hand_over.status) == ("sales", "Manager dialogue")
    assert chat.conv is not None and chat.conv.state == "manager"
    assert texts(decision) == ["Передаю ваш вопрос менеджеру."]


def test_out_of_hours_the_greeting_is_followed_by_the_closed_text_and_night_answers() -> None:
    chat = Dialogue(shop_flow(), now=CLOSED_AT)
    greeting = texts(chat.say("Привет"))
    assert len(greeting) == 1 and greeting[0].endswith(
        "Сейчас мы не работаем; бот ответит, менеджеры — утром.")
    assert texts(chat.say("5")) == ["Сейчас мы закрыты; напишите вопрос, ответим утром."]
    handed = chat.say("менеджер")
    assert texts(handed) == ["Менеджер ответит вам в понедельник в 09:00."]
    assert len(of(handed, events.HandOver)) == 1


def test_buttons_go_with_the_send_and_the_comment_shows_them_numbered() -> None:
    chat = Dialogue(shop_buttons_flow())
    first = chat.say("Привет")
    [send] = of(first, events.SendMessage)
    assert send.offer == "buttons" and [c.id for c in send.choices] == [
        "delivery", "payment", "manager"]
    assert send.text == "Здравствуйте! Чем помочь?"
    [comment] = [c for c in of(first, events.AddComment) if c.author_kind == "bot"]
    assert comment.text == "Здравствуйте! Чем помочь?\n\n1. Доставка\n2. Оплата\n3. Менеджер"
    tapped = chat.say("Доставка", content_type="interactive", reply_payload="delivery")
    [menu] = of(tapped, events.SendMessage)
    assert menu.offer == "list" and [c.id for c in menu.choices] == [
        "moscow", "russia", "address"]


def test_a_reaction_in_a_sub_menu_changes_nothing() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    chat.say("1")
    before = chat.conv
    decision = chat.say("👍", content_type="reaction", reaction="👍")
    assert decision.conversation is None and texts(decision) == [] and chat.conv is before


def test_a_node_removed_by_a_newer_version_starts_over_at_the_root() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    chat.say("1")
    assert chat.conv is not None
    chat.conv = msgspec.structs.replace(chat.conv, flow=FlowState(node_id="gone"))
    chat.flow = published(shop_flow(), version=8)
    decision = chat.say("2")
    assert texts(decision) == ["Оплата картой на сайте или при получении."]
    assert decision.flow_version == 8 and chat.conv.flow_version == 8


def test_the_same_message_and_flow_version_give_the_same_decision() -> None:
    one, two = Dialogue(shop_flow()), Dialogue(shop_flow())
    for text in ("Привет", "1", "3", "12", "123456", "0", "меню", "менеджер"):
        a, b = one.say(text), two.say(text)
        assert a == b


def test_a_dialogue_a_person_gives_back_to_the_bot_starts_at_the_main_menu() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    chat.say("1")
    assert chat.conv is not None and chat.conv.flow.node_id == "delivery"
    back = follow_status_change(chat.conv, events.TaskStatusChanged(
        id="st-1", correlation_id="c", occurred_at=OPEN_AT, task_id=chat.conv.task_id,
        conversation_id=chat.conv.id, chat=CHAT, status="Bot dialogue", state="manager"),
        OPEN_AT)
    assert back.conversation is not None and back.conversation.flow == FlowState()


def _form(*pairs: tuple[str, str, str]) -> dict[str, Any]:
    """A submitted WhatsApp Flow as ingest reports it: (label, value, name) answers."""
    return {"content_type": "interactive", "form_name": "booking",
            "form": [events.FormField(label=label, value=value, name=name)
                     for label, value, name in pairs]}


def booking_flow() -> FlowSet:
    ask = AskAction(field="email", pattern=r"\S+@\S+\.\S+", reask_text="Email, please.",
                    done_text="Thanks, we will write to {value}.")
    root = Node(id="main", answer="Hello!", children=[
        Node(id="booking", triggers=Triggers(keywords=["booking"]), answer="Your email?",
             action=ask),
        Node(id="manager", triggers=Triggers(codes=["9"]), action=HandOverAction())])
    return FlowSet(root=root, handover_text="To a manager.")


def test_a_form_that_answers_the_question_of_the_node_it_selects_is_kept_unasked() -> None:
    chat = Dialogue(booking_flow())
    chat.say("hi")
    decision = chat.say("[form] booking", **_form(
        ("Name", "Ana", "screen_0_Name_0"), ("Email", "ana@example.com", "screen_0_Email_1")))
    [stored] = of(decision, events.SetTaskField)
    assert (stored.field, stored.value) == ("email", "ana@example.com")
    assert texts(decision) == ["Thanks, we will write to ana@example.com."]
    assert chat.conv is not None and chat.conv.flow == FlowState() and chat.conv.state == "bot"


def test_a_form_without_a_valid_answer_gets_the_question_asked() -> None:
    chat = Dialogue(booking_flow())
    chat.say("hi")
    decision = chat.say("[form] booking", **_form(("Email", "not an address", "email")))
    assert of(decision, events.SetTaskField) == [] and texts(decision) == ["Your email?"]
    assert chat.conv is not None and chat.conv.flow.waiting == "ask"
    answered = chat.say("ana@example.com")
    assert [(s.field, s.value) for s in of(answered, events.SetTaskField)] == [
        ("email", "ana@example.com")]


def test_an_open_question_takes_its_answer_from_a_submitted_form_field() -> None:
    chat = Dialogue(shop_flow())
    chat.say("Привет")
    chat.say("1")
    chat.say("3")  # "Напишите номер заказа (6 цифр):"
    decision = chat.say("[form] order", **_form(("Order number", "654321", "order_number")))
    [stored] = of(decision, events.SetTaskField)
    assert (stored.field, stored.value) == ("order_number", "654321")
    assert texts(decision) == ["Спасибо! Заказ 654321 записан, менеджер изменит адрес."]
    assert of(decision, events.HandOver) == []


def test_a_form_field_is_found_by_its_label_written_as_a_field_name() -> None:
    chat = Dialogue(shop_flow())
    for text in ("Привет", "1", "3"):
        chat.say(text)
    decision = chat.say("[form]", **_form(("Order number", "111222", "screen_0_Order_0")))
    assert [(s.field, s.value) for s in of(decision, events.SetTaskField)] == [
        ("order_number", "111222")]
