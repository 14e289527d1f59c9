"""Wazzup's createContact / createDeal requests: answered at once with the entity we create.

Wazzup waits (30 s) for the new entity in its own CRUD shape. Our ids are derived from what
Wazzup sent, so a repeated request gets the same answer and creates nothing twice. A
createContact for a phone the directory already knows is answered with that contact instead
(``contact_request``: ingest asks task-sync, ``contact_requests.answered_with``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shared.events import CreateContact, Message, derive_id
from shared.providers.common import gateway_envelope
from shared.providers.contact_requests import ContactRequest
from shared.providers.wazzup_schema import Delivery

# where Wazzup's contact entity names what the directory's contact answers with
CONTACT_KEYS = {"id": "id", "name": "name", "responsible_user_id": "responsibleUserId"}


def crm_reply(delivery: Delivery, received_at: datetime) -> tuple[
        dict[str, Any] | None, list[Message], ContactRequest | None]:
    """The JSON to answer with, the events to publish (both empty if nothing was asked) and,
    for a createContact, the request an existing contact answers instead."""
    if delivery.createContact is not None:
        ask = delivery.createContact
        keys = sorted(f"{d.chatType}:{d.chatId}" for d in ask.contactData)
        contact_id = "wz-" + derive_id("wazzup-contact", *keys)[:16]
        phones = [re.sub(r"\D", "", d.phone or d.chatId) for d in ask.contactData
                  if d.chatType in ("whatsapp", "viber") or d.phone]
        event = CreateContact(
            **gateway_envelope(received_at, "wazzup-create-contact", contact_id,
                               correlation_id=contact_id),
            contact_id=contact_id, name=ask.name,
            phones=[p for p in phones if p], responsible_user_id=ask.responsibleUserId)
        reply = {"id": contact_id, "responsibleUserId": ask.responsibleUserId, "name": ask.name,
                 "contactData": [{"chatType": d.chatType, "chatId": d.chatId}
                                 for d in ask.contactData]}
        asked = ContactRequest(phones=event.phones, event_id=event.id, reply_keys=CONTACT_KEYS)
        return reply, [event], asked
    if delivery.createDeal is not None:
        deal = delivery.createDeal
        deal_id = "wz-deal-" + derive_id("wazzup-deal", *sorted(deal.contacts))[:16]
        # our "deal" is the chat's task, which the first message creates; the id is stable
        return {"id": deal_id, "responsibleUserId": deal.responsibleUserId,
                "name": "Общение WhatsApp", "uri": f"urn:wabridge:deal:{deal_id}",
                "contacts": deal.contacts, "closed": False}, [], None
    return None, [], None
