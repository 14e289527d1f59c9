"""The role rules as pure functions (shared/domain/access.py) and the sign-in throttle's arithmetic
(shared/domain/accounts.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared import events
from shared.domain import access
from shared.domain.accounts import retry_after
from shared.domain.directory import User
from shared.domain.tasks import Task

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = access.Viewer(user_id="a", role="admin")
SUPERVISOR = access.Viewer(user_id="s", role="supervisor", group_ids=frozenset({"cc"}),
                           group_member_ids=frozenset({"s", "m1", "m2"}))
M1 = access.Viewer(user_id="m1", role="manager", group_ids=frozenset({"cc"}))
SALES = access.Viewer(user_id="m3", role="manager", group_ids=frozenset({"sales"}))


def task(user: str | None = None, group: str | None = None, status: str = "open") -> Task:
    chat = events.ChatRef(provider="wazzup", channel_id="c", chat_type="whatsapp", chat_id="7")
    return Task(id="t", title="t", category="c", status=status, chat=chat, conversation_id="v",
                created_at=AT, updated_at=AT, assignee_user_id=user, assignee_group_id=group)


@pytest.mark.parametrize("viewer,the_task,sees", [
    (ADMIN, task("m3", "sales"), True),
    (SUPERVISOR, task(None, "cc"), True),
    (SUPERVISOR, task("m2"), True),  # a member's task routed to no group
    (SUPERVISOR, task("m3", "cc"), True),  # routed to their group, taken by an outsider
    (SUPERVISOR, task(), True),  # the bot's dialogue, nobody's yet
    (SUPERVISOR, task("m3", "sales"), False),
    (SUPERVISOR, task(None, "sales"), False),
    (M1, task("m1", "sales"), True),
    (M1, task(None, "cc"), True),
    (M1, task("m2", "cc"), False),  # a colleague's task
    (M1, task(), False),
    (SALES, task(None, "cc"), False),
])
def test_who_sees_which_task(viewer: access.Viewer, the_task: Task, sees: bool) -> None:
    assert access.can_see(viewer, the_task) is sees


def test_managers_post_only_into_their_own_tasks_supervisors_into_what_they_see() -> None:
    assert access.can_post(M1, task("m1", "cc"))
    assert not access.can_post(M1, task(None, "cc"))
    assert access.can_post(SUPERVISOR, task("m2", "cc"))
    assert not access.can_post(SUPERVISOR, task("m3", "sales"))
    assert access.can_post(ADMIN, task("m3", "sales"))


def test_claiming_takes_only_unassigned_tasks_of_ones_queue() -> None:
    assert access.can_claim(M1, task(None, "cc"))
    assert not access.can_claim(M1, task(None, "sales"))
    assert not access.can_claim(M1, task())
    assert not access.can_claim(M1, task("m2", "cc"))
    assert access.can_claim(SUPERVISOR, task())
    assert not access.can_claim(SUPERVISOR, task("m2", "cc"))


def test_supervisors_assign_within_their_groups_admins_anywhere() -> None:
    member = User(id="m2", full_name="M2", group_ids=["cc"])
    outsider = User(id="m3", full_name="M3", group_ids=["sales"])
    assert access.can_assign_to(SUPERVISOR, task(None, "cc"), user=member)
    assert not access.can_assign_to(SUPERVISOR, task(None, "cc"), user=outsider)
    assert access.can_assign_to(SUPERVISOR, task(None, "cc"), group_id="cc")
    assert not access.can_assign_to(SUPERVISOR, task(None, "cc"), group_id="sales")
    assert not access.can_assign_to(M1, task("m1", "cc"), user=member)
    assert access.can_assign_to(ADMIN, task("m3", "sales"), user=member)


def test_managers_start_dialogues_for_themselves_only() -> None:
    me = User(id="m1", full_name="M1", group_ids=["cc"])
    colleague = User(id="m2", full_name="M2", group_ids=["cc"])
    assert access.can_start_for(M1, me) and not access.can_start_for(M1, colleague)
    assert access.can_start_for(SUPERVISOR, colleague)
    assert not access.can_start_for(SUPERVISOR, User(id="m3", full_name="M3",
                                                      group_ids=["sales"]))


def test_the_card_offers_reopen_only_on_a_closed_task() -> None:
    assert access.permissions(M1, task("m1", "cc"), "closed") == {
        "post": True, "claim": False, "assign": False, "close": True, "reopen": False}
    assert access.permissions(M1, task("m1", "cc", "closed"), "closed") == {
        "post": False, "claim": False, "assign": False, "close": False, "reopen": True}


def test_directory_edits_are_for_admins_and_supervisors_administration_for_admins() -> None:
    assert access.can_edit_directory(SUPERVISOR) and not access.can_edit_directory(M1)
    assert access.can_administer(ADMIN) and not access.can_administer(SUPERVISOR)


def test_is_admin_follows_the_role_and_upgrades_older_users() -> None:
    assert User(id="u", full_name="U", is_admin=True).role == "admin"
    assert User(id="u", full_name="U", role="admin").is_admin is True
    assert User(id="u", full_name="U", role="supervisor").is_admin is False
    assert access.viewer_of(User(id="u", full_name="U", role="manager"),
                            frozenset({"x"})).group_member_ids == frozenset()


def test_attempts_are_refused_until_the_oldest_failures_leave_the_window() -> None:
    window = timedelta(minutes=10)
    failures = [AT + timedelta(minutes=n) for n in range(5)]
    assert retry_after(failures[:4], 5, AT + timedelta(minutes=5), window) is None
    assert retry_after(failures, 5, AT + timedelta(minutes=5), window) == 300
    assert retry_after(failures, 5, AT + timedelta(minutes=10, seconds=1), window) is None
