"""Wazzup's createContact / createDeal requests: answered at once with the entity we create.

Wazzup waits (30 s) for the new entity in its own CRUD shape. Our ids are derived from what
Wazzup sent, so a repeated request gets the same answer and creates nothing twice.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from shared.events import CreateContact, Message, derive_id
from shared.providers.common import gateway_envelope
from shared.providers.wazzup_schema import Delivery


def crm_reply(delivery: Delivery, received_at: datetime) -> tuple[dict[str, Any] | None,
                                                                   list[Message]]:
    """The JSON to answer with and the events to publish (both empty if nothing was asked)."""
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
        return reply, [event]
    if delivery.createDeal is not None:
        deal = delivery.createDeal
        deal_id = "wz-deal-" + derive_id("wazzup-deal", *sorted(deal.contacts))[:16]
        # our "deal" is the chat's task, which the first message creates; the id is stable
        return {"id": deal_id, "responsibleUserId": deal.responsibleUserId,
                "name": "Общение WhatsApp", "uri": f"urn:wabridge:deal:{deal_id}",
                "contacts": deal.contacts, "closed": False}, []
    return None, []
