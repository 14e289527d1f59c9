"""Contacts imported from a CSV file, row by row, each checked as the API checks a contact.

The first row names the columns: ``name`` (required); ``phones`` or ``phone`` (several
separated by ``,``, ``;`` or ``|``; quote the cell if it holds the file's separator);
``responsible`` (a user's id or login; optional); ``id`` (optional: an existing contact with
this id is replaced). Columns are separated by ``,``, ``;`` or tabs, whichever the header row
uses. Rows are numbered as a spreadsheet shows them (the header is row 1). A rejected row is
reported with a stable ``code`` (and the ``params`` its sentence needs) for the console to word
in the person's language, the English ``reason`` beside it, and stores nothing:

``no_name_column``; ``too_many_rows`` {max}; ``name_missing``; ``bad_phone`` {phone};
``unknown_responsible`` {responsible}; ``invalid_field`` {field} (any other check of a
contact's fields; the reason says which); ``phone_repeated`` {phone} (in an earlier row of the
file); ``phone_taken`` {phone, contact} (another contact's); ``unknown_user`` {user_id}."""

from __future__ import annotations

import csv
import io
import re

import msgspec

from services.task_sync.application.ports import Directory
from services.task_sync.deps import Deps
from services.task_sync.directory_schema import ContactFields, ContactIn
from shared import events
from shared.domain.directory import Contact, digits, normal_login

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000


class Rejected(msgspec.Struct):
    row: int
    reason: str
    code: str
    params: dict[str, str] = {}


class RowRefused(ValueError):
    """Why a row cannot be a contact: a code, its sentence's values, and the English reason."""

    def __init__(self, code: str, reason: str, **params: str) -> None:
        super().__init__(reason)
        self.code, self.params = code, params


class ImportReport(msgspec.Struct):
    imported: int
    rejected: list[Rejected]


async def import_csv(deps: Deps, text: str) -> ImportReport:
    """Store every acceptable row; report the others."""
    directory = deps.directory
    reader = csv.DictReader(io.StringIO(text), delimiter=_delimiter(text))
    columns = {(c or "").strip().lower() for c in reader.fieldnames or []}
    if "name" not in columns:
        return ImportReport(imported=0, rejected=[Rejected(
            row=1, reason="the header row has no 'name' column", code="no_name_column")])
    imported, rejected, seen_phones = 0, [], set[str]()
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            rejected.append(Rejected(row=number, reason=f"more than {MAX_ROWS} rows; the rest "
                                     "was not read", code="too_many_rows",
                                     params={"max": str(MAX_ROWS)}))
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
               if isinstance(v, str)}
        if not any(row.values()):
            continue
        try:
            body = await _contact_of(deps, row)
        except RowRefused as exc:
            rejected.append(Rejected(row=number, reason=str(exc), code=exc.code,
                                     params=exc.params))
            continue
        contact_id = body.id or f"cnt-{events.new_id()}"
        refusal = await _stored_refusal(directory, contact_id, body, seen_phones)
        if refusal:
            rejected.append(Rejected(row=number, reason=str(refusal), code=refusal.code,
                                     params=refusal.params))
            continue
        seen_phones.update(body.phones)
        await directory.upsert_contact(Contact(
            id=contact_id, name=body.name, phones=body.phones,
            responsible_user_id=body.responsible_user_id))
        imported += 1
    return ImportReport(imported=imported, rejected=rejected)


def _delimiter(text: str) -> str:
    """The header row's separator: ',' or ';' (spreadsheets in Russian locales) or a tab."""
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header.count)


async def _contact_of(deps: Deps, row: dict[str, str]) -> ContactIn:
    """The row as a contact, validated; RowRefused saying why not."""
    cell = row.get("phones") or row.get("phone") or ""
    phones = [p for p in re.split(r"[,;|]", cell) if p.strip()]
    # the checks ContactIn makes, made first here so that each has its code
    if not row.get("name", "").strip():
        raise RowRefused("name_missing", "name must not be empty")
    for phone in phones:
        if not 7 <= len(digits(phone)) <= 15:
            raise RowRefused("bad_phone", f"phone {phone.strip()!r} must have 7 to 15 digits",
                             phone=phone.strip())
    responsible = row.get("responsible") or None
    if responsible is not None:
        user = (await deps.directory.get_user(responsible)
                or await deps.accounts.user_by_login(normal_login(responsible)))
        if user is None or user.is_service:
            raise RowRefused("unknown_responsible", f"responsible {responsible!r} is not an "
                             "employee in the directory", responsible=responsible)
        responsible = user.id
    try:
        return msgspec.convert({"id": row.get("id") or None, "name": row.get("name", ""),
                                "phones": phones, "responsible_user_id": responsible},
                               ContactIn)
    except msgspec.ValidationError as exc:
        at = re.search(r"`\$\.(\w+)", str(exc))
        raise RowRefused("invalid_field", str(exc), field=at[1] if at else "") from None


async def _stored_refusal(directory: Directory, contact_id: str, body: ContactIn,
                          seen_phones: set[str]) -> RowRefused | None:
    """Why the valid row cannot be stored: a phone of an earlier row or of another contact."""
    repeated = [p for p in body.phones if p in seen_phones]
    if repeated:
        return RowRefused("phone_repeated", f"phone {repeated[0]} appears in an earlier row",
                          phone=repeated[0])
    for phone in body.phones:
        owner = await directory.contact_phone_owner(phone)
        if owner is not None and owner != contact_id:
            return RowRefused("phone_taken", f"phone {phone} belongs to contact {owner}",
                              phone=phone, contact=owner)
    refusal = await contact_refusal(directory, contact_id, body)
    if refusal:
        return RowRefused(refusal[1], refusal[2], user_id=body.responsible_user_id or "")
    return None


async def contact_refusal(directory: Directory, contact_id: str,
                          body: ContactFields) -> tuple[int, str, str] | None:
    """Why the contact cannot be stored as given (status, error, reason), or None."""
    if body.responsible_user_id is not None:
        user = await directory.get_user(body.responsible_user_id)
        if user is None or user.is_service:
            return (422, "unknown_user", f"responsible_user_id {body.responsible_user_id} "
                    "is not an employee in the directory")
    for phone in body.phones:
        owner = await directory.contact_phone_owner(phone)
        if owner is not None and owner != contact_id:
            return 409, "phone_taken", f"phone {phone} belongs to contact {owner}"
    return None
