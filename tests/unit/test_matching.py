"""Which scenario a customer's text asks for."""

from __future__ import annotations

import pytest

from services.bot_router.matching import match_scenario, normalise
from shared.domain.scenarios import Scenario

HOURS = Scenario(id="hours", codes=["1"], keywords=["schedule"], answer="9-18")
ADDRESS = Scenario(id="address", codes=["2"], keywords=["address", "где вы"], answer="Lenina 1")
MANAGER = Scenario(id="manager", codes=["4"], keywords=["manager"], answer="Connecting")
ALL = [HOURS, ADDRESS, MANAGER]


def matched(text: str, scenarios: list[Scenario] = ALL) -> str | None:
    found = match_scenario(text, scenarios)
    return found.id if found else None


@pytest.mark.parametrize("text", ["1", "1.", " 1 ", "1!", "(1)", "\t1\n", "«1»"])
def test_code_with_surrounding_punctuation_or_spaces_matches(text: str) -> None:
    assert matched(text) == "hours"


@pytest.mark.parametrize("text", ["11", "1 2", "10", "code 1", "1a"])
def test_code_must_be_the_whole_message(text: str) -> None:
    assert matched(text) is None


def test_each_code_selects_its_own_scenario() -> None:
    assert [matched(code) for code in ("1", "2", "4")] == ["hours", "address", "manager"]


@pytest.mark.parametrize("text", ["What is your ADDRESS?", "address", "Address, please",
                                  "my address: unknown"])
def test_keyword_matches_as_whole_word_in_any_case(text: str) -> None:
    assert matched(text) == "address"


@pytest.mark.parametrize("text", ["addresses", "readdress", "address2", "my_address"])
def test_keyword_inside_a_longer_word_does_not_match(text: str) -> None:
    assert matched(text) is None


def test_cyrillic_keyword_phrase_matches_in_any_case() -> None:
    assert matched("Подскажите, ГДЕ ВЫ находитесь?") == "address"


def test_code_wins_over_an_earlier_scenarios_keyword() -> None:
    by_keyword = Scenario(id="kw", keywords=["2"], answer="keyword")
    assert matched("2", [by_keyword, ADDRESS]) == "address"


def test_first_scenario_in_admin_order_wins_among_keywords() -> None:
    text = "manager, what is your schedule?"
    assert matched(text) == "hours"
    assert matched(text, [MANAGER, HOURS]) == "manager"


@pytest.mark.parametrize("text", ["", "   ", "...", "hello there"])
def test_text_without_code_or_keyword_matches_nothing(text: str) -> None:
    assert matched(text) is None


def test_normalise_folds_case_and_strips_edge_punctuation_only() -> None:
    assert normalise("  «Hello, World!»  ") == "hello, world"


def test_normalise_composes_unicode_so_both_spellings_match() -> None:
    decomposed = "e\u0301"  # "é" as e + combining accent
    cafe = Scenario(id="cafe", keywords=["caf\u00e9"], answer="Open")
    assert matched(f"caf{decomposed}?", [cafe]) == "cafe"
