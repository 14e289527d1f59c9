"""Users (with API token, role, login and password management for admins) and groups (for
admins and supervisors) through the API. Every change is written to the audit log."""

from __future__ import annotations

import secrets

from aiohttp import web

from services.task_sync.api_common import DEPS, or_404
from services.task_sync.application import audit
from services.task_sync.application.passwords import hash_password
from services.task_sync.application.ports import Directory
from services.task_sync.auth import TOKENS, current_actor, require_admin, require_directory_editor
from services.task_sync.directory_schema import (
    GroupFields,
    GroupIn,
    PasswordIn,
    TokenIssued,
    UserFields,
    UserIn,
    directory_of,
    no_content,
    paging,
    user_view,
)
from services.task_sync.http_json import json_response, problem, read_body
from shared import events
from shared.domain.directory import Group, User

# ---- users ----------------------------------------------------------------------------------


async def _note(request: web.Request, action: str, kind: str, target: str,
                **details: object) -> None:
    await audit.record(request.app[DEPS], current_actor(request), action, kind, target,
                       **details)


async def _group(request: web.Request) -> Group:
    """The group the path names, or 404."""
    group_id = request.match_info["group_id"]
    return await or_404(directory_of(request).get_group(group_id), f"group {group_id}")

async def _user(request: web.Request) -> User:
    """The user the path names, or 404."""
    user_id = request.match_info["user_id"]
    return await or_404(directory_of(request).get_user(user_id), f"user {user_id}")

async def list_users(request: web.Request) -> web.Response:
    directory = directory_of(request)
    if phone := request.query.get("phone"):
        found = await directory.user_by_phone(phone)
        return json_response({"items": [user_view(found)] if found else []})
    return json_response({"items": [user_view(u) for u in
                                    await directory.list_users(**paging(request))]})


async def get_user(request: web.Request) -> web.Response:
    return json_response(user_view(await _user(request)))


async def _save_user(request: web.Request, user: User) -> User:
    """Check groups, name and phone uniqueness, then store (keeping the user's token)."""
    directory = directory_of(request)
    for group_id in user.group_ids:
        if await directory.get_group(group_id) is None:
            raise problem(422, "unknown_group", f"no group {group_id}")
    # Comments made outside the API are attributed by full name, so names must be unique.
    namesake = await directory.user_by_name(user.full_name)
    if namesake is not None and namesake.id != user.id:
        raise problem(409, "name_taken", f"user {namesake.id} is already named {user.full_name!r}")
    for phone in user.phones:
        owner = await directory.user_by_phone(phone)
        if owner is not None and owner.id != user.id:
            raise problem(409, "phone_taken", f"phone {phone} belongs to user {owner.id}")
    if user.login:
        holder = await request.app[DEPS].accounts.user_by_login(user.login)
        if holder is not None and holder.id != user.id:
            raise problem(409, "login_taken", f"user {holder.id} signs in as {user.login!r}")
    try:
        await directory.upsert_user(user)
    except ValueError as exc:
        raise problem(409, "login_taken", str(exc)) from None
    request.app[TOKENS].forget()  # a cached caller may have changed (role, groups)
    return user


async def create_user(request: web.Request) -> web.Response:
    require_admin(request)
    directory = directory_of(request)
    body = await read_body(request, UserIn)
    user_id = body.id or f"usr-{events.new_id()}"
    if await directory.get_user(user_id) is not None:
        raise problem(409, "exists", f"user {user_id} exists already; PUT replaces it")
    user = User(id=user_id, full_name=body.full_name, login=body.login,
                role=body.effective_role, phones=body.phones, group_ids=body.group_ids)
    hashed = await hash_password(body.password) if body.password else None
    await _save_user(request, user)
    if hashed:
        await request.app[DEPS].accounts.set_password_hash(user.id, hashed, events.utcnow())
    await _note(request, "user.create", "user", user.id, role=user.role, login=user.login,
                password_set=bool(hashed) or None)
    return json_response(user_view(user), status=201)


async def replace_user(request: web.Request) -> web.Response:
    me = require_admin(request)
    user = await _user(request)
    body = await read_body(request, UserFields)
    if user.is_service:
        raise problem(409, "service_user", f"{user.full_name} is a service user of the system")
    if user.id == me.id and body.effective_role != "admin":
        raise problem(409, "own_admin_rights", "administrators cannot remove their own rights")
    updated = User(id=user.id, full_name=body.full_name, login=body.login,
                   role=body.effective_role, phones=body.phones, group_ids=body.group_ids)
    await _save_user(request, updated)
    await _note(request, "user.update", "user", user.id, role=updated.role,
                login=updated.login, group_ids=updated.group_ids)
    return json_response(user_view(updated))


