"""The directory under /api/v1: contacts (any user edits), users and groups (admins edit)."""

from __future__ import annotations

import secrets
from typing import Annotated

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.auth import require_admin
from services.task_sync.http_json import json_response, problem, read_body
from shared import events
from shared.store import directory
from shared.store.directory import Contact, Group, User
from shared.store.mongo import Database

Id = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise ValueError(f"{field} must not be empty")
    return value.strip()


def _phones(raw: list[str]) -> list[str]:
    """Digits only, each once, in the order given."""
    found: list[str] = []
    for phone in raw:
        number = directory.digits(phone)
        if not 7 <= len(number) <= 15:
            raise ValueError(f"phone {phone!r} must have 7 to 15 digits")
        if number not in found:
            found.append(number)
    return found


class ContactFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A contact as PUT replaces it; phones in any format, stored as digits."""

    name: Name
    phones: list[str] = []
    responsible_user_id: str | None = None

    def __post_init__(self) -> None:
        self.name = _required(self.name, "name")
        self.phones = _phones(self.phones)


class ContactIn(ContactFields, kw_only=True, forbid_unknown_fields=True):
    """A new contact; the id is generated when not given."""

    id: Id | None = None


class UserFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A user as PUT replaces it; the full name signs the user's messages to customers."""

    full_name: Name
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False

    def __post_init__(self) -> None:
        self.full_name = _required(self.full_name, "full_name")
        self.phones = _phones(self.phones)
        self.group_ids = list(dict.fromkeys(self.group_ids))


class UserIn(UserFields, kw_only=True, forbid_unknown_fields=True):
    """A new user; the id is generated when not given. Issue a token separately."""

    id: Id | None = None


class GroupFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name

    def __post_init__(self) -> None:
        self.name = _required(self.name, "name")


class GroupIn(GroupFields, kw_only=True, forbid_unknown_fields=True):
    id: Id | None = None


class TokenIssued(msgspec.Struct, kw_only=True):
    """A new API token; shown only in this response, stored only as its hash."""

    user_id: str
    token: str


def routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/contacts", list_contacts)
    app.router.add_post("/api/v1/contacts", create_contact)
    app.router.add_get("/api/v1/contacts/{contact_id}", get_contact)
    app.router.add_put("/api/v1/contacts/{contact_id}", replace_contact)
    app.router.add_delete("/api/v1/contacts/{contact_id}", delete_contact)
    app.router.add_get("/api/v1/users", list_users)
    app.router.add_post("/api/v1/users", create_user)
    app.router.add_get("/api/v1/users/{user_id}", get_user)
    app.router.add_put("/api/v1/users/{user_id}", replace_user)
    app.router.add_delete("/api/v1/users/{user_id}", delete_user)
    app.router.add_post("/api/v1/users/{user_id}/tokens", issue_token)
    app.router.add_delete("/api/v1/users/{user_id}/tokens", revoke_token)
    app.router.add_get("/api/v1/groups", list_groups)
    app.router.add_post("/api/v1/groups", create_group)
    app.router.add_get("/api/v1/groups/{group_id}", get_group)
    app.router.add_put("/api/v1/groups/{group_id}", replace_group)
    app.router.add_delete("/api/v1/groups/{group_id}", delete_group)


def _db(request: web.Request) -> Database:
    return request.app[DEPS].db


def _paging(request: web.Request) -> dict[str, int]:
    paging = {}
    for name, default, high in (("limit", 100, 500), ("offset", 0, 1_000_000)):
        raw = request.query.get(name, str(default))
        if not raw.isdigit() or int(raw) > high:
            raise problem(400, "bad_query", f"{name} must be an integer from 0 to {high}")
        paging[name] = int(raw)
    return paging


def _no_content() -> web.Response:
    return web.Response(status=204)


# ---- contacts -------------------------------------------------------------------------------


async def list_contacts(request: web.Request) -> web.Response:
    db = _db(request)
    if phone := request.query.get("phone"):
        found = await directory.contact_by_phone(db, phone)
        return json_response({"items": [found] if found else []})
    items = await directory.list_contacts(db, name_part=request.query.get("q"), **_paging(request))
    return json_response({"items": items})


