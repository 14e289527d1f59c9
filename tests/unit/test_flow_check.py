"""Flow validation: each problem named, and a flow without problems reaches every node."""

from __future__ import annotations

from collections import deque
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings

from shared.domain import flow_check
from shared.domain.calendar import BusinessCalendar
from shared.domain.flow_check import problems, reachable
from shared.domain.flow_engine import FlowState, Incoming, Step, start, step
from shared.domain.flows import (
    AskAction,
    CloseAction,
    FlowSet,
    HandOverAction,
    LookupStatusAction,
    Node,
    Offer,
    SetStatusAction,
    Triggers,
)
from tests.unit.flow_samples import (
    CLOSED_AT,
    OPEN_AT,
    all_ids,
    big_flow,
    shop_buttons_flow,
    shop_flow,
    sound_flows,
    wild_flows,
)


def _leaf(node_id: str, *codes: str, keywords: tuple[str, ...] = (), **extra: object) -> Node:
    return Node(id=node_id, answer=f"{node_id}.", triggers=Triggers(
        codes=list(codes), keywords=list(keywords)), **extra)  # type: ignore[arg-type]


def _flow(*children: Node, offer: Offer = "text", **extra: object) -> FlowSet:
    root = Node(id="root", answer="Меню", offer=offer, children=list(children))
    return FlowSet(root=root, **extra)  # type: ignore[arg-type]


def _codes(flow: FlowSet, **known: set[str]) -> list[tuple[str, str]]:
    return [(p.node_id, p.code) for p in problems(flow, **known)]


def test_sample_flows_have_no_problems() -> None:
    for flow in (shop_flow(), shop_buttons_flow(), big_flow(), big_flow(seed=3)):
        assert problems(flow) == []
        assert reachable(flow) == set(all_ids(flow))


def test_duplicate_node_ids_are_named() -> None:
    assert ("a", "duplicate_id") in _codes(_flow(_leaf("a", "1"), _leaf("a", "2")))


def test_node_nothing_selects_under_a_text_menu_is_unreachable() -> None:
    found = problems(_flow(_leaf("a", "1"), _leaf("lost")))
    assert [(p.node_id, p.code) for p in found] == [("lost", "unreachable")]
    assert "no code, keyword or payload" in found[0].message
    # under buttons the same node is a tap away
    assert problems(_flow(_leaf("a", "1"), Node(id="b", title="Б"), offer="buttons")) == []


def test_duplicate_trigger_on_one_level_is_named_unless_hours_split_it() -> None:
    found = _codes(_flow(_leaf("a", "1", keywords=("Доставка",)),
                         _leaf("b", "1.", keywords=("доставка",))))
    assert found.count(("b", "duplicate_trigger")) == 2
    assert ("b", "unreachable") in found
    split = _flow(_leaf("day", "5", hours="open"), _leaf("night", "5", hours="closed"),
                  hours=BusinessCalendar())
    assert problems(split) == []


def test_same_trigger_on_different_levels_is_fine() -> None:
    inner = Node(id="menu", answer="Подменю", triggers=Triggers(codes=["1"]),
                 children=[_leaf("x", "1")])
    assert problems(_flow(inner)) == []


def test_keyword_an_earlier_sibling_takes_first_is_shadowed() -> None:
    found = problems(_flow(_leaf("any", keywords=("доставка",)),
                           _leaf("abroad", keywords=("доставка за границу",))))
    assert [(p.node_id, p.code) for p in found] == [("abroad", "shadowed_trigger"),
                                                    ("abroad", "unreachable")]
    assert "selects 'any' first" in found[0].message


def test_code_that_is_a_navigation_word_is_named() -> None:
    sub = Node(id="sub", answer="Подменю", triggers=Triggers(codes=["1"]),
               children=[_leaf("zero", "0"), _leaf("ok", "1")])
    flow = _flow(sub)
    assert _codes(flow) == [("zero", "navigation_word"), ("zero", "unreachable")]
    assert reachable(flow) == {"root", "sub", "ok"} == _explore(flow)
    # at the root only the first message (matched before navigation) could select it
    root_level = _flow(_leaf("zero", "0"))
    assert _codes(root_level) == [("zero", "navigation_word")]
    assert reachable(root_level) == {"root", "zero"} == _explore(root_level)


@pytest.mark.parametrize(("action", "code"), [
    (AskAction(field="f", pattern="", reask_text="?"), "ask_without_pattern"),
    (AskAction(field="f", pattern="(", reask_text="?"), "bad_pattern"),
    (AskAction(field="f", pattern=r"\d+", reask_text="?", then="ghost"), "unknown_then"),
    (AskAction(field="f", pattern=r"\d+", reask_text="?", max_tries=0), "bad_max_tries"),
    (AskAction(field=" ", pattern=r"\d+", reask_text="?"), "ask_without_field"),
    (LookupStatusAction(reask_text="?", not_found_text="-", pattern="[a"), "bad_pattern"),
    (HandOverAction(group_id="ghosts"), "unknown_group"),
    (SetStatusAction(status="Нет такого"), "unknown_status"),
])
def test_action_problems_are_named(action: object, code: str) -> None:
    flow = _flow(_leaf("a", "1", action=action))
    found = problems(flow, known_groups={"sales"}, known_statuses={"Открыта"})
    assert [(p.node_id, p.code) for p in found] == [("a", code)]


def test_groups_and_statuses_are_not_checked_when_unknown() -> None:
    flow = _flow(_leaf("a", "1", action=HandOverAction(group_id="x")),
                 _leaf("b", "2", action=SetStatusAction(status="y")))
    assert problems(flow) == []
    assert problems(flow, known_groups={"x"}, known_statuses={"y"}) == []


