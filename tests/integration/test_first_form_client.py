"""The First Form client's authentication and pace against the sandbox's First Form: a personal
access token instead of a login, backoff without ``Retry-After``, and the request rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.sandbox.first_form_world import PAT, Failure
from shared.errors import RetryableError
from shared.first_form import requests
from shared.first_form.client import BACKOFF_CAP_S, backoff, limiter
from tests.first_form_setup import FirstFormRig, comment, first_form_rig, task


@pytest.fixture
async def pat_rig(db: Any) -> AsyncIterator[FirstFormRig]:
    async with first_form_rig(db, FIRST_FORM_PAT=PAT) as made:
        yield made


async def test_with_a_personal_token_every_call_carries_it_and_nobody_logs_in(
    pat_rig: FirstFormRig,
) -> None:
    await pat_rig.system.create_task(task())
    await pat_rig.system.add_comment(comment("c1"))
    assert len(pat_rig.ff_comments()) == 1
    assert pat_rig.world.authorized_by.get("pat", 0) >= 4
    assert pat_rig.world.authorized_by.get("token", 0) == 0
    assert (pat_rig.world.logins, pat_rig.client.logins) == (0, 0)
    assert await pat_rig.requests("/token-v2") == []


async def test_a_401_with_a_personal_token_is_unauthorized_at_once_without_a_login(
    pat_rig: FirstFormRig,
) -> None:
    pat_rig.world.failures.append(Failure(count=5, status=401, path="/subcategory/"))
    with pytest.raises(RetryableError) as refused:
        await pat_rig.system.create_task(task())
    assert refused.value.code == "FIRST_FORM_UNAUTHORIZED"
    assert len(await pat_rig.requests("/subcategory/")) == 1  # asked once, not again
    assert await pat_rig.requests("/token-v2") == [] and pat_rig.world.logins == 0


def test_backoff_without_retry_after_doubles_from_half_a_second_up_to_the_cap() -> None:
    assert [backoff(n, None) for n in range(4)] == [0.5, 1.0, 2.0, 4.0]
    assert backoff(20, None) == BACKOFF_CAP_S
    assert backoff(0, 7.0) == 7.0 and backoff(3, 0.0) == 0.0
    assert backoff(0, 3600.0) == BACKOFF_CAP_S


async def test_a_429_without_retry_after_backs_off_exponentially_and_goes_through(
    db: Any,
) -> None:
    async with first_form_rig(db) as rig:
        rig.world.failures.append(Failure(count=2, status=429, path="/subcategory/"))
        await rig.system.create_task(task())
        assert rig.sleeps.taken == [0.5, 1.0] and len(rig.ff_tasks()) == 1


async def test_the_client_holds_its_request_rate(db: Any) -> None:
    async with first_form_rig(db, FIRST_FORM_REQUESTS_PER_SECOND="20") as rig:
        started = time.monotonic()
        await asyncio.gather(*(rig.client.call(requests.states(1001)) for _ in range(50)))
        elapsed = time.monotonic() - started
    # a second's worth (20) at once, the other 30 at 20 a second: at least 1.5 s
    assert 1.4 <= elapsed < 8, elapsed


async def test_a_rate_below_one_a_second_spaces_the_requests() -> None:
    slow = limiter(0.5)
    started = time.monotonic()
    for _ in range(2):
        await slow.acquire()
    assert time.monotonic() - started >= 1.9