async def _contact_or_404(db: Database, contact_id: str) -> Contact:
    contact = await directory.get_contact(db, contact_id)
    if contact is None:
        raise problem(404, "not_found", f"no contact {contact_id}")
    return contact


async def get_contact(request: web.Request) -> web.Response:
    return json_response(await _contact_or_404(_db(request), request.match_info["contact_id"]))


async def _save_contact(db: Database, contact_id: str, body: ContactFields) -> Contact:
    """Check references and phone ownership, then store."""
    if body.responsible_user_id is not None:
        user = await directory.get_user(db, body.responsible_user_id)
        if user is None or user.is_service:
            raise problem(422, "unknown_user", f"responsible_user_id {body.responsible_user_id} "
                          "is not an employee in the directory")
    for phone in body.phones:
        owner = await directory.contact_phone_owner(db, phone)
        if owner is not None and owner != contact_id:
            raise problem(409, "phone_taken", f"phone {phone} belongs to contact {owner}")
    contact = Contact(id=contact_id, name=body.name, phones=body.phones,
                      responsible_user_id=body.responsible_user_id)
    await directory.upsert_contact(db, contact)
    return contact


async def create_contact(request: web.Request) -> web.Response:
    db = _db(request)
    body = await read_body(request, ContactIn)
    contact_id = body.id or f"cnt-{events.new_id()}"
    if await directory.get_contact(db, contact_id) is not None:
        raise problem(409, "exists", f"contact {contact_id} exists already; PUT replaces it")
    return json_response(await _save_contact(db, contact_id, body), status=201)


async def replace_contact(request: web.Request) -> web.Response:
    db = _db(request)
    contact = await _contact_or_404(db, request.match_info["contact_id"])
    body = await read_body(request, ContactFields)
    return json_response(await _save_contact(db, contact.id, body))


async def delete_contact(request: web.Request) -> web.Response:
    contact_id = request.match_info["contact_id"]
    if not await directory.delete_contact(_db(request), contact_id):
        raise problem(404, "not_found", f"no contact {contact_id}")
    return _no_content()


# ---- users ----------------------------------------------------------------------------------


async def list_users(request: web.Request) -> web.Response:
    db = _db(request)
    if phone := request.query.get("phone"):
        found = await directory.user_by_phone(db, phone)
        return json_response({"items": [found] if found else []})
    return json_response({"items": await directory.list_users(db, **_paging(request))})


async def _user_or_404(db: Database, user_id: str) -> User:
    user = await directory.get_user(db, user_id)
    if user is None:
        raise problem(404, "not_found", f"no user {user_id}")
    return user


async def get_user(request: web.Request) -> web.Response:
    return json_response(await _user_or_404(_db(request), request.match_info["user_id"]))


async def _save_user(db: Database, user: User) -> User:
    """Check groups, name and phone uniqueness, then store (keeping the user's token)."""
    for group_id in user.group_ids:
        if await directory.get_group(db, group_id) is None:
            raise problem(422, "unknown_group", f"no group {group_id}")
    # Comments made outside the API are attributed by full name, so names must be unique.
    namesake = await directory.user_by_name(db, user.full_name)
    if namesake is not None and namesake.id != user.id:
        raise problem(409, "name_taken", f"user {namesake.id} is already named {user.full_name!r}")
    for phone in user.phones:
        owner = await directory.user_by_phone(db, phone)
        if owner is not None and owner.id != user.id:
            raise problem(409, "phone_taken", f"phone {phone} belongs to user {owner.id}")
    await directory.upsert_user(db, user)
    return user


async def create_user(request: web.Request) -> web.Response:
    require_admin(request)
    db = _db(request)
    body = await read_body(request, UserIn)
    user_id = body.id or f"usr-{events.new_id()}"
    if await directory.get_user(db, user_id) is not None:
        raise problem(409, "exists", f"user {user_id} exists already; PUT replaces it")
    user = User(id=user_id, full_name=body.full_name, phones=body.phones,
                group_ids=body.group_ids, is_admin=body.is_admin)
    return json_response(await _save_user(db, user), status=201)


