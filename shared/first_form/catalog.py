"""First Form's ids for what the configuration names: the category's fields and states, and a
contact's card by phone. Looked up once (by name, unless the configuration gives the id) and
kept for the life of the process."""

from __future__ import annotations

import asyncio
from typing import Any

from shared.domain import phones
from shared.errors import PermanentError
from shared.first_form import requests, responses
from shared.first_form.client import FirstFormClient
from shared.first_form.options import FIELD_KEYS, STATUS_KEYS, Options
from shared.logs import get_logger

log = get_logger(__name__)


class Catalog:
    def __init__(self, client: FirstFormClient, opts: Options) -> None:
        self._client = client
        self._opts = opts
        self._lock = asyncio.Lock()
        self._fields: dict[str, int] | None = None
        self._states: dict[str, int] | None = None
        self._contact_phone: int | None = None
        self._contacts: dict[str, int | None] = {}

    async def fields(self) -> dict[str, int]:
        """Field key (FIELD_KEYS) → ДП id; a field the category lacks is left out (logged)."""
        async with self._lock:
            if self._fields is None:
                wanted = {k: self._opts.fields[k] for k in FIELD_KEYS if k in self._opts.fields}
                self._fields = await self._ids_of(self._opts.subcat_id, wanted)
        return self._fields

    async def states(self) -> dict[str, int]:
        """Status key (bot, manager, closed) → state id."""
        async with self._lock:
            if self._states is None:
                found = dict(self._opts.state_ids)
                if set(STATUS_KEYS) - set(found):
                    by_name = await self._client.fetch(
                        requests.states(self._opts.subcat_id), responses.states)
                    for key in STATUS_KEYS:
                        name = self._opts.status_names.get(key, "")
                        if key not in found and name in by_name:
                            found[key] = by_name[name]
                self._states = found
        return self._states

    async def state_id(self, status: str) -> int:
        """The state id of our status name; a status First Form lacks is a setup error."""
        states = await self.states()
        key = next((k for k, name in self._opts.status_names.items() if name == status), None)
        if key is None or key not in states:
            raise PermanentError(f"First Form category {self._opts.subcat_id} has no state for "
                                 f"status {status!r} (FIRST_FORM_STATE_IDS)",
                                 code="FIRST_FORM_UNMAPPED_STATE")
        return states[key]

    def column(self, field_id: int) -> str:
        return self._opts.column.format(id=field_id)

    async def contact_card(self, phone: str) -> int | None:
        """The contact's card (a task in the contacts category) whose phone field is ``phone``;
        None when there is no contacts category configured or no card."""
        if not self._opts.contacts_subcat_id or not phone:
            return None
        key = phones.digits(phone)
        if key in self._contacts:
            return self._contacts[key]
        if self._contact_phone is None:
            ids = await self._ids_of(self._opts.contacts_subcat_id,
                                     {"phone": self._opts.contact_phone_field})
            self._contact_phone = ids.get("phone", 0)
        found = await self._find_contact(key) if self._contact_phone else None
        self._contacts[key] = found
        return found

    async def _find_contact(self, digits: str) -> int | None:
        column = self.column(self._contact_phone or 0)
        rows = await self._client.fetch(requests.search(
            self._opts.paths, subcat_id=self._opts.contacts_subcat_id, column=column,
            value=digits[-10:], match="contains", opened_only=False, columns=(column,)),
            responses.rows)
        for row in rows:
            shown = responses.pick(row, column)
            if shown is None or phones.digits(str(shown))[-10:] == digits[-10:]:
                return responses.row_task_id(row)
        return None

    async def _ids_of(self, subcat_id: int, wanted: dict[str, str]) -> dict[str, int]:
        ids = {k: int(v) for k, v in wanted.items() if v.isdigit()}
        names = {k: v for k, v in wanted.items() if not v.isdigit()}
        if names:
            listed: dict[str, Any] = await self._client.fetch(
                requests.ext_params(subcat_id), responses.ext_params)
            for key, name in names.items():
                if name in listed:
                    ids[key] = listed[name]
                else:
                    log.warning("First Form category has no such field; left empty",
                                subcat_id=subcat_id, field=name)
        return ids
