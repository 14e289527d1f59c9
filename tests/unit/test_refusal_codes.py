"""Refusals carry their own machine codes (403 with the English reason kept): task actions,
admin-only routes, directory edits, reports, availability and group policies. The console words
them by code, so these are the contract (CONSOLE_API.md, "Roles")."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from shared.domain import access
from tests.unit.console_world import Console, open_console, seed


@pytest.fixture
async def console(db: Any, mongo_url: str) -> AsyncIterator[Console]:
    await seed(db)
    async with open_console(db, mongo_url) as opened:
        yield opened


async def refusal(console: Console, method: str, path: str, who: str,
                  body: Any = None) -> tuple[int, str]:
    status, answer = await console.call(method, path, who, json=body)
    return status, answer.get("error", "") if isinstance(answer, dict) else ""


async def test_assigning_refusals_say_which_rule_refused(console: Console) -> None:
    assert await refusal(console, "POST", "/api/v1/tasks/t-ivanova/assign", "ivanova",
                         {"user_id": "usr-petrov"}) == (403, "not_group_supervisor")
    assert await refusal(console, "POST", "/api/v1/tasks/t-bot/assign", "supervisor",
                         {"user_id": "usr-smirnov"}) == (403, "outside_own_groups")
    assert await refusal(console, "POST", "/api/v1/tasks/t-bot/assign", "supervisor",
                         {"group_id": "grp-sales"}) == (403, "outside_own_groups")


async def test_claiming_outside_ones_groups_is_refused_as_not_in_group(
    console: Console, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a manager sees only their groups' queue, so the rule is met only if it and the view part
    monkeypatch.setattr(access, "can_claim", lambda viewer, task: False)
    assert await refusal(console, "POST", "/api/v1/tasks/t-queue-cc/claim",
                         "petrov") == (403, "not_in_group")


async def test_writing_and_status_refusals_have_their_own_codes(console: Console) -> None:
    assert await refusal(console, "POST", "/api/v1/tasks/t-queue-cc/comments", "petrov",
                         {"text": "Добрый день"}) == (403, "post_not_allowed")
    assert await refusal(console, "PATCH", "/api/v1/tasks/t-queue-cc", "ivanova",
                         {"status": "Закрыта"}) == (403, "status_not_allowed")


async def test_starting_a_dialogue_for_someone_else_is_refused_as_start_for_other(
    console: Console,
) -> None:
    assert await refusal(console, "POST", "/api/v1/conversations", "ivanova", {
        "channel_id": "ch-1", "phone": "79990001122", "text": "Здравствуйте",
        "assignee_user_id": "usr-petrov"}) == (403, "start_for_other")


async def test_admin_only_routes_are_refused_as_admin_only(console: Console) -> None:
    # checked in the HTTP layer (auth.py) and in the application (access.ensure_admin) alike
    assert await refusal(console, "POST", "/api/v1/users", "supervisor", {
        "full_name": "New", "login": "new-one", "group_ids": ["grp-cc"]}) == (403, "admin_only")
    assert await refusal(console, "GET", "/api/v1/problems", "supervisor") == (403, "admin_only")
    assert await refusal(console, "GET", "/api/v1/flows", "petrov") == (403, "admin_only")


async def test_a_manager_editing_the_directory_is_refused_as_directory_edit_not_allowed(
    console: Console,
) -> None:
    assert await refusal(console, "POST", "/api/v1/contacts", "petrov", {
        "name": "Клиент", "phones": ["79990001133"]}) == (403, "directory_edit_not_allowed")
    assert await refusal(console, "POST", "/api/v1/groups", "petrov",
                         {"name": "Ещё одна"}) == (403, "directory_edit_not_allowed")


async def test_reports_refused_to_a_manager_say_reports_not_allowed(console: Console) -> None:
    assert await refusal(console, "GET", "/api/v1/reports", "petrov") == (
        403, "reports_not_allowed")


async def test_availability_and_group_policy_refusals_have_their_own_codes(
    console: Console,
) -> None:
    # a supervisor of the contact centre, about a salesman and the sales group's rules
    assert await refusal(console, "PUT", "/api/v1/users/usr-smirnov/availability", "supervisor",
                         {"availability": "away"}) == (403, "availability_not_allowed")
    assert await refusal(console, "PUT", "/api/v1/groups/grp-sales/policy", "supervisor",
                         {"mode": "claim"}) == (403, "policy_not_allowed")
    assert await refusal(console, "GET", "/api/v1/groups/grp-cc/policy", "smirnov") == (
        403, "policy_not_allowed")
