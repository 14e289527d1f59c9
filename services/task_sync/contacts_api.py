"""The contacts directory through the API: name, phones, responsible employee. Everyone reads
it; admins and supervisors edit it (and import CSV files); every change is audited."""

from __future__ import annotations

from aiohttp import web

from services.task_sync.api_common import DEPS, or_404
from services.task_sync.application import audit
from services.task_sync.application.ports import Directory
from services.task_sync.auth import current_actor, require_directory_editor
from services.task_sync.contacts_import import MAX_BYTES, contact_refusal, import_csv
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


async def _note(request: web.Request, action: str, target: str, **details: object) -> None:
    await audit.record(request.app[DEPS], current_actor(request), action, "contact", target,
                       **details)


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
    if refusal := await contact_refusal(directory, contact_id, body):
        raise problem(*refusal)
    contact = Contact(id=contact_id, name=body.name, phones=body.phones,
                      responsible_user_id=body.responsible_user_id)
    await directory.upsert_contact(contact)
    return contact


async def create_contact(request: web.Request) -> web.Response:
    require_directory_editor(request)
    directory = directory_of(request)
    body = await read_body(request, ContactIn)
    contact_id = body.id or f"cnt-{events.new_id()}"
    if await directory.get_contact(contact_id) is not None:
        raise problem(409, "exists", f"contact {contact_id} exists already; PUT replaces it")
    contact = await _save_contact(directory, contact_id, body)
    await _note(request, "contact.create", contact.id, name=contact.name)
    return json_response(contact, status=201)


async def replace_contact(request: web.Request) -> web.Response:
    require_directory_editor(request)
    directory = directory_of(request)
    contact = await _contact(request)
    body = await read_body(request, ContactFields)
    saved = await _save_contact(directory, contact.id, body)
    await _note(request, "contact.update", contact.id, name=saved.name)
    return json_response(saved)


async def delete_contact(request: web.Request) -> web.Response:
    require_directory_editor(request)
    contact_id = request.match_info["contact_id"]
    if not await directory_of(request).delete_contact(contact_id):
        raise problem(404, "not_found", f"no contact {contact_id}")
    await _note(request, "contact.delete", contact_id)
    return no_content()


async def import_contacts(request: web.Request) -> web.Response:
    """Contacts from a CSV file (a header row naming the columns); each row is checked as a
    contact created through the API, and the rows that cannot be are reported, not stored."""
    require_directory_editor(request)
    raw = await request.content.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise problem(413, "file_too_large", f"the CSV file is over {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise problem(422, "not_utf8", "the CSV file must be UTF-8 text") from None
    report = await import_csv(request.app[DEPS], text)
    await audit.record(request.app[DEPS], current_actor(request), "contacts.import",
                       "contacts", "csv", imported=report.imported,
                       rejected=len(report.rejected))
    return json_response(report)
