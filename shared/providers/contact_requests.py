"""A gateway's request for a client card that it expects back in its answer (Wazzup's
``createContact``): when the directory already has a contact for one of the phones, the
answer is that contact, and nothing is created. Pure: ingest does the look-up."""

from __future__ import annotations

from typing import Any

import msgspec

from shared.events import Message


class KnownContact(msgspec.Struct, frozen=True, kw_only=True):
    """A contact the directory has (task-sync's ``GET /api/v1/contacts?phone=``)."""

    id: str
    name: str
    responsible_user_id: str | None = None


class ContactRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the gateway asked for: its phones, the id of the event that would create the
    contact, and where the answer names the contact's id, name and responsible employee
    (our field → the gateway's key)."""

    phones: list[str]
    event_id: str
    reply_keys: dict[str, str]


def answered_with(reply: dict[str, Any], found: list[Message], request: ContactRequest,
                  known: KnownContact) -> tuple[dict[str, Any], list[Message]]:
    """The answer naming ``known`` instead of a new contact, and the events without the one
    that would have created it. A contact without a responsible employee keeps the one the
    gateway asked for."""
    fields = {"id": known.id, "name": known.name,
              "responsible_user_id": known.responsible_user_id}
    answer = dict(reply)
    for ours, theirs in request.reply_keys.items():
        if fields.get(ours) is not None:
            answer[theirs] = fields[ours]
    return answer, [e for e in found if e.id != request.event_id]
