"""Each kind of task seen by each role (the full role matrix of every route is in
test_role_matrix.py), task actions, sign-in (cookie, CSRF, throttle, sign-out), and the admin
routes: a real aiohttp app over a real database (MongoDB or the stand-in), callers by API token
or by console session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from services.task_sync.application.passwords import password_matches
from services.task_sync.seed import load_demo_if_empty
from shared import events
from shared.domain.tasks import Task
from shared.store import accounts, directory, tasks
from tests.unit.console_world import TASKS, Console, make_task, open_console, seed

VISIBLE = {
    "admin": set(TASKS),
    "supervisor": {"t-ivanova", "t-queue-cc", "t-bot"},
    "ivanova": {"t-ivanova", "t-queue-cc"},
    "petrov": {"t-queue-cc"},
    "smirnov": {"t-smirnov", "t-queue-sales"},
}
MAY_POST = {
    "admin": set(TASKS),
    "supervisor": {"t-ivanova", "t-queue-cc", "t-bot"},
    "ivanova": {"t-ivanova"},
    "petrov": set(),
    "smirnov": {"t-smirnov"},
}


@pytest.fixture
async def console(db: Any, mongo_url: str) -> AsyncIterator[Console]:
    await seed(db)
    async with open_console(db, mongo_url) as opened:
        yield opened


# ---- visibility: 404 through every route ----------------------------------------------------

READ_ROUTES = [
    ("GET", "/api/v1/tasks/{t}"),
    ("GET", "/api/v1/tasks/{t}/comments"),
    ("GET", "/api/v1/comments/c-{t}/revisions"),
    ("GET", "/api/v1/files/f-{t}"),
]
WRITE_ROUTES = [
    ("PATCH", "/api/v1/tasks/{t}", {"status": "Закрыта"}),
    ("POST", "/api/v1/tasks/{t}/comments", {"text": "Добрый день"}),
    ("POST", "/api/v1/tasks/{t}/comments/c-{t}/resend", None),
    ("POST", "/api/v1/tasks/{t}/claim", None),
    ("POST", "/api/v1/tasks/{t}/assign", {"group_id": "grp-cc"}),
    ("POST", "/api/v1/tasks/{t}/reopen", None),
]


@pytest.mark.parametrize("who", sorted(VISIBLE))
async def test_each_role_reads_exactly_the_tasks_it_may_see(console: Console, who: str) -> None:
    for task_id in TASKS:
        for method, path in READ_ROUTES:
            status, _ = await console.call(method, path.format(t=task_id), who)
            assert status == (200 if task_id in VISIBLE[who] else 404), (who, path, task_id)
    status, body = await console.call("GET", "/api/v1/tasks", who)
    assert status == 200 and {t["id"] for t in body["items"]} == VISIBLE[who]


@pytest.mark.parametrize("who", sorted(VISIBLE))
async def test_invisible_tasks_answer_404_on_every_write_route(console: Console,
                                                               who: str) -> None:
    for task_id in set(TASKS) - VISIBLE[who]:
        for method, path, body in WRITE_ROUTES:
            status, answer = await console.call(method, path.format(t=task_id), who, json=body)
            assert status == 404, (who, path, task_id, answer)
    assert console.bus.published == []
    unchanged = await tasks.get(console.db, "t-smirnov")
    assert unchanged is not None and unchanged.status == "Диалог с менеджером"


@pytest.mark.parametrize("who", sorted(VISIBLE))
async def test_only_assignee_supervisor_or_admin_posts_into_amake_task(console: Console,
                                                                   who: str) -> None:
    for task_id in VISIBLE[who]:
        status, body = await console.call("POST", f"/api/v1/tasks/{task_id}/comments", who,
                                          json={"text": "Добрый день"})
        if task_id in MAY_POST[who]:
            assert status == 201, (who, task_id, body)
        else:
            assert (status, body["error"]) == (403, "post_not_allowed"), (who, task_id)
    sent_to = {m.task_id for m in console.bus.published if isinstance(m, events.SendMessage)}
    assert sent_to == MAY_POST[who]


async def test_task_card_lists_the_viewers_permissions(console: Console) -> None:
    _, card = await console.call("GET", "/api/v1/tasks/t-queue-cc", "petrov")
    assert card["permissions"] == {"post": False, "claim": True, "assign": False,
                                   "close": False, "reopen": False}
    assert card["group"] == {"id": "grp-cc", "name": "Контакт-центр"}
    assert card["window"]["applies"] is False and card["assignee"] is None
    _, card = await console.call("GET", "/api/v1/tasks/t-ivanova", "supervisor")
    assert card["permissions"]["assign"] is True and card["permissions"]["post"] is True
    assert card["assignee"] == {"id": "usr-ivanova", "full_name": "Ivanova"}


# ---- task actions ---------------------------------------------------------------------------


async def test_manager_claims_from_the_queue_then_the_task_leaves_the_others(
        console: Console) -> None:
    status, body = await console.call("POST", "/api/v1/tasks/t-queue-cc/claim", "petrov")
    assert status == 200 and body["assignee_user_id"] == "usr-petrov"
    assert (await console.call("GET", "/api/v1/tasks/t-queue-cc", "ivanova"))[0] == 404
    status, body = await console.call("POST", "/api/v1/tasks/t-queue-cc/claim", "supervisor")
    assert (status, body["error"]) == (409, "taken")
    _, entries = await console.call("GET", "/api/v1/audit?action=task.claim")
    assert [(e["actor_id"], e["target_id"], e["via"]) for e in entries["items"]] == [
        ("usr-petrov", "t-queue-cc", "token")]


async def test_supervisor_assigns_within_their_groups_only(console: Console) -> None:
    status, body = await console.call("POST", "/api/v1/tasks/t-queue-cc/assign", "supervisor",
                                      json={"user_id": "usr-petrov"})
    assert status == 200 and body["assignee_user_id"] == "usr-petrov"
    status, _ = await console.call("POST", "/api/v1/tasks/t-bot/assign", "supervisor",
                                   json={"user_id": "usr-smirnov"})
    assert status == 403
    status, _ = await console.call("POST", "/api/v1/tasks/t-bot/assign", "supervisor",
                                   json={"group_id": "grp-sales"})
    assert status == 403
    status, _ = await console.call("POST", "/api/v1/tasks/t-ivanova/assign", "ivanova",
                                   json={"user_id": "usr-petrov"})
    assert status == 403
    status, body = await console.call("POST", "/api/v1/tasks/t-bot/assign", "admin",
                                      json={"group_id": "grp-sales"})
    assert status == 200 and body["assignee_group_id"] == "grp-sales"
    assert "assignee_user_id" not in body
    status, _ = await console.call("POST", "/api/v1/tasks/t-bot/assign", "admin",
                                   json={"user_id": "usr-x", "group_id": "grp-cc"})
    assert status == 422


async def test_closed_task_is_reopened_and_bot_router_is_told(console: Console) -> None:
    status, body = await console.call("PATCH", "/api/v1/tasks/t-ivanova", "ivanova",
                                      json={"status": "Закрыта"})
    assert status == 200 and body["status"] == "Закрыта"
    status, body = await console.call("POST", "/api/v1/tasks/t-ivanova/reopen", "ivanova")
    assert status == 200 and body["status"] == "Диалог с менеджером"
    changes = [m for m in console.bus.published if isinstance(m, events.TaskStatusChanged)]
    assert [(m.status, m.state) for m in changes] == [("Закрыта", "closed"),
                                                     ("Диалог с менеджером", "manager")]
    status, body = await console.call("POST", "/api/v1/tasks/t-ivanova/reopen", "ivanova")
    assert (status, body["error"]) == (409, "not_closed")


async def test_reopen_is_refused_while_the_chat_has_another_openmake_task(
        console: Console) -> None:
    closed = make_task("t-old", "usr-ivanova", "grp-cc")
    await tasks.create(console.db, Task(**{**_as_dict(closed), "status": "Закрыта",
                                           "chat": (await _chat_of(console, "t-ivanova"))}))
    status, body = await console.call("POST", "/api/v1/tasks/t-old/reopen", "ivanova")
    assert (status, body["error"]) == (409, "conversation_open")
    assert "t-ivanova" in body["reason"]
    old = await tasks.get(console.db, "t-old")
    assert old is not None and old.status == "Закрыта"


def _as_dict(task: Task) -> dict[str, Any]:
    return {f: getattr(task, f) for f in task.__struct_fields__}


async def _chat_of(console: Console, task_id: str) -> events.ChatRef:
    task = await tasks.get(console.db, task_id)
    assert task is not None
    return task.chat


# ---- sign-in --------------------------------------------------------------------------------


async def test_signed_in_person_works_by_cookie_with_the_csrf_token(console: Console) -> None:
    status, body, headers = await console.login("ivanova")
    assert status == 200 and body["user"]["role"] == "manager"
    assert body["user"]["groups"] == [{"id": "grp-cc", "name": "Контакт-центр"}]
    cookie = headers["Set-Cookie"]
    assert "wabridge_session=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    csrf = body["csrf_token"]
    status, me = await console.call("GET", "/api/v1/me", who=None)
    assert status == 200 and me["login"] == "ivanova" and me["csrf_token"] == csrf
    path = "/api/v1/tasks/t-ivanova/comments"
    status, refused = await console.call("POST", path, who=None, json={"text": "Hi"})
    assert (status, refused["error"]) == (403, "csrf")
    status, _ = await console.call("POST", path, who=None, json={"text": "Hi"},
                                   headers={"X-CSRF-Token": "forged"})
    assert status == 403
    status, posted = await console.call("POST", path, who=None, json={"text": "Hi"},
                                        headers={"X-CSRF-Token": csrf})
    assert status == 201 and posted["author_name"] == "Ivanova"
    assert (await console.call("GET", "/api/v1/tasks/t-smirnov", who=None))[0] == 404
    stored = await console.db.sessions.find_one({})
    assert stored is not None and stored["user_id"] == "usr-ivanova"
    assert console.client.session.cookie_jar.filter_cookies(
        console.client.make_url("/"))["wabridge_session"].value != stored["_id"]


async def test_wrong_login_and_wrong_password_get_the_same_401(console: Console) -> None:
    wrong_password = await console.login("ivanova", "not-her-password", address="10.0.0.1")
    unknown_login = await console.login("nobody", "whatever-it-is", address="10.0.0.2")
    assert wrong_password[0] == unknown_login[0] == 401
    assert wrong_password[1] == unknown_login[1] == {
        "error": "bad_credentials", "reason": "the login or the password is wrong"}
    no_password_set = await console.login("petrov", "demo-petrov", address="10.0.0.3")
    assert no_password_set[:2] == wrong_password[:2]
    assert (await console.call("GET", "/api/v1/me", who=None))[0] == 401


async def test_repeated_failures_are_throttled_per_login_and_per_address(
        console: Console) -> None:
    for n in range(5):
        assert (await console.login("ivanova", "guess", address=f"10.1.0.{n}"))[0] == 401
    status, body, headers = await console.login("ivanova", address="10.1.0.9")
    assert (status, body["error"]) == (429, "too_many_attempts")
    assert 0 < int(headers["Retry-After"]) <= 600
    for n in range(20):
        await console.login(f"someone{n}", "guess", address="10.2.0.1")
    status, _, _ = await console.login("admin", address="10.2.0.1")
    assert status == 429
    assert (await console.login("admin", address="10.2.0.2"))[0] == 200


async def test_sign_out_ends_the_session(console: Console) -> None:
    _, body, _ = await console.login("ivanova")
    assert (await console.call("POST", "/api/v1/auth/logout", who=None))[0] == 403
    status, _ = await console.call("POST", "/api/v1/auth/logout", who=None,
                                   headers={"X-CSRF-Token": body["csrf_token"]})
    assert status == 204
    assert await console.db.sessions.count_documents({}) == 0
    assert (await console.call("GET", "/api/v1/me", who=None))[0] == 401
    assert (await console.call("POST", "/api/v1/auth/logout", who=None))[0] == 204


async def test_expired_sessions_are_refused_and_cleaned_up(console: Console) -> None:
    await console.login("ivanova")
    await console.db.sessions.update_many({}, {"$set": {"expires_at": "2020-01-01T00:00:00Z"}})
    assert (await console.call("GET", "/api/v1/me", who=None))[0] == 401
    await console.login("admin")
    assert await console.db.sessions.count_documents({}) == 1


async def test_password_reset_by_an_admin_ends_the_sessions(console: Console) -> None:
    await console.login("ivanova")
    status, _ = await console.call("POST", "/api/v1/users/usr-ivanova/password", "ivanova",
                                   json={"password": "my-own-choice"})
    assert status == 403
    status, _ = await console.call("POST", "/api/v1/users/usr-ivanova/password",
                                   json={"password": "new-secret-1"})
    assert status == 204
    assert (await console.call("GET", "/api/v1/me", who=None))[0] == 401
    assert (await console.login("ivanova"))[0] == 401
    assert (await console.login("ivanova", "new-secret-1"))[0] == 200
    stored = await console.db.credentials.find_one({"_id": "usr-ivanova"})
    assert stored["password_hash"].startswith("$argon2id$")
    _, listed = await console.call("GET", "/api/v1/users")
    assert "argon2" not in str(listed) and "password" not in str(listed)


# ---- administration -------------------------------------------------------------------------


async def test_admin_creates_a_user_with_login_role_and_password(console: Console) -> None:
    status, body = await console.call("POST", "/api/v1/users", json={
        "id": "usr-new", "full_name": "New Person", "login": " New.Person ",
        "role": "supervisor", "group_ids": ["grp-sales"], "password": "first-pass-1"})
    assert status == 201, body
    assert body == {"id": "usr-new", "full_name": "New Person", "role": "supervisor",
                    "login": "new.person", "group_ids": ["grp-sales"]}
    assert (await console.login("new.person", "first-pass-1"))[0] == 200
    status, body = await console.call("POST", "/api/v1/users", json={
        "full_name": "Other", "login": "new.person"})
    assert (status, body["error"]) == (409, "login_taken")
    status, _ = await console.call("POST", "/api/v1/users", "supervisor", json={
        "full_name": "Other"})
    assert status == 403


async def test_supervisor_edits_groups_but_not_users_or_tokens(console: Console) -> None:
    assert (await console.call("POST", "/api/v1/groups", "supervisor",
                               json={"name": "Night shift"}))[0] == 201
    assert (await console.call("POST", "/api/v1/groups", "ivanova",
                               json={"name": "Mine"}))[0] == 403
    assert (await console.call("POST", "/api/v1/users/usr-petrov/tokens", "supervisor"))[0] \
        == 403
    assert (await console.call("PUT", "/api/v1/scenarios", "supervisor",
                               json={"items": []}))[0] == 403


async def test_contacts_import_reports_the_rejected_rows(console: Console) -> None:
    csv_text = ("name;phones;responsible\n"
                "Анна;+7 901 000-00-01;ivanova\n"
                ";79010000002;\n"
                "Борис;123;\n"
                "Вера;79010000001;\n"
                "Глеб;79010000003;nobody\n"
                "Дарья;79010000004, 79010000005;usr-petrov\n")
    status, report = await console.call("POST", "/api/v1/contacts/import", "supervisor",
                                        data=csv_text.encode(),
                                        headers={"Content-Type": "text/csv"})
    assert status == 200, report
    assert report["imported"] == 2, report
    assert [r["row"] for r in report["rejected"]] == [3, 4, 5, 6]
    assert [(r["code"], r["params"]) for r in report["rejected"]] == [
        ("name_missing", {}), ("bad_phone", {"phone": "123"}),
        ("phone_repeated", {"phone": "79010000001"}),
        ("unknown_responsible", {"responsible": "nobody"})]
    assert "earlier row" in report["rejected"][2]["reason"]
    assert "nobody" in report["rejected"][3]["reason"]
    anna = await directory.contact_by_phone(console.db, "79010000001")
    assert anna is not None and anna.responsible_user_id == "usr-ivanova"
    darya = await directory.contact_by_phone(console.db, "79010000005")
    assert darya is not None and darya.phones == ["79010000004", "79010000005"]
    assert (await console.call("POST", "/api/v1/contacts/import", "petrov",
                               data=b"name\nX\n"))[0] == 403


async def test_dead_letters_are_listed_inspected_replayed_and_purged_by_admins(
        console: Console) -> None:
    assert (await console.call("GET", "/api/v1/dead-letters", "supervisor"))[0] == 403
    _, queues = await console.call("GET", "/api/v1/dead-letters")
    assert queues["items"] == [{"queue": "outbound_sender.sends.0", "count": 1},
                               {"queue": "task_sync.commands", "count": 0}]
    _, held = await console.call("GET", "/api/v1/dead-letters/outbound_sender.sends.0")
    assert held["count"] == 1 and held["items"][0]["x-error-code"] == "BAD"
    assert (await console.call("GET", "/api/v1/dead-letters/nope"))[0] == 404
    _, replayed = await console.call("POST", "/api/v1/dead-letters/outbound_sender.sends.0/replay")
    assert replayed == {"replayed": 1}
    _, purged = await console.call("DELETE", "/api/v1/dead-letters/task_sync.commands")
    assert purged == {"purged": 0}
    _, entries = await console.call("GET", "/api/v1/audit?action=dead_letters.")
    assert [e["action"] for e in entries["items"]] == ["dead_letters.purge",
                                                       "dead_letters.replay"]


async def test_audit_log_is_filtered_and_for_admins_only(console: Console) -> None:
    await console.call("POST", "/api/v1/tasks/t-queue-cc/claim", "petrov")
    _, body, _ = await console.login("ivanova")
    await console.call("PATCH", "/api/v1/tasks/t-ivanova", who=None, json={"status": "Закрыта"},
                       headers={"X-CSRF-Token": body["csrf_token"]})
    assert (await console.call("GET", "/api/v1/audit", "supervisor"))[0] == 403
    _, entries = await console.call("GET", "/api/v1/audit?actor=ivanova")
    assert [(e["action"], e["via"]) for e in entries["items"]] == [
        ("task.status", "session"), ("session.sign_in", "session")]
    assert entries["items"][0]["details"] == {"status": "Закрыта"}
    _, later = await console.call("GET", "/api/v1/audit",
                                  params={"since": "2100-01-01T00:00:00Z"})
    assert later["items"] == []
    assert (await console.call("GET", "/api/v1/audit?since=yesterday"))[0] == 400


async def test_demo_seed_signs_in_each_demo_login_with_its_password(db: Any) -> None:
    await directory.ensure_indexes(db)
    assert await load_demo_if_empty(db, Path("deploy/seed/demo.yaml"))
    for login in ("admin", "ivanova", "petrov", "smirnov", "supervisor"):
        user = await directory.user_by_login(db, login)
        assert user is not None, login
        hashed = await accounts.password_hash(db, user.id)
        assert hashed is not None and await password_matches(hashed, f"demo-{login}")
    supervisor = await directory.user_by_login(db, "supervisor")
    assert supervisor is not None and supervisor.role == "supervisor"
    assert await directory.members_of(db, supervisor.group_ids) >= {"usr-ivanova", "usr-petrov"}
    sales = await directory.group_by_name(db, "Отдел продаж")
    assert sales is not None and await directory.members_of(db, [sales.id]) == {"usr-smirnov"}
    assert await directory.user_by_token(db, "demo-manager-ivanova") is not None
