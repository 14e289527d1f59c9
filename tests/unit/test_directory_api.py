"""The directory API (contacts, users, groups, tokens) as a real aiohttp app with bearer auth
over a real database (MongoDB or the stand-in)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from services.task_sync import directory_api
from services.task_sync.api_common import install_operator_api
from services.task_sync.wiring import builtin_deps
from shared.bus import Bus
from shared.config import TaskSyncSettings, load
from shared.ops import request_context
from shared.store import directory
from shared.store.directory import Contact, Group, User

ADMIN = "admin-token"
MANAGER = "manager-token"
SUPERVISOR = "supervisor-token"
CENTRE = "Контакт-центр"


class Api:
    """Calls the API as the admin unless another token is given."""

    def __init__(self, client: TestClient[Any, Any], db: Any) -> None:
        self.client = client
        self.db = db

    async def __call__(self, method: str, path: str, token: str | None = ADMIN,
                       **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.client.request(method, path, headers=headers, **kwargs) as resp:
            body = await resp.json() if resp.status != 204 else None
            return resp.status, body


@pytest.fixture
async def api(db: Any, mongo_url: str) -> AsyncIterator[Api]:
    await directory.ensure_indexes(db)
    await directory.upsert_group(db, Group(id="grp-cc", name=CENTRE))
    await directory.upsert_user(db, User(id="usr-admin", full_name="Admin", is_admin=True),
                                token=ADMIN)
    await directory.upsert_user(db, User(id="usr-ivanova", full_name="Ivanova Maria",
                                         phones=["79160000001"], group_ids=["grp-cc"]),
                                token=MANAGER)
    await directory.upsert_user(db, User(id="usr-sokolova", full_name="Sokolova Elena",
                                         role="supervisor", group_ids=["grp-cc"]),
                                token=SUPERVISOR)
    await directory.upsert_user(db, User(id="usr-robot", full_name="WhatsAppRobot",
                                         is_service=True))
    settings = load(TaskSyncSettings, {"MONGODB_URL": mongo_url,
                                       "WABRIDGE_URL_SIGNING_KEY": "unit-test-signing-key"})
    # bus=None: directory handlers never publish, so a use of it fails loudly
    deps = builtin_deps(db, cast(Bus, None), settings,
                        robot_user_id="usr-robot", group_bot_user_id="usr-robot")
    app = web.Application(middlewares=[request_context])
    install_operator_api(app, deps)
    directory_api.routes(app)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield Api(client, db)
    finally:
        await client.close()


# ---- contacts -------------------------------------------------------------------------------


async def test_supervisor_creates_contact_with_digits_only_phones(api: Api) -> None:
    status, body = await api("POST", "/api/v1/contacts", token=SUPERVISOR, json={
        "name": " Сидоров Пётр ", "phones": ["+7 (901) 111-22-33"],
        "responsible_user_id": "usr-ivanova"})
    assert status == 201, body
    assert body["name"] == "Сидоров Пётр" and body["phones"] == ["79011112233"]
    assert body["id"].startswith("cnt-")
    found = await directory.contact_by_phone(api.db, "79011112233")
    assert found is not None and found.id == body["id"]


async def test_contact_is_found_by_phone_and_by_name_part_ignoring_case(api: Api) -> None:
    await directory.upsert_contact(api.db, Contact(id="k1", name="Сидоров Пётр",
                                                   phones=["79011112233"]))
    await directory.upsert_contact(api.db, Contact(id="k2", name="Anna (VIP)"))
    status, body = await api("GET", "/api/v1/contacts", params={"phone": "+7 901 111 22 33"})
    assert status == 200 and [c["id"] for c in body["items"]] == ["k1"]
    _, body = await api("GET", "/api/v1/contacts", params={"q": "СИДОР"})
    assert [c["id"] for c in body["items"]] == ["k1"]
    _, body = await api("GET", "/api/v1/contacts", params={"q": "(vip)"})
    assert [c["id"] for c in body["items"]] == ["k2"]
    _, body = await api("GET", "/api/v1/contacts", params={"phone": "79000000000"})
    assert body["items"] == []


async def test_contacts_are_paged_by_name(api: Api) -> None:
    for n in range(5):
        await directory.upsert_contact(api.db, Contact(id=f"k{n}", name=f"Name {n}"))
    status, body = await api("GET", "/api/v1/contacts", params={"limit": "2", "offset": "1"})
    assert status == 200 and [c["id"] for c in body["items"]] == ["k1", "k2"]
    assert (await api("GET", "/api/v1/contacts", params={"limit": "-1"}))[0] == 400


async def test_phone_of_another_contact_is_refused_naming_it(api: Api) -> None:
    await directory.upsert_contact(api.db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    status, body = await api("POST", "/api/v1/contacts", json={
        "name": "Boris", "phones": ["79011112233"]})
    assert status == 409 and "k1" in body["reason"]
    found = await directory.contact_by_phone(api.db, "79011112233")
    assert found is not None and found.id == "k1"


async def test_managers_read_contacts_but_do_not_edit_them(api: Api) -> None:
    await directory.upsert_contact(api.db, Contact(id="k1", name="Anna"))
    assert (await api("GET", "/api/v1/contacts/k1", token=MANAGER))[0] == 200
    assert (await api("POST", "/api/v1/contacts", token=MANAGER, json={"name": "B"}))[0] == 403
    assert (await api("PUT", "/api/v1/contacts/k1", token=MANAGER,
                      json={"name": "B"}))[0] == 403
    assert (await api("DELETE", "/api/v1/contacts/k1", token=MANAGER))[0] == 403
    contact = await directory.get_contact(api.db, "k1")
    assert contact is not None and contact.name == "Anna"


async def test_contact_responsible_must_be_an_existing_employee(api: Api) -> None:
    for responsible in ("usr-nobody", "usr-robot"):
        status, body = await api("POST", "/api/v1/contacts", json={
            "name": "Anna", "responsible_user_id": responsible})
        assert status == 422 and responsible in body["reason"]


@pytest.mark.parametrize("body,reason", [
    ({"name": "  "}, "name"),
    ({"name": "Anna", "phones": ["12345"]}, "7 to 15 digits"),
    ({"name": "Anna", "phones": ["1234567890123456"]}, "7 to 15 digits"),
    ({"name": "Anna", "nickname": "A"}, "nickname"),
    ({"id": "has space", "name": "Anna"}, "id"),
])
async def test_invalid_contact_is_refused_with_the_reason(api: Api, body: dict[str, Any],
                                                          reason: str) -> None:
    status, answer = await api("POST", "/api/v1/contacts", json=body)
    assert status == 422 and reason in answer["reason"]


async def test_put_replaces_contact_and_moves_its_phone_lookups(api: Api) -> None:
    await directory.upsert_contact(api.db, Contact(id="k1", name="Anna", phones=["79011112233"],
                                                   responsible_user_id="usr-ivanova"))
    status, body = await api("PUT", "/api/v1/contacts/k1", token=SUPERVISOR, json={
        "name": "Anna K", "phones": ["79022223344"]})
    assert status == 200 and body == {"id": "k1", "name": "Anna K", "phones": ["79022223344"]}
    assert await directory.get_contact(api.db, "k1") == Contact(id="k1", name="Anna K",
                                                                phones=["79022223344"])
    assert await directory.contact_by_phone(api.db, "79011112233") is None
    assert (await api("PUT", "/api/v1/contacts/nope", json={"name": "X"}))[0] == 404


async def test_existing_contact_id_is_not_overwritten_by_post(api: Api) -> None:
    await directory.upsert_contact(api.db, Contact(id="k1", name="Anna"))
    status, _ = await api("POST", "/api/v1/contacts", json={"id": "k1", "name": "Boris"})
    assert status == 409
    contact = await directory.get_contact(api.db, "k1")
    assert contact is not None and contact.name == "Anna"


async def test_deleting_a_contact_frees_its_phone(api: Api) -> None:
    await directory.upsert_contact(api.db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    assert (await api("DELETE", "/api/v1/contacts/k1", token=SUPERVISOR))[0] == 204
    assert (await api("GET", "/api/v1/contacts/k1"))[0] == 404
    assert await directory.contact_phone_owner(api.db, "79011112233") is None
    assert (await api("DELETE", "/api/v1/contacts/k1"))[0] == 404


async def test_directory_needs_a_valid_token(api: Api) -> None:
    assert (await api("GET", "/api/v1/contacts", token=None))[0] == 401
    assert (await api("GET", "/api/v1/users", token="wrong"))[0] == 401


# ---- users ----------------------------------------------------------------------------------


async def test_users_are_listed_without_token_hashes(api: Api) -> None:
    status, body = await api("GET", "/api/v1/users", token=MANAGER)
    assert status == 200
    assert [u["id"] for u in body["items"]] == ["usr-admin", "usr-ivanova", "usr-sokolova",
                                                "usr-robot"]
    assert "token" not in str(body) and directory.token_hash(MANAGER) not in str(body)


async def test_user_is_found_by_phone(api: Api) -> None:
    _, body = await api("GET", "/api/v1/users", params={"phone": "+7 916 000-00-01"})
    assert [u["id"] for u in body["items"]] == ["usr-ivanova"]


async def test_only_admins_create_users(api: Api) -> None:
    status, _ = await api("POST", "/api/v1/users", token=MANAGER, json={"full_name": "Petrov"})
    assert status == 403
    assert await directory.user_by_name(api.db, "Petrov") is None


async def test_admin_creates_user_in_existing_groups_only(api: Api) -> None:
    status, body = await api("POST", "/api/v1/users", json={
        "full_name": "Petrov", "group_ids": ["grp-cc", "grp-none"]})
    assert status == 422 and "grp-none" in body["reason"]
    status, body = await api("POST", "/api/v1/users", json={
        "id": "usr-petrov", "full_name": "Petrov", "phones": ["+7 916 000 00 02"],
        "group_ids": ["grp-cc"]})
    assert status == 201, body
    assert await directory.user_by_phone(api.db, "79160000002") == User(
        id="usr-petrov", full_name="Petrov", phones=["79160000002"], group_ids=["grp-cc"])


async def test_user_names_and_phones_are_unique(api: Api) -> None:
    status, body = await api("POST", "/api/v1/users", json={"full_name": "WhatsAppRobot"})
    assert status == 409 and "usr-robot" in body["reason"]
    status, body = await api("POST", "/api/v1/users", json={"full_name": "Petrov",
                                                             "phones": ["79160000001"]})
    assert status == 409 and "usr-ivanova" in body["reason"]


async def test_editing_a_user_keeps_their_token(api: Api) -> None:
    status, body = await api("PUT", "/api/v1/users/usr-ivanova", json={
        "full_name": "Ivanova Maria S.", "is_admin": True})
    assert status == 200 and body["is_admin"] is True and "phones" not in body
    assert (await api("GET", "/api/v1/users", token=MANAGER))[0] == 200
    user = await directory.user_by_token(api.db, MANAGER)
    assert user is not None and user.full_name == "Ivanova Maria S." and user.group_ids == []
    assert await directory.user_by_phone(api.db, "79160000001") is None


async def test_admin_cannot_drop_own_rights_nor_edit_service_users(api: Api) -> None:
    status, _ = await api("PUT", "/api/v1/users/usr-admin", json={"full_name": "Admin"})
    assert status == 409
    status, _ = await api("PUT", "/api/v1/users/usr-robot", json={"full_name": "Robot"})
    assert status == 409
    robot = await directory.get_user(api.db, "usr-robot")
    assert robot is not None and robot.full_name == "WhatsAppRobot"


async def test_deleting_users_refuses_self_service_and_responsible(api: Api) -> None:
    assert (await api("DELETE", "/api/v1/users/usr-admin"))[0] == 409
    assert (await api("DELETE", "/api/v1/users/usr-robot"))[0] == 409
    assert (await api("DELETE", "/api/v1/users/usr-admin", token=MANAGER))[0] == 403
    await directory.upsert_contact(api.db, Contact(id="k1", name="Anna",
                                                   responsible_user_id="usr-ivanova"))
    assert (await api("DELETE", "/api/v1/users/usr-ivanova"))[0] == 409
    await directory.delete_contact(api.db, "k1")
    assert (await api("DELETE", "/api/v1/users/usr-ivanova"))[0] == 204
    assert await directory.user_by_token(api.db, MANAGER) is None
    assert await directory.user_by_phone(api.db, "79160000001") is None


# ---- tokens ---------------------------------------------------------------------------------


async def test_issued_token_works_once_shown_and_retires_the_old_one(api: Api) -> None:
    status, body = await api("POST", "/api/v1/users/usr-ivanova/tokens")
    assert status == 201 and body["user_id"] == "usr-ivanova" and len(body["token"]) >= 40
    assert (await api("GET", "/api/v1/users", token=body["token"]))[0] == 200
    assert (await api("GET", "/api/v1/users", token=MANAGER))[0] == 401
    _, again = await api("GET", "/api/v1/users/usr-ivanova")
    assert body["token"] not in str(again)


async def test_service_users_get_no_tokens(api: Api) -> None:
    assert (await api("POST", "/api/v1/users/usr-robot/tokens"))[0] == 409
    raw = await api.db.users.find_one({"_id": "usr-robot"})
    assert "token_hash" not in raw
    assert (await api("POST", "/api/v1/users/usr-nobody/tokens"))[0] == 404


async def test_revoked_token_stops_working(api: Api) -> None:
    assert (await api("DELETE", "/api/v1/users/usr-ivanova/tokens", token=MANAGER))[0] == 403
    assert (await api("DELETE", "/api/v1/users/usr-ivanova/tokens"))[0] == 204
    assert (await api("GET", "/api/v1/users", token=MANAGER))[0] == 401


# ---- groups ---------------------------------------------------------------------------------


async def test_admin_creates_renames_and_deletes_an_empty_group(api: Api) -> None:
    status, body = await api("POST", "/api/v1/groups", json={"id": "grp-sales", "name": "Sales"})
    assert status == 201 and body == {"id": "grp-sales", "name": "Sales"}
    status, body = await api("PUT", "/api/v1/groups/grp-sales", json={"name": "Sales team"})
    assert status == 200 and body["name"] == "Sales team"
    _, listed = await api("GET", "/api/v1/groups", token=MANAGER)
    assert [g["name"] for g in listed["items"]] == ["Sales team", CENTRE]
    assert (await api("DELETE", "/api/v1/groups/grp-sales"))[0] == 204
    assert await directory.get_group(api.db, "grp-sales") is None


async def test_duplicate_group_name_is_refused(api: Api) -> None:
    status, body = await api("POST", "/api/v1/groups", json={"name": CENTRE})
    assert status == 409 and CENTRE in body["reason"]
    assert len(await directory.list_groups(api.db)) == 1
    assert (await api("POST", "/api/v1/groups", token=MANAGER, json={"name": "X"}))[0] == 403


async def test_group_with_members_is_not_deleted(api: Api) -> None:
    await directory.upsert_group(api.db, Group(id="grp-sales", name="Sales"))
    await directory.upsert_user(api.db, User(id="u9", full_name="Seller",
                                             group_ids=["grp-x", "grp-sales"]))
    status, body = await api("DELETE", "/api/v1/groups/grp-sales")
    assert status == 409 and "1 member" in body["reason"]
    assert await directory.get_group(api.db, "grp-sales") is not None


async def test_routing_group_is_neither_renamed_nor_deleted(api: Api) -> None:
    await directory.upsert_user(api.db, User(id="usr-ivanova", full_name="Ivanova Maria"))
    assert (await api("PUT", "/api/v1/groups/grp-cc", json={"name": "Other"}))[0] == 409
    assert (await api("DELETE", "/api/v1/groups/grp-cc"))[0] == 409
    assert await directory.group_by_name(api.db, CENTRE) is not None
