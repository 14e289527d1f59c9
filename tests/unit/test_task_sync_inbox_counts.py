"""The inbox's badges against fakes: each list's count stops at the cap, which the answer
names, so the console shows "999+" instead of waiting for an exact figure."""

from __future__ import annotations

import pytest

from services.task_sync.application import inbox as use_cases
from shared.domain.access import Viewer
from tests.fakes.task_sync import FakeTaskSync, a_chat, a_task

ADMIN = Viewer(user_id="u-ad", role="admin")
MANAGER = Viewer(user_id="u-iv", role="manager", group_ids=frozenset({"g-cc"}))


async def test_counts_name_the_cap_and_a_long_list_stops_at_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(use_cases, "COUNT_CAP", 3)
    ts = FakeTaskSync()
    for i in range(5):
        await ts.tasks.create_task(a_task(f"t{i}", chat=a_chat(chat_id=f"7901000000{i}"),
                                          assignee_user_id="u-iv"))
    await ts.tasks.create_task(a_task("q1", chat=a_chat(chat_id="79019999999"),
                                      assignee_group_id="g-cc"))

    mine = await use_cases.counts(ts.deps, MANAGER)
    assert (mine["mine"], mine["queue"], mine["all"], mine["cap"]) == (3, 1, None, 3)
    every = await use_cases.counts(ts.deps, ADMIN)
    assert (every["all"], every["closed"]) == (3, 0)
