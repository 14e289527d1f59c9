"""The role matrix on every route of the operator API: the routes are read from the router that
``add_operator_routes`` builds (as task-sync serves them), so a route without an entry here
fails ``test_every_route_has_a_row_in_the_matrix``; each row states the status per caller.

Callers: an admin; the supervisor of the contact centre; a manager of the task's group
(Petrov, contact centre, not its assignee: the task waits in his group's queue); a manager of
another group (Smirnov, sales); and nobody (no credentials). Each call gets its own fresh
task, comment, file, user, group and contact, so the calls do not disturb each other. A refused
call (401, 403, 404) publishes nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any, NamedTuple

import msgspec
import pytest
from aiohttp import FormData, web
from pymongo import AsyncMongoClient

from services.task_sync.api_routes import add_operator_routes
from shared.domain.comments import Comment, Revision
from shared.domain.directory import Contact
from shared.domain.files import AttachmentRecord
from shared.store import comments, directory, files, revisions, tasks
from shared.store.directory import Group, User
from tests.unit.console_world import AT, TOKENS, Console, make_task, open_console, seed

CALLERS = ("admin", "supervisor", "petrov", "smirnov", None)
_serial = itertools.count(1)


class Row(NamedTuple):
    """A call (placeholders: {t} task, {c} its comment, {f} its file, {u} user, {g} group,
    {k} contact, {n} a unique word) and its status for each of ``CALLERS``."""

    path: str
    expect: tuple[int, int, int, int, int]
    body: Any = None
    kind: str = "json"  # json | csv | form | stream
    closed: bool = False  # the task is closed


OK = (200, 200, 200, 200, 401)
ADMIN_ONLY = (200, 403, 403, 403, 401)
EDITORS = (200, 200, 403, 403, 401)  # the directory: admins and supervisors
# an admin passes the check and meets the flow's own answer: no version yet, an empty body
ADMIN_404 = (404, 403, 403, 403, 401)
ADMIN_422 = (422, 403, 403, 403, 401)
T = "/api/v1/tasks/{t}"
C = "/api/v1/tasks/{t}/comments/{c}"
GROUP_POLICY = {"mode": "claim"}
FLOW = "/api/v1/flows/main"

MATRIX: dict[tuple[str, str], Row] = {
    # public
    ("GET", "/api/v1/openapi.json"): Row("/api/v1/openapi.json", (200, 200, 200, 200, 200)),
    ("POST", "/api/v1/auth/login"): Row("/api/v1/auth/login", (401,) * 5,
                                        {"login": "nobody-{n}", "password": "wrong-password"}),
    ("POST", "/api/v1/auth/logout"): Row("/api/v1/auth/logout", (204,) * 5),
    ("GET", "/api/v1/me"): Row("/api/v1/me", OK),
    # a task: 404 when it is not visible, 403 on a write its viewer may not make
    ("GET", "/api/v1/tasks"): Row("/api/v1/tasks", OK),
    ("GET", "/api/v1/tasks/{task_id}"): Row(T, (200, 200, 200, 404, 401)),
    ("PATCH", "/api/v1/tasks/{task_id}"): Row(T, (200, 200, 403, 404, 401),
                                              {"status": "Закрыта"}),
    ("POST", "/api/v1/tasks/{task_id}/claim"): Row(T + "/claim", (200, 200, 200, 404, 401)),
    ("POST", "/api/v1/tasks/{task_id}/assign"): Row(T + "/assign", (200, 200, 403, 404, 401),
                                                    {"group_id": "grp-cc"}),
    ("POST", "/api/v1/tasks/{task_id}/reopen"): Row(T + "/reopen", (200, 200, 403, 404, 401),
                                                    closed=True),
    ("GET", "/api/v1/tasks/{task_id}/comments"): Row(T + "/comments", (200, 200, 200, 404, 401)),
    ("POST", "/api/v1/tasks/{task_id}/comments"): Row(T + "/comments", (201, 201, 403, 404, 401),
                                                      {"text": "Добрый день"}),
    ("POST", "/api/v1/tasks/{task_id}/comments/{comment_id}/resend"): Row(
        C + "/resend", (409, 409, 403, 404, 401)),
    ("DELETE", "/api/v1/tasks/{task_id}/comments/{comment_id}"): Row(
        C, (409, 409, 403, 404, 401)),
    ("PUT", "/api/v1/tasks/{task_id}/comments/{comment_id}/reaction"): Row(
        C + "/reaction", (422, 422, 403, 404, 401), {"emoji": "👍"}),
    ("DELETE", "/api/v1/tasks/{task_id}/comments/{comment_id}/reaction"): Row(
        C + "/reaction", (422, 422, 403, 404, 401)),  # 422: Wazzup sends no reactions
    ("GET", "/api/v1/comments/{comment_id}/revisions"): Row(
        "/api/v1/comments/{c}/revisions", (200, 200, 200, 404, 401)),
    ("GET", "/api/v1/files/{file_id}"): Row("/api/v1/files/{f}", (200, 200, 200, 404, 401)),
    ("POST", "/api/v1/tasks/{task_id}/seen"): Row(T + "/seen", (204, 204, 204, 404, 401)),
    ("POST", "/api/v1/tasks/{task_id}/read"): Row(T + "/read", (202, 202, 202, 404, 401)),
    ("POST", "/api/v1/tasks/{task_id}/typing"): Row(T + "/typing", (202, 202, 403, 404, 401)),
    ("GET", "/api/v1/tasks/{task_id}/customer"): Row(T + "/customer", (200, 200, 200, 404, 401)),
    ("GET", "/api/v1/events"): Row("/api/v1/events", OK, kind="stream"),
    ("GET", "/api/v1/inbox"): Row("/api/v1/inbox", OK),
    ("GET", "/api/v1/inbox/counts"): Row("/api/v1/inbox/counts", OK),
    ("POST", "/api/v1/conversations"): Row("/api/v1/conversations", (201, 201, 201, 201, 401), {
        "channel_id": "ch-1", "phone": "7955{n}", "text": "Здравствуйте"}),
    ("GET", "/api/v1/channels"): Row("/api/v1/channels", OK),
    ("GET", "/api/v1/templates"): Row("/api/v1/templates", OK),
    ("POST", "/api/v1/templates/refresh"): Row("/api/v1/templates/refresh",
                                                      (202, 403, 403, 403, 401)),
    ("GET", "/api/v1/notices"): Row("/api/v1/notices", OK),
    ("POST", "/api/v1/notices/read"): Row("/api/v1/notices/read", OK, {"all": True}),
    ("GET", "/api/v1/problems"): Row("/api/v1/problems", ADMIN_ONLY),
    ("GET", "/api/v1/reports"): Row("/api/v1/reports", (200, 200, 403, 403, 401)),
    ("GET", "/api/v1/scenarios"): Row("/api/v1/scenarios", OK),
    ("PUT", "/api/v1/scenarios"): Row("/api/v1/scenarios", ADMIN_ONLY, {"items": []}),
    # the directory: users and tokens for admins; groups and contacts for admins and supervisors
    ("GET", "/api/v1/users"): Row("/api/v1/users", OK),
    ("POST", "/api/v1/users"): Row("/api/v1/users", (201, 403, 403, 403, 401), {
        "full_name": "New {n}", "login": "new-{n}", "group_ids": ["grp-cc"]}),
    ("GET", "/api/v1/users/{user_id}"): Row("/api/v1/users/{u}", OK),
    ("PUT", "/api/v1/users/{user_id}"): Row("/api/v1/users/{u}", ADMIN_ONLY, {
        "full_name": "Renamed {n}", "group_ids": ["grp-cc"]}),
    ("DELETE", "/api/v1/users/{user_id}"): Row("/api/v1/users/{u}", (204, 403, 403, 403, 401)),
    ("POST", "/api/v1/users/{user_id}/tokens"): Row("/api/v1/users/{u}/tokens",
                                                    (201, 403, 403, 403, 401)),
    ("DELETE", "/api/v1/users/{user_id}/tokens"): Row("/api/v1/users/{u}/tokens",
                                                      (204, 403, 403, 403, 401)),
    ("POST", "/api/v1/users/{user_id}/password"): Row("/api/v1/users/{u}/password",
                                                      (204, 403, 403, 403, 401),
                                                      {"password": "new-secret-{n}"}),
    ("GET", "/api/v1/users/{user_id}/availability"): Row("/api/v1/users/{u}/availability", EDITORS),
    ("PUT", "/api/v1/users/{user_id}/availability"): Row("/api/v1/users/{u}/availability",
                                                         EDITORS, {"availability": "away"}),
    ("GET", "/api/v1/me/availability"): Row("/api/v1/me/availability", OK),
    ("PUT", "/api/v1/me/availability"): Row("/api/v1/me/availability", OK,
                                            {"availability": "away"}),
    ("GET", "/api/v1/groups"): Row("/api/v1/groups", OK),
    ("POST", "/api/v1/groups"): Row("/api/v1/groups", (201, 201, 403, 403, 401),
                                    {"name": "Group {n}"}),
    ("GET", "/api/v1/groups/{group_id}"): Row("/api/v1/groups/{g}", OK),
    ("PUT", "/api/v1/groups/{group_id}"): Row("/api/v1/groups/{g}", EDITORS,
                                              {"name": "Renamed {n}"}),
    ("DELETE", "/api/v1/groups/{group_id}"): Row("/api/v1/groups/{g}", (204, 204, 403, 403, 401)),
    ("GET", "/api/v1/groups/{group_id}/policy"): Row("/api/v1/groups/grp-cc/policy",
                                                     (200, 200, 200, 403, 401)),
    ("PUT", "/api/v1/groups/{group_id}/policy"): Row("/api/v1/groups/grp-cc/policy", EDITORS,
                                                     GROUP_POLICY),
    ("GET", "/api/v1/contacts"): Row("/api/v1/contacts", OK),
    ("POST", "/api/v1/contacts"): Row("/api/v1/contacts", (201, 201, 403, 403, 401),
                                      {"name": "Contact {n}", "phones": ["7966{n}"]}),
    ("POST", "/api/v1/contacts/import"): Row("/api/v1/contacts/import", EDITORS,
                                             "name;phones\nImported {n};7977{n}\n", "csv"),
    ("GET", "/api/v1/contacts/{contact_id}"): Row("/api/v1/contacts/{k}", OK),
    ("PUT", "/api/v1/contacts/{contact_id}"): Row("/api/v1/contacts/{k}", EDITORS,
                                                  {"name": "Renamed {n}"}),
    ("DELETE", "/api/v1/contacts/{contact_id}"): Row("/api/v1/contacts/{k}",
                                                     (204, 204, 403, 403, 401)),
    # administration: dead letters, the audit log, the bot's flows and their files
    ("GET", "/api/v1/dead-letters"): Row("/api/v1/dead-letters", ADMIN_ONLY),
    ("GET", "/api/v1/dead-letters/{queue}"): Row("/api/v1/dead-letters/task_sync.commands",
                                                 ADMIN_ONLY),
    ("POST", "/api/v1/dead-letters/{queue}/replay"): Row(
        "/api/v1/dead-letters/task_sync.commands/replay", ADMIN_ONLY),
    ("DELETE", "/api/v1/dead-letters/{queue}"): Row("/api/v1/dead-letters/task_sync.commands",
                                                    ADMIN_ONLY),
    ("GET", "/api/v1/audit"): Row("/api/v1/audit", ADMIN_ONLY),
    ("POST", "/api/v1/files"): Row("/api/v1/files", (201, 403, 403, 403, 401), kind="form"),
    ("GET", "/api/v1/flows"): Row("/api/v1/flows", ADMIN_ONLY),
    ("GET", "/api/v1/flows/statuses"): Row("/api/v1/flows/statuses", ADMIN_ONLY),
    ("POST", "/api/v1/flows/simulate"): Row("/api/v1/flows/simulate", ADMIN_422, {}),
    ("GET", "/api/v1/flows/{key}/draft"): Row(FLOW + "/draft", ADMIN_ONLY),
    ("PUT", "/api/v1/flows/{key}/draft"): Row(FLOW + "/draft", ADMIN_422, {}),
    ("DELETE", "/api/v1/flows/{key}/draft"): Row(FLOW + "/draft", (204, 403, 403, 403, 401)),
    ("POST", "/api/v1/flows/{key}/publish"): Row(FLOW + "/publish", (409, 403, 403, 403, 401)),
    ("GET", "/api/v1/flows/{key}/versions"): Row(FLOW + "/versions", ADMIN_ONLY),
    ("GET", "/api/v1/flows/{key}/versions/{n}"): Row(FLOW + "/versions/1", ADMIN_404),
    ("POST", "/api/v1/flows/{key}/versions/{n}/restore"): Row(FLOW + "/versions/1/restore",
                                                              ADMIN_404),
    ("GET", "/api/v1/flows/{key}/export"): Row(FLOW + "/export", ADMIN_ONLY),
    ("POST", "/api/v1/flows/{key}/import"): Row(FLOW + "/import", ADMIN_422, "{{}}",
                                               "csv"),
    ("POST", "/api/v1/flows/{key}/replay"): Row(FLOW + "/replay", ADMIN_ONLY, {}),
    ("GET", "/api/v1/flows/{key}/hours"): Row(FLOW + "/hours", ADMIN_ONLY),
    ("PUT", "/api/v1/flows/{key}/hours"): Row(FLOW + "/hours", ADMIN_ONLY, {}),
}


def served_routes() -> set[tuple[str, str]]:
    app = web.Application()
    add_operator_routes(app)
    return {(r.method, r.resource.canonical) for r in app.router.routes()
            if r.method != "HEAD" and r.resource is not None
            and r.resource.canonical.startswith("/api/")}


def test_every_route_has_a_row_in_the_matrix() -> None:
    served = served_routes()
    assert sorted(served - set(MATRIX)) == [], "routes without a row in the role matrix"
    assert sorted(set(MATRIX) - served) == [], "rows of routes no longer served"


@pytest.fixture(scope="module")
async def world(mongo_url: str) -> AsyncIterator[Console]:
    """One seeded database and server for the module (each call makes its own targets)."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
    name = f"t_matrix_{next(_serial)}_{id(client) % 100_000}"
    try:
        await seed(client[name])
        async with open_console(client[name], mongo_url) as console:
            yield console
    finally:
        await client.drop_database(name)
        await client.close()