async def set_password(request: web.Request) -> web.Response:
    """A new console password (admins); the user's open sessions end."""
    require_admin(request)
    deps = request.app[DEPS]
    user = await _user(request)
    body = await read_body(request, PasswordIn)
    if user.is_service:
        raise problem(409, "service_user", f"{user.full_name} is a service user of the system")
    await deps.accounts.set_password_hash(user.id, await hash_password(body.password),
                                          events.utcnow())
    await deps.accounts.end_sessions_of(user.id)
    await _note(request, "user.password", "user", user.id)
    return no_content()


async def delete_user(request: web.Request) -> web.Response:
    me = require_admin(request)
    directory = directory_of(request)
    user = await _user(request)
    if user.is_service:
        raise problem(409, "service_user", f"{user.full_name} is a service user of the system")
    if user.id == me.id:
        raise problem(409, "own_account", "administrators cannot delete themselves")
    if count := await directory.count_contacts_of(user.id):
        raise problem(409, "responsible_for_contacts", f"user {user.id} is responsible for "
                      f"{count} contact(s); give them to someone else first")
    await directory.delete_user(user.id)
    request.app[TOKENS].forget()
    await _note(request, "user.delete", "user", user.id)
    return no_content()


async def issue_token(request: web.Request) -> web.Response:
    """A new random token, returned once; the previous one stops working at once."""
    require_admin(request)
    directory = directory_of(request)
    user = await _user(request)
    token = secrets.token_urlsafe(32)
    if user.is_service or not await directory.set_token(user.id, token):
        raise problem(409, "service_user", f"{user.full_name} is a service user; service users "
                      "cannot use the API")
    request.app[TOKENS].forget()
    await _note(request, "token.issue", "user", user.id)
    response = json_response(TokenIssued(user_id=user.id, token=token), status=201)
    response.headers["Cache-Control"] = "no-store"
    return response


async def revoke_token(request: web.Request) -> web.Response:
    require_admin(request)
    user_id = request.match_info["user_id"]
    if not await directory_of(request).revoke_token(user_id):
        raise problem(404, "not_found", f"no user {user_id}")
    request.app[TOKENS].forget()
    await _note(request, "token.revoke", "user", user_id)
    return no_content()


# ---- groups ---------------------------------------------------------------------------------


async def list_groups(request: web.Request) -> web.Response:
    return json_response({"items": await directory_of(request).list_groups()})


async def get_group(request: web.Request) -> web.Response:
    return json_response(await _group(request))


async def _save_group(directory: Directory, group: Group) -> Group:
    try:
        await directory.upsert_group(group)
    except ValueError as exc:
        raise problem(409, "name_taken", str(exc)) from None
    return group


def _refuse_routing_group(request: web.Request, group: Group) -> None:
    """Hand-over finds the contact centre by name; renaming or deleting it stops routing."""
    if group.name == request.app[DEPS].settings.wabridge_contact_centre_group:
        raise problem(409, "routing_group", f"{group.name!r} receives tasks of contacts without "
                      "a responsible employee (WABRIDGE_CONTACT_CENTRE_GROUP)")


async def create_group(request: web.Request) -> web.Response:
    require_directory_editor(request)
    directory = directory_of(request)
    body = await read_body(request, GroupIn)
    group_id = body.id or f"grp-{events.new_id()}"
    if await directory.get_group(group_id) is not None:
        raise problem(409, "exists", f"group {group_id} exists already; PUT replaces it")
    group = await _save_group(directory, Group(id=group_id, name=body.name))
    await _note(request, "group.create", "group", group.id, name=group.name)
    return json_response(group, status=201)


async def replace_group(request: web.Request) -> web.Response:
    require_directory_editor(request)
    directory = directory_of(request)
    group = await _group(request)
    body = await read_body(request, GroupFields)
    if body.name != group.name:
        _refuse_routing_group(request, group)
    renamed = await _save_group(directory, Group(id=group.id, name=body.name))
    await _note(request, "group.update", "group", group.id, name=renamed.name)
    return json_response(renamed)


async def delete_group(request: web.Request) -> web.Response:
    require_directory_editor(request)
    directory = directory_of(request)
    group = await _group(request)
    _refuse_routing_group(request, group)
    if count := await directory.count_members(group.id):
        raise problem(409, "group_has_members", f"group {group.name!r} still has {count} "
                      "member(s); move them first")
    await directory.delete_group(group.id)
    request.app[TOKENS].forget()
    await _note(request, "group.delete", "group", group.id, name=group.name)
    return no_content()
