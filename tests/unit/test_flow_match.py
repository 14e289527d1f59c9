"""Which sibling a customer's message selects: normalising, codes, keywords, typos, numbers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.flow_match import has_keyword, match, match_text, normalise
from shared.domain.flows import Node, Triggers
from tests.unit.flow_samples import big_flow, shop_flow


def _node(node_id: str, *codes: str, keywords: tuple[str, ...] = (), title: str = "",
          payloads: tuple[str, ...] = ()) -> Node:
    return Node(id=node_id, title=title, triggers=Triggers(
        codes=list(codes), keywords=list(keywords), payloads=list(payloads)))


MENU = [
    _node("delivery", "1", keywords=("доставка", "привезти")),
    _node("payment", "2", keywords=("оплата",)),
    _node("return", "3", keywords=("вернуть товар",)),
    _node("yes", "4", keywords=("да",)),
]


@pytest.mark.parametrize(("text", "expected"), [
    ("  Доставка!! ", "доставка"),
    ("ЁЛКА", "елка"),
    ("1.", "1"),
    ("«меню»", "меню"),
    ("много   пробелов\tи\nстрок", "много пробелов и строк"),
    ("#", "#"),
    (" ?! ", "?!"),
    ("дoставка", "доставка"),  # a Latin "o" inside a Cyrillic word
    ("wifi", "wifi"),  # a Latin word stays Latin
    ("", ""),
])
def test_normalise_folds_case_yo_look_alikes_spaces_and_edge_punctuation(
        text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_code_selects_only_as_the_whole_message() -> None:
    assert match_text(MENU, " 2. ") is MENU[1]
    assert match_text(MENU, "хочу 2 штуки") is None


def test_keyword_selects_as_a_whole_word_anywhere() -> None:
    assert match_text(MENU, "Подскажите, как оплата проходит?") is MENU[1]
    assert match_text(MENU, "предоплата") is None


def test_keyword_phrase_selects_as_consecutive_words() -> None:
    assert match_text(MENU, "Хочу вернуть товар, он сломан") is MENU[2]
    assert match_text(MENU, "вернуть этот товар") is None


def test_keyword_tolerates_one_typo_in_a_long_word() -> None:
    assert match_text(MENU, "где моя дастaвка?") is MENU[0]  # о→а, and a Latin "a"
    assert match_text(MENU, "доствака") is MENU[0]  # two letters swapped
    assert match_text(MENU, "оплатаа") is MENU[1]  # a stray letter


def test_two_typos_or_a_typo_in_a_short_word_do_not_match() -> None:
    assert match_text(MENU, "дастафка") is None
    assert match_text(MENU, "до") is None  # "да" is 2 letters: another word, not a typo


def test_yo_and_ye_are_the_same_letter() -> None:
    nodes = [_node("courier", keywords=("курьёр",))]
    assert match_text(nodes, "нужен курьер") is nodes[0]
    nodes = [_node("honey", keywords=("мед",))]
    assert match_text(nodes, "Мёд есть?") is nodes[0]


def test_codes_beat_keywords_and_exact_beats_typo() -> None:
    nodes = [_node("word", keywords=("2",)), _node("code", "2")]
    assert match_text(nodes, "2") is nodes[1]
    typo_first = [_node("payment", keywords=("оплата",)), _node("payments", keywords=("оплаты",))]
    assert match_text(typo_first, "оплаты") is typo_first[1]


def test_first_sibling_wins_among_equals() -> None:
    nodes = [_node("a", keywords=("доставка",)), _node("b", keywords=("оплата",))]
    assert match_text(nodes, "доставка и оплата") is nodes[0]


def test_numbers_select_offered_children_only_when_numbered() -> None:
    nodes = [_node("delivery", title="Доставка"), _node("payment", title="Оплата")]
    assert match_text(nodes, "2", numbered=True) is nodes[1]
    assert match_text(nodes, "3", numbered=True) is None
    assert match_text(nodes, "2") is None
    assert match_text(nodes, "оплата", numbered=True) is nodes[1]  # the button's title typed


def test_payload_selects_by_node_id_or_extra_payload_before_text() -> None:
    nodes = [_node("delivery", "1"), _node("payment", "2", payloads=("PAY",))]
    assert match(nodes, "1", "payment") is nodes[1]
    assert match(nodes, "", "PAY") is nodes[1]
    assert match(nodes, "1", "stale") is nodes[0]  # an unknown payload: the text decides
    assert match(nodes, "", "2") is nodes[1]  # an older button carried the code


def test_sign_keyword_matches_the_whole_message_only() -> None:
    nodes = [_node("help", keywords=("?",))]
    assert match_text(nodes, "?") is nodes[0]
    assert match_text(nodes, "а?") is None


def test_has_keyword_counts_typos_for_the_whole_phrase() -> None:
    assert has_keyword("хочу вернуть товар", "вернуть товар")
    assert has_keyword("хочу вирнуть товар", "вернуть товар", typos=1)
    assert not has_keyword("хочу вирнуть товор", "вернуть товар", typos=1)


@settings(deadline=None)
@given(st.text(), st.one_of(st.none(), st.text()), st.booleans())
def test_matching_never_raises_on_any_text(text: str, payload: str | None,
                                           numbered: bool) -> None:
    flow = shop_flow()
    for menu in (flow.root, flow.root.children[0]):
        found = match(menu.children, text, payload, numbered=numbered)
        assert found is None or found in menu.children
    normalise(text)


@settings(deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_matching_a_big_menu_never_raises(text: str) -> None:
    siblings = big_flow().root.children
    found = match_text(siblings, text, numbered=True)
    assert found is None or found in siblings
