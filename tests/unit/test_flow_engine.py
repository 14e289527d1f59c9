"""The flow engine: menus, navigation, questions, look-ups, hand-overs and business hours."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.calendar import BusinessCalendar, Hours
from shared.domain.flow_engine import (
    Choice,
    Close,
    FlowState,
    HandOver,
    Incoming,
    LookUp,
    Reply,
    SetStatus,
    Step,
    StoreField,
    incoming_from,
    render_numbered,
    start,
    step,
)
from shared.domain.flow_hours import opening_words
from shared.domain.flow_legacy import flow_from_scenarios, scenarios_of
from shared.domain.flows import CloseAction, FlowSet, Node, SetStatusAction, Triggers
from shared.domain.scenarios import Scenario
from tests.unit.flow_samples import (
    CLOSED_AT,
    OPEN_AT,
    big_flow,
    shop_buttons_flow,
    shop_flow,
    wild_flows,
)

SHOP = shop_flow()


def _text(value: str) -> Incoming:
    return Incoming(text=value)


def _dialogue(flow: FlowSet, *texts: str, now: datetime = OPEN_AT) -> list[Step]:
    """The steps of a conversation whose messages are ``texts``."""
    steps = [start(flow, _text(texts[0]), now)]
    for text in texts[1:]:
        steps.append(step(flow, steps[-1].state, _text(text), now))
    return steps


def _said(s: Step) -> list[str]:
    return [reply.text for reply in s.replies]


def test_first_message_that_selects_nothing_gets_the_greeting_only() -> None:
    first = start(SHOP, _text("Здравствуйте"), OPEN_AT)
    assert _said(first) == [SHOP.root.answer]
    assert first.effects == [] and first.state == FlowState() and first.node_id is None


def test_first_message_with_a_code_gets_the_greeting_and_that_answer() -> None:
    first = start(SHOP, _text("2"), OPEN_AT)
    assert _said(first) == [SHOP.root.answer, "Оплата картой на сайте или при получении."]
    assert first.node_id == "payment" and first.state == FlowState()


def test_sub_menu_two_levels_deep_then_back_and_main_menu() -> None:
    steps = _dialogue(SHOP, "привет", "1", "1", "2", "0", "меню")
    assert [s.state.node_id for s in steps] == [None, "delivery", "moscow", "moscow",
                                               "delivery", None]
    assert steps[3].replies[0].text.startswith("Самовывоз бесплатно")
    assert _said(steps[4]) == [SHOP.root.children[0].answer]  # the delivery menu again
    assert _said(steps[5]) == [SHOP.root.answer]
    assert all(s.effects == [] for s in steps)


def test_keyword_with_a_typo_and_a_latin_letter_opens_the_sub_menu() -> None:
    steps = _dialogue(SHOP, "Здравствуйте", "Где моя дастaвка?")
    assert steps[1].node_id == "delivery" and steps[1].state.node_id == "delivery"


def test_yo_and_ye_are_read_alike_in_keywords() -> None:
    steps = _dialogue(SHOP, "привет", "1", "1", "нужен курьёр")
    assert steps[3].node_id == "courier"


def test_ask_wrong_then_right_keeps_the_value_and_returns_to_the_menu() -> None:
    steps = _dialogue(SHOP, "привет", "доставка", "адрес", "не помню", " 123456 ")
    asked, wrong, right = steps[2], steps[3], steps[4]
    assert asked.state == FlowState(node_id="address", waiting="ask")
    assert _said(wrong) == ["Номер заказа — 6 цифр, например 123456."]
    assert wrong.state.tries == 1 and wrong.effects == [] and wrong.node_id is None
    assert right.effects == [StoreField(field="order_number", value="123456")]
    assert _said(right) == ["Спасибо! Заказ 123456 записан, менеджер изменит адрес."]
    assert right.state == FlowState(node_id="delivery") and right.node_id == "address"


def test_ask_tries_exhausted_hands_over() -> None:
    steps = _dialogue(SHOP, "привет", "1", "3", "a", "b", "c")
    assert [s.state.tries for s in steps[3:5]] == [1, 2]
    last = steps[5]
    assert last.effects == [HandOver()]
    assert _said(last) == ["Передаю ваш вопрос менеджеру."]
    assert last.state == FlowState()


def test_navigation_words_work_while_a_question_is_open() -> None:
    steps = _dialogue(SHOP, "привет", "1", "3", "0")
    assert steps[3].state == FlowState(node_id="delivery")
    assert _said(steps[3]) == [SHOP.root.children[0].answer]
    assert _dialogue(SHOP, "привет", "1", "3", "#")[3].state == FlowState()


def test_status_lookup_emits_the_lookup_and_no_reply() -> None:
    steps = _dialogue(SHOP, "привет", "статус", "№ 42", "42")
    assert steps[1].state == FlowState(node_id="status", waiting="lookup")
    assert _said(steps[2]) == ["Номер заявки — только цифры."]
    looked = steps[3]
    assert looked.replies == []
    assert looked.effects == [LookUp(number="42", answer_template="Статус заявки {number}: "
                                     "{status}", not_found_text="Среди ваших заявок такой нет.")]
    assert looked.state == FlowState()


def test_unmatched_text_hands_over_after_the_handover_text() -> None:
    s = _dialogue(SHOP, "привет", "у меня сложный вопрос")[1]
    assert _said(s) == ["Передаю ваш вопрос менеджеру."]
    assert s.effects == [HandOver()] and s.node_id is None


def test_unmatched_text_repeats_the_menu_when_the_flow_says_so() -> None:
    flow = FlowSet(root=SHOP.root, unmatched="repeat", repeat_text="Не понял.")
    s = _dialogue(flow, "привет", "1", "что-что?")[2]
    assert _said(s) == ["Не понял.\n\n" + SHOP.root.children[0].answer]
    assert s.effects == [] and s.state == FlowState(node_id="delivery")


def test_quiet_messages_change_nothing() -> None:
    state = FlowState(node_id="address", waiting="ask", tries=2)
    s = step(SHOP, state, Incoming(kind="quiet", text="👍"), OPEN_AT)
    assert s.replies == [] and s.effects == [] and s.state == state


def test_media_in_a_menu_is_unmatched_even_with_a_matching_caption() -> None:
    s = step(SHOP, FlowState(), Incoming(kind="other", text="доставка"), OPEN_AT)
    assert s.effects == [HandOver()]


def test_hand_over_node_names_its_group() -> None:
    s = _dialogue(SHOP, "привет", "менеджер")[1]
    assert s.effects == [HandOver(group_id="sales")]
    assert _said(s) == ["Передаю ваш вопрос менеджеру."]


def test_closed_hand_over_promises_the_next_opening() -> None:
    s = _dialogue(SHOP, "привет", "менеджер", now=CLOSED_AT)[1]
    assert _said(s) == ["Менеджер ответит вам в понедельник в 09:00."]
    assert s.effects == [HandOver(group_id="sales")] and not s.open


def test_greeting_when_closed_is_followed_by_the_closed_text() -> None:
    first = start(SHOP, _text("привет"), CLOSED_AT)
    assert _said(first) == [SHOP.root.answer, SHOP.closed_text]
    assert _said(start(SHOP, _text("привет"), OPEN_AT)) == [SHOP.root.answer]


def test_hours_branches_pick_the_open_or_the_closed_sibling() -> None:
    assert start(SHOP, _text("5"), OPEN_AT).node_id == "contacts_day"
    assert start(SHOP, _text("контакты"), CLOSED_AT).node_id == "contacts_night"


def test_opening_words_are_today_tomorrow_a_weekday_or_a_date() -> None:
    zone = "Europe/Moscow"
    at = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)  # Wed 06:00 in Moscow
    assert opening_words(at, datetime(2026, 12, 2, 6, tzinfo=UTC), zone) == "сегодня в 09:00"
    assert opening_words(at, datetime(2026, 12, 3, 6, tzinfo=UTC), zone) == "завтра в 09:00"
    assert opening_words(at, datetime(2026, 12, 8, 6, tzinfo=UTC), zone) == "во вторник в 09:00"
    assert opening_words(at, datetime(2027, 1, 11, 6, tzinfo=UTC), zone) == "11.01 в 09:00"


def test_closed_over_new_year_holidays_names_the_date() -> None:
    calendar = BusinessCalendar(timezone="Europe/Moscow", holidays_country="RU", hours=[
        Hours(day=d, start="09:00", end="18:00") for d in ("mon", "tue", "wed", "thu", "fri")])
    flow = FlowSet(root=SHOP.root, hours=calendar)
    s = step(flow, FlowState(), _text("вопрос"), datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert _said(s) == ["Менеджер ответит вам 11.01 в 09:00."]


def test_buttons_go_out_as_choices_and_numbers_select_them() -> None:
    flow = shop_buttons_flow()
    first = start(flow, _text("привет"), OPEN_AT)
    greeting = first.replies[0]
    assert greeting.offer == "buttons"
    assert greeting.choices == [Choice(id="delivery", title="Доставка"),
                                Choice(id="payment", title="Оплата"),
                                Choice(id="manager", title="Менеджер")]
    assert render_numbered(greeting) == ("Здравствуйте! Чем помочь?\n\n"
                                         "1. Доставка\n2. Оплата\n3. Менеджер")
    by_number = step(flow, first.state, _text("1"), OPEN_AT)
    assert by_number.node_id == "delivery" and by_number.replies[0].offer == "list"
    tapped = step(flow, by_number.state, Incoming(kind="choice", payload="russia",
                                                  text="По России"), OPEN_AT)
    assert tapped.node_id == "russia"


def test_a_tap_on_an_earlier_menus_button_still_selects_it() -> None:
    flow = shop_buttons_flow()
    s = step(flow, FlowState(node_id="delivery"), Incoming(kind="choice", payload="payment"),
             OPEN_AT)
    assert s.node_id == "payment" and s.state == FlowState()


def test_a_state_naming_a_node_the_new_version_lacks_starts_from_the_root() -> None:
    s = step(SHOP, FlowState(node_id="gone", waiting="ask", tries=2), _text("2"), OPEN_AT)
    assert s.node_id == "payment"


def test_set_status_and_close_actions_become_effects() -> None:
    root = Node(id="r", answer="Меню", children=[
        Node(id="wait", triggers=Triggers(codes=["1"]), answer="Ждём.",
             action=SetStatusAction(status="Ожидает")),
        Node(id="bye", triggers=Triggers(codes=["2"]), answer="До свидания!",
             action=CloseAction())])
    flow = FlowSet(root=root)
    assert step(flow, FlowState(), _text("1"), OPEN_AT).effects == [SetStatus(status="Ожидает")]
    bye = step(flow, FlowState(), _text("2"), OPEN_AT)
    assert bye.effects == [Close()] and _said(bye) == ["До свидания!"]


def test_the_same_inputs_give_the_same_step() -> None:
    state = FlowState(node_id="delivery")
    assert step(SHOP, state, _text("3"), OPEN_AT) == step(SHOP, state, _text("3"), OPEN_AT)


def test_incoming_from_reads_content_types() -> None:
    assert incoming_from("text", "1", None) == Incoming(text="1")
    assert incoming_from("interactive", "Да", "yes") == Incoming(text="Да", payload="yes",
                                                                 kind="choice")
    assert incoming_from("sticker", "", None).kind == "quiet"
    assert incoming_from("image", "доставка", None).kind == "other"


def test_render_numbered_without_choices_is_the_text() -> None:
    assert render_numbered(Reply(text="Привет")) == "Привет"


LEGACY = [Scenario(id="hours", codes=["1"], keywords=["часы"], answer="С 9 до 18."),
          Scenario(id="manager", codes=["2"], answer="Соединяю.", action="hand_over"),
          Scenario(id="bye", codes=["3"], answer="Пока!", action="close")]


def test_legacy_scenarios_answer_as_before() -> None:
    flow = flow_from_scenarios(LEGACY, "Привет! 1 — часы", "Передаю менеджеру.")
    assert _said(start(flow, _text("1"), OPEN_AT)) == ["Привет! 1 — часы", "С 9 до 18."]
    assert _said(start(flow, _text("вопрос"), OPEN_AT)) == ["Привет! 1 — часы"]
    free = step(flow, FlowState(), _text("0"), OPEN_AT)  # no navigation words in the old bot
    assert free.effects == [HandOver()] and _said(free) == ["Передаю менеджеру."]
    handed = step(flow, FlowState(), _text("2"), OPEN_AT)
    assert handed.effects == [HandOver()] and _said(handed) == ["Соединяю."]
    assert step(flow, FlowState(), _text("3"), OPEN_AT).effects == [Close()]
    assert scenarios_of(flow) == LEGACY


def test_scenarios_of_leaves_out_nodes_a_scenario_cannot_describe() -> None:
    # the others have sub-menus, questions, a named group or business hours
    assert [s.id for s in scenarios_of(SHOP)] == ["payment"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_flows(), st.lists(st.tuples(st.text(max_size=40),
                                        st.one_of(st.none(), st.sampled_from(["n1", "P", ""])),
                                        st.sampled_from(["text", "choice", "quiet", "other"])),
                              max_size=6), st.sampled_from([OPEN_AT, CLOSED_AT]))
def test_step_never_raises_on_any_flow_and_text(
        flow: FlowSet, messages: list[tuple[str, str | None, str]], now: datetime) -> None:
    state = start(flow, Incoming(text="привет"), now).state
    for text, payload, kind in messages:
        incoming = Incoming(text=text, payload=payload, kind=kind)  # type: ignore[arg-type]
        result = step(flow, state, incoming, now)
        assert all(isinstance(r, Reply) for r in result.replies)
        state = result.state


@settings(max_examples=60, deadline=None)
@given(st.text(), st.integers(0, 199))
def test_step_never_raises_on_any_text_in_a_big_flow(text: str, where: int) -> None:
    flow = big_flow()
    ids = [n.id for n in flow.root.children]
    state = FlowState(node_id=ids[where % len(ids)])
    step(flow, state, _text(text), OPEN_AT)
    step(flow, FlowState(node_id=state.node_id, waiting="ask"), _text(text), CLOSED_AT)