async def _targets(db: Any, row: Row, assignee: str | None) -> dict[str, str]:
    """A fresh task of the contact centre (in its queue, or given to ``assignee``; closed when
    ``row`` says so) with a comment, revision and file, a user, group and contact, named by a
    new number."""
    n = f"{next(_serial):06d}"
    task = make_task(f"t-m{n}", assignee, "grp-cc")
    task = msgspec.structs.replace(task, status="Закрыта" if row.closed else task.status,
                                   chat=msgspec.structs.replace(task.chat, chat_id=f"7933{n}"))
    await tasks.create(db, task)
    await comments.insert(db, Comment(id=f"c-m{n}", task_id=task.id, order=1, at=AT,
                                      author_kind="customer", direction="in", text="Hello",
                                      gateway_message_id=f"g-m{n}"))
    await revisions.add(db, Revision(id=f"r-m{n}", comment_id=f"c-m{n}", at=AT, kind="edited",
                                     text="Hello!"))
    await files.put(db, f"f-m{n}", "a.png", "image/png", b"\x89PNG")
    await files.add_attachment(db, AttachmentRecord(
        id=f"f-m{n}", comment_id=f"c-m{n}", task_id=task.id, file_name="a.png",
        mime_type="image/png", state="stored", size=4))
    await directory.upsert_user(db, User(id=f"usr-m{n}", full_name=f"Person {n}",
                                         login=f"person-{n}", role="manager",
                                         group_ids=["grp-cc"]))
    await directory.upsert_group(db, Group(id=f"grp-m{n}", name=f"Group m{n}"))
    await directory.upsert_contact(db, Contact(id=f"ct-m{n}", name=f"Contact {n}",
                                               phones=[f"7988{n}"]))
    return {"t": task.id, "c": f"c-m{n}", "f": f"f-m{n}", "u": f"usr-m{n}", "g": f"grp-m{n}",
            "k": f"ct-m{n}", "n": n}