async def replace_user(request: web.Request) -> web.Response:
    me = require_admin(request)
    db = _db(request)
    user = await _user_or_404(db, request.match_info["user_id"])
    body = await read_body(request, UserFields)
    if user.is_service:
        raise problem(409, "service_user", f"{user.full_name} is a service user of the system")
    if user.id == me.id and not body.is_admin:
        raise problem(409, "own_admin_rights", "administrators cannot remove their own rights")
    updated = User(id=user.id, full_name=body.full_name, phones=body.phones,
                   group_ids=body.group_ids, is_admin=body.is_admin)
    return json_response(await _save_user(db, updated))


async def delete_user(request: web.Request) -> web.Response:
    me = require_admin(request)
    db = _db(request)
    user = await _user_or_404(db, request.match_info["user_id"])
    if user.is_service:
        raise problem(409, "service_user", f"{user.full_name} is a service user of the system")
    if user.id == me.id:
        raise problem(409, "own_account", "administrators cannot delete themselves")
    if count := await directory.count_contacts_of(db, user.id):
        raise problem(409, "responsible_for_contacts", f"user {user.id} is responsible for "
                      f"{count} contact(s); give them to someone else first")
    await directory.delete_user(db, user.id)
    return _no_content()


async def issue_token(request: web.Request) -> web.Response:
    """A new random token, returned once; the previous one stops working at once."""
    require_admin(request)
    db = _db(request)
    user = await _user_or_404(db, request.match_info["user_id"])
    token = secrets.token_urlsafe(32)
    if user.is_service or not await directory.set_token(db, user.id, token):
        raise problem(409, "service_user", f"{user.full_name} is a service user; service users "
                      "cannot use the API")
    response = json_response(TokenIssued(user_id=user.id, token=token), status=201)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_token(request: web.Request) -> web.Response:
    require_admin(request)
    user_id = request.match_info["user_id"]
    if not await directory.revoke_token(_db(request), user_id):
        raise problem(404, "not_found", f"no user {user_id}")
    return _no_content()


# ---- groups ---------------------------------------------------------------------------------


async def list_groups(request: web.Request) -> web.Response:
    return json_response({"items": await directory.list_groups(_db(request))})


async def _group_or_404(db: Database, group_id: str) -> Group:
    group = await directory.get_group(db, group_id)
    if group is None:
        raise problem(404, "not_found", f"no group {group_id}")
    return group


async def get_group(request: web.Request) -> web.Response:
    return json_response(await _group_or_404(_db(request), request.match_info["group_id"]))


async def _save_group(db: Database, group: Group) -> Group:
    try:
        await directory.upsert_group(db, group)
    except ValueError as exc:
        raise problem(409, "name_taken", str(exc)) from None
    return group


def _refuse_routing_group(request: web.Request, group: Group) -> None:
    """Hand-over finds the contact centre by name; renaming or deleting it stops routing."""
    if group.name == request.app[DEPS].settings.wabridge_contact_centre_group:
        raise problem(409, "routing_group", f"{group.name!r} receives tasks of contacts without "
                      "a responsible employee (WABRIDGE_CONTACT_CENTRE_GROUP)")


async def create_group(request: web.Request) -> web.Response:
    require_admin(request)
    db = _db(request)
    body = await read_body(request, GroupIn)
    group_id = body.id or f"grp-{events.new_id()}"
    if await directory.get_group(db, group_id) is not None:
        raise problem(409, "exists", f"group {group_id} exists already; PUT replaces it")
    return json_response(await _save_group(db, Group(id=group_id, name=body.name)), status=201)


async def replace_group(request: web.Request) -> web.Response:
    require_admin(request)
    db = _db(request)
    group = await _group_or_404(db, request.match_info["group_id"])
    body = await read_body(request, GroupFields)
    if body.name != group.name:
        _refuse_routing_group(request, group)
    return json_response(await _save_group(db, Group(id=group.id, name=body.name)))


async def delete_group(request: web.Request) -> web.Response:
    require_admin(request)
    db = _db(request)
    group = await _group_or_404(db, request.match_info["group_id"])
    _refuse_routing_group(request, group)
    if count := await directory.count_members(db, group.id):
        raise problem(409, "group_has_members", f"group {group.name!r} still has {count} "
                      "member(s); move them first")
    await directory.delete_group(db, group.id)
    return _no_content()
