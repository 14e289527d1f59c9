"""The scenario set on MongoDB (or the stand-in): versions, atomic replacement, seeding and
validation."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import pytest

from shared.domain.scenarios import Scenario, ScenarioSet
from shared.store import scenarios

HOURS = Scenario(id="hours", codes=["1"], answer="We work 9-18.")
ADDRESS = Scenario(id="address", codes=["2"], keywords=["address"], answer="Lenina 1.",
                   action="hand_over")


async def test_empty_store_is_version_0_without_scenarios(db: Any) -> None:
    assert await scenarios.load(db) == ScenarioSet(version=0, items=[])


async def test_replace_stores_the_set_with_the_next_version(db: Any) -> None:
    first = await scenarios.replace(db, [HOURS])
    second = await scenarios.replace(db, [HOURS, ADDRESS])

    assert (first.version, second.version) == (1, 2)
    assert await scenarios.load(db) == ScenarioSet(version=2, items=[HOURS, ADDRESS])


async def test_concurrent_replacements_each_get_their_own_version(db: Any) -> None:
    sets = [[Scenario(id=f"s{n}", codes=[str(n)], answer=f"answer {n}")] for n in range(8)]
    results = await asyncio.gather(*(scenarios.replace(db, items) for items in sets))

    assert sorted(r.version for r in results) == list(range(1, 9))
    stored = await scenarios.load(db)
    last = next(r for r in results if r.version == 8)
    assert stored == last


async def test_seed_if_empty_seeds_an_empty_store_as_version_1(db: Any) -> None:
    assert await scenarios.seed_if_empty(db, [HOURS]) is True
    assert await scenarios.load(db) == ScenarioSet(version=1, items=[HOURS])


async def test_seed_if_empty_seeds_only_once(db: Any) -> None:
    await scenarios.seed_if_empty(db, [HOURS])
    assert await scenarios.seed_if_empty(db, [ADDRESS]) is False
    assert await scenarios.load(db) == ScenarioSet(version=1, items=[HOURS])


async def test_seed_if_empty_keeps_an_admins_replacement(db: Any) -> None:
    await scenarios.replace(db, [ADDRESS])
    assert await scenarios.seed_if_empty(db, [HOURS]) is False
    assert await scenarios.load(db) == ScenarioSet(version=1, items=[ADDRESS])


async def test_replace_with_duplicate_ids_is_refused_and_keeps_the_stored_set(db: Any) -> None:
    await scenarios.replace(db, [HOURS])
    twin = Scenario(id="hours", codes=["9"], answer="other")
    with pytest.raises(ValueError, match="unique"):
        await scenarios.replace(db, [HOURS, twin])
    assert await scenarios.load(db) == ScenarioSet(version=1, items=[HOURS])


def test_scenario_without_codes_or_keywords_is_refused() -> None:
    with pytest.raises(ValueError, match="code or keyword"):
        Scenario(id="x", answer="text")


@pytest.mark.parametrize("answer", ["", "   \n"])
def test_scenario_with_empty_answer_is_refused(answer: str) -> None:
    with pytest.raises(ValueError, match="answer"):
        Scenario(id="x", codes=["1"], answer=answer)


def test_scenario_set_with_duplicate_ids_is_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        ScenarioSet(version=1, items=[HOURS, HOURS])


def test_invalid_scenario_from_outside_fails_validation() -> None:
    with pytest.raises(msgspec.ValidationError, match="code or keyword"):
        msgspec.convert({"id": "x", "answer": "text"}, Scenario)
