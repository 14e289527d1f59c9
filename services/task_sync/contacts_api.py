"""The contacts directory through the API: name, phones, responsible employee."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.api_common import or_404
from services.task_sync.application.ports import Directory
from services.task_sync.directory_schema import (
    ContactFields,
    ContactIn,
    directory_of,
    no_content,
    paging,
)
from services.task_sync.http_json import json_response, problem, read_body
from shared import events
from shared.domain.directory import Contact

# ---- contacts -------------------------------------------------------------------------------



async def _contact(request: web.Request) -> Contact:
    """The contact the path names, or 404."""
    contact_id = request.match_info["contact_id"]
    return await or_404(directory_of(request).get_contact(contact_id), f"contact {contact_id}")

async def list_contacts(request: web.Request) -> web.Response:
    directory = directory_of(request)
    if phone := request.query.get("phone"):
        found = await directory.contact_by_phone(phone)
        return json_response({"items": [found] if found else []})
    items = await directory.list_contacts(name_part=request.query.get("q"), **paging(request))
    return json_response({"items": items})


async def get_contact(request: web.Request) -> web.Response:
    return json_response(await _contact(request))


async def _save_contact(directory: Directory, contact_id: str, body: ContactFields) -> Contact:
    """Check references and phone ownership, then store."""
    if body.responsible_user_id is not None:
        user = await directory.get_user(body.responsible_user_id)
        if user is None or user.is_service:
            raise problem(422, "unknown_user", f"responsible_user_id {body.responsible_user_id} "
                          "is not an employee in the directory")
    for phone in body.phones:
        owner = await directory.contact_phone_owner(phone)
        if owner is not None and owner != contact_id:
            raise problem(409, "phone_taken", f"phone {phone} belongs to contact {owner}")
    contact = Contact(id=contact_id, name=body.name, phones=body.phones,
                      responsible_user_id=body.responsible_user_id)
    await directory.upsert_contact(contact)
    return contact


async def create_contact(request: web.Request) -> web.Response:
    directory = directory_of(request)
    body = await read_body(request, ContactIn)
    contact_id = body.id or f"cnt-{events.new_id()}"
    if await directory.get_contact(contact_id) is not None:
        raise problem(409, "exists", f"contact {contact_id} exists already; PUT replaces it")
    return json_response(await _save_contact(directory, contact_id, body), status=201)


async def replace_contact(request: web.Request) -> web.Response:
    directory = directory_of(request)
    contact = await _contact(request)
    body = await read_body(request, ContactFields)
    return json_response(await _save_contact(directory, contact.id, body))


async def delete_contact(request: web.Request) -> web.Response:
    contact_id = request.match_info["contact_id"]
    if not await directory_of(request).delete_contact(contact_id):
        raise problem(404, "not_found", f"no contact {contact_id}")
    return no_content()