def _filled(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, list):
        return [_filled(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, names) for k, v in value.items()}
    return value


async def _status(console: Console, method: str, row: Row, who: str | None,
                  assignee: str | None = None) -> int:
    names = await _targets(console.db, row, assignee)
    headers = {"Authorization": f"Bearer {TOKENS[who]}"} if who else {}
    sent: dict[str, Any] = {}
    if row.kind == "csv":
        sent["data"] = _filled(row.body, names).encode()
        headers["Content-Type"] = "text/csv"
    elif row.kind == "form":
        form = FormData()
        form.add_field("file", b"\x89PNG\r\n\x1a\n", filename="a.png",
                       content_type="image/png")
        sent["data"] = form
    elif row.body is not None:
        sent["json"] = _filled(row.body, names)
    async with console.client.request(method, _filled(row.path, names), headers=headers,
                                      **sent) as resp:
        if row.kind != "stream":
            await resp.read()
        return resp.status


@pytest.mark.parametrize(("method", "route"), sorted(MATRIX),
                         ids=[f"{m} {r}" for m, r in sorted(MATRIX)])
async def test_each_caller_gets_the_matrix_status(world: Console, method: str,
                                                  route: str) -> None:
    row = MATRIX[(method, route)]
    got = []
    for who, expected in zip(CALLERS, row.expect, strict=True):
        before = len(world.bus.published)
        got.append(await _status(world, method, row, who))
        if expected in (401, 403, 404):
            assert len(world.bus.published) == before, (who, "a refused call published")
    assert tuple(got) == row.expect


@pytest.mark.parametrize(("method", "route"), sorted(MATRIX),
                         ids=[f"{m} {r}" for m, r in sorted(MATRIX)])
async def test_a_colleagues_task_is_missing_for_a_manager_of_its_group(
        world: Console, method: str, route: str) -> None:
    """Petrov, of the contact centre, on a task given to Ivanova: a task route answers as
    for a manager of another group (404); any other route as for him."""
    row = MATRIX[(method, route)]
    about_the_task = any(f"{{{p}}}" in row.path for p in "tcf")
    expected = row.expect[3] if about_the_task else row.expect[2]
    before = len(world.bus.published)
    assert await _status(world, method, row, "petrov", assignee="usr-ivanova") == expected
    if expected in (401, 403, 404):
        assert len(world.bus.published) == before