def test_children_under_a_hand_over_close_or_question_are_dead() -> None:
    for action in (HandOverAction(), CloseAction(),
                   AskAction(field="f", pattern=".+", reask_text="?")):
        node = Node(id="end", answer="Всё", triggers=Triggers(codes=["1"]), action=action,
                    children=[_leaf("after", "1")])
        assert _codes(_flow(node)) == [("end", "dead_children")]


def test_meta_limits_on_buttons_and_lists() -> None:
    four = [Node(id=f"b{i}", title=f"Кнопка {i}") for i in range(4)]
    assert ("root", "too_many_buttons") in _codes(_flow(*four, offer="buttons"))
    long_title = Node(id="long", title="Очень длинное название кнопки")
    assert _codes(_flow(long_title, offer="buttons")) == [("long", "button_title_too_long")]
    eleven = [Node(id=f"r{i}", title=f"Строка {i}") for i in range(11)]
    assert ("root", "too_many_rows") in _codes(_flow(*eleven, offer="list"))
    row = Node(id="row", title="Название строки списка длиннее")
    assert _codes(_flow(row, offer="list")) == [("row", "row_title_too_long")]


def test_a_code_that_takes_another_buttons_number_is_named() -> None:
    flow = _flow(Node(id="a", title="Доставка"), Node(id="b", title="Оплата",
                                                      triggers=Triggers(codes=["1"])),
                 offer="buttons")
    found = problems(flow)
    assert [(p.node_id, p.code) for p in found] == [("a", "number_taken")]
    assert "Typing 1 selects 'b'" in found[0].message


def test_empty_greeting_is_named() -> None:
    flow = FlowSet(root=Node(id="root", answer="  ", children=[_leaf("a", "1")]))
    assert _codes(flow) == [("root", "empty_greeting")]


def test_a_calendar_that_no_longer_validates_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # a calendar validates when built; a stored one can stop (a time zone or a holidays
    # country the installed data no longer knows), and such a flow must not be published
    monkeypatch.setattr(flow_check, "validation_error",
                        lambda cal: "unknown time zone 'Europe/Kyiv'")
    found = problems(_flow(_leaf("a", "1"), hours=BusinessCalendar()))
    assert [(p.node_id, p.code) for p in found] == [("", "bad_calendar")]
    assert "Europe/Kyiv" in found[0].message


def test_closed_only_node_without_business_hours_is_unreachable() -> None:
    found = problems(_flow(_leaf("a", "1"), _leaf("night", "2", hours="closed")))
    assert [(p.node_id, p.code) for p in found] == [("night", "unreachable")]
    assert "only while closed" in found[0].message


# --- every node of a flow without problems is reachable, and the engine gets there ------

def _offered_messages(flow: FlowSet, steps: list[Step]) -> list[Incoming]:
    """What a customer could send next: every trigger's text, numbers, navigation words,
    answers to questions, and taps on the buttons they were shown."""
    texts = {"1234", "123456", "42", "x", *flow.navigation.back, *flow.navigation.main}
    texts.update(str(n) for n in range(1, 11))
    payloads = {c.id for s in steps for r in s.replies for c in r.choices}
    stack = list(flow.root.children)  # the root's own triggers are never matched
    while stack:
        node = stack.pop()
        texts.update(node.triggers.codes)
        texts.update(node.triggers.keywords)
        payloads.update(node.triggers.payloads)  # an admin's own, e.g. a template's button
        stack.extend(node.children)
    return ([Incoming(text=t) for t in sorted(texts)]
            + [Incoming(kind="choice", payload=p) for p in sorted(payloads)])


def _explore(flow: FlowSet) -> set[str]:
    """Node ids the engine selects or enters in any dialogue built from offered messages
    (explored again while new buttons turn up, since a tap needs the button shown first)."""
    nows: tuple[datetime, ...] = (OPEN_AT, CLOSED_AT) if flow.hours else (OPEN_AT,)
    firsts = [start(flow, m, now) for now in nows
              for m in [*_offered_messages(flow, []), Incoming(text="привет")]]
    shown = list(firsts)
    reached = {flow.root.id} | {i for s in firsts for i in (s.node_id, s.state.node_id) if i}
    taps = -1
    while taps != len(messages := _offered_messages(flow, shown)):
        taps = len(messages)
        queue: deque[FlowState] = deque(s.state for s in firsts)
        seen_states: set[FlowState] = set()
        while queue:
            state = queue.popleft()
            if state in seen_states:
                continue
            seen_states.add(state)
            for message in messages:
                for now in nows:
                    result = step(flow, state, message, now)
                    reached.update(i for i in (result.node_id, result.state.node_id) if i)
                    if any(r.choices for r in result.replies):
                        shown.append(result)
                    queue.append(result.state)
    return reached


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sound_flows())
def test_every_node_of_a_flow_without_problems_is_reachable_by_the_engine(
        flow: FlowSet) -> None:
    if problems(flow):
        return  # the strategy mostly builds sound flows; the others are the next test's
    ids = set(all_ids(flow))
    assert reachable(flow) == ids
    assert _explore(flow) == ids


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_flows(max_depth=2))
def test_reachable_is_what_the_engine_reaches_in_any_flow(flow: FlowSet) -> None:
    if len(set(all_ids(flow))) != len(all_ids(flow)):
        return
    assert _explore(flow) == reachable(flow)
    if not problems(flow):
        assert reachable(flow) == set(all_ids(flow))


def test_the_exploration_would_notice_an_unreachable_node() -> None:
    flow = _flow(_leaf("a", "1"), _leaf("lost"))
    assert _explore(flow) == {"root", "a"}
