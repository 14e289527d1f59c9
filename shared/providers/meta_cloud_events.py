"""Meta Cloud API notification items as our events (pure; the schema is in ``meta_cloud_schema``).

Every entry, change, message, echo and status becomes an event: a batched notification must
never lose its later items. A customer is named by every identifier Meta gave: the phone
(``from``/``wa_id``, withheld for some username users), the business-scoped user id (BSUID), its
parent and the username; bot-router links them into one customer.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import msgspec

from shared.domain.phones import digits
from shared.events import ChatRef, MessageReceived, StatusUpdated, TemplateStatusChanged
from shared.providers.base import GatewayAccount
from shared.providers.common import gateway_envelope
from shared.providers.http_answer import epoch_seconds
from shared.providers.meta_cloud_content import Content, content_of, error_text
from shared.providers.meta_cloud_schema import (
    Contact,
    Message,
    Status,
    TemplateUpdate,
    Value,
)

NAME = "meta"
__all__ = ["NAME", "echo_event", "error_text", "message_event", "status_event",
           "template_event"]


class Sender(NamedTuple):
    phone: str | None = None
    user_id: str | None = None
    parent_user_id: str | None = None
    username: str | None = None
    name: str | None = None

    @property
    def chat_id(self) -> str:
        # The BSUID is Meta's stable key when it is there (the phone can be withheld); with
        # neither, the chat id stays empty and bot-router records the message as a problem.
        return self.user_id or self.phone or ""


def message_event(
    item: Message, value: Value, account: GatewayAccount, received_at: datetime
) -> MessageReceived:
    """One inbound message (or reaction, button tap, form, edit, revoke, system notice)."""
    sender = _sender(item, value.contacts)
    in_group = item.group_id is not None
    chat = ChatRef(
        provider=NAME, channel_id=account.channel_id or value.metadata.phone_number_id,
        chat_type="whatsgroup" if in_group else "whatsapp",
        chat_id=item.group_id or sender.chat_id,
    )
    event = _event(item, value, chat, received_at, _revised_content(item))
    group_fields = {"participant_id": sender.chat_id or None, "participant_name": sender.name,
                    "participant_phone": sender.phone} if in_group else {
        "contact_name": sender.name, "contact_phone": sender.phone}
    return _with(event, **group_fields, user_id=sender.user_id,
                 parent_user_id=sender.parent_user_id, username=sender.username,
                 **_system_fields(item))


def echo_event(
    item: Message, value: Value, account: GatewayAccount, received_at: datetime
) -> MessageReceived:
    """A message the business sent from the WhatsApp Business app on a coexistence number."""
    chat = ChatRef(provider=NAME,
                   channel_id=account.channel_id or value.metadata.phone_number_id,
                   chat_type="whatsapp", chat_id=item.to_user_id or item.to or "")
    event = _event(item, value, chat, received_at, _revised_content(item))
    return _with(event, is_echo=True, contact_phone=item.to, user_id=item.to_user_id)


def status_event(
    item: Status, value: Value, received_at: datetime
) -> StatusUpdated:
    """One delivery status of a message we sent; ``failed`` carries Meta's first error."""
    status = item.status.lower()
    error = item.errors[0] if item.errors else None
    return StatusUpdated(
        **gateway_envelope(received_at, NAME, "status", item.id, status),
        provider=NAME,
        gateway_message_id=item.id,
        status=status,
        at=epoch_seconds(item.timestamp),
        error_code=None if error is None or error.code is None else str(error.code),
        error_text=error_text(error),
        channel_id=value.metadata.phone_number_id,
        chat_id=item.recipient_id or item.recipient_user_id,
        pricing_category=item.pricing.category if item.pricing else None,
    )


def template_event(item: TemplateUpdate, field: str, account_id: str,
                   received_at: datetime) -> TemplateStatusChanged:
    """A template's review status (or its category) changed."""
    template_id = "" if item.message_template_id is None else str(item.message_template_id)
    status = (item.event or ("category_changed" if item.new_category else "")).lower()
    return TemplateStatusChanged(
        **gateway_envelope(received_at, NAME, field, template_id, status,
                           item.message_template_language or "", item.new_category or ""),
        provider=NAME, template_id=template_id, name=item.message_template_name or "",
        language=item.message_template_language or "", status=status, reason=item.reason,
        category=item.new_category or item.message_template_category, account_id=account_id)


class _Revised(NamedTuple):
    content: Content
    target: str | None = None  # the message an edit or revoke changes
    edited: bool = False
    deleted: bool = False


def _revised_content(item: Message) -> _Revised:
    if item.type == "edit" and item.edit is not None:
        target = item.edit.original_message_id or item.edit.message_id
        if target and item.edit.message is not None:
            return _Revised(content_of(item.edit.message), target, edited=True)
    if item.type == "revoke" and item.revoke is not None:
        target = item.revoke.original_message_id or item.revoke.message_id
        if target:
            return _Revised(Content("text"), target, deleted=True)
    if item.type == "system" and item.system is not None:
        return _Revised(Content("system", text=item.system.body))
    return _Revised(content_of(item))


def _event(item: Message, value: Value, chat: ChatRef, received_at: datetime,
           revised: _Revised) -> MessageReceived:
    content = revised.content
    raw_type = item.unsupported.type if item.unsupported and item.unsupported.type else item.type
    return MessageReceived(
        **gateway_envelope(received_at, NAME, "message", value.metadata.phone_number_id,
                           item.id),
        chat=chat,
        gateway_message_id=revised.target or item.id,
        content_type=content.content_type,
        text=content.text,
        raw_type=raw_type,
        sent_at=epoch_seconds(item.timestamp),
        quoted_gateway_message_id=content.reacted_to or (
            item.context.id if item.context else None),
        is_edited=revised.edited,
        is_deleted=revised.deleted,
        media=content.media,
        reaction=content.reaction,
        reply_payload=content.reply_payload,
        form_name=content.form_name,
        form=list(content.form),
    )


def _with(event: MessageReceived, **fields: object) -> MessageReceived:
    return msgspec.structs.replace(event, **fields)


def _system_fields(item: Message) -> dict[str, str | None]:
    system = item.system
    if item.type != "system" or system is None:
        return {}
    changed_number = system.type == "user_changed_number"
    return {"system_kind": system.type or "system",
            "new_phone": system.new_wa_id or (system.wa_id if changed_number else None),
            "new_user_id": system.new_user_id or (
                system.user_id if system.type == "user_changed_user_id" else None)}


def _sender(item: Message, contacts: list[Contact]) -> Sender:
    contact = _contact_for(item, contacts)
    profile = contact.profile if contact else None
    return Sender(
        phone=item.from_ or (contact.wa_id if contact else None),
        user_id=item.from_user_id or item.user_id or (contact.user_id if contact else None),
        parent_user_id=item.from_parent_user_id or item.parent_user_id or (
            contact.parent_user_id if contact else None),
        username=(profile.username if profile else None) or (
            contact.username if contact else None),
        name=profile.name if profile else None,
    )


def _contact_for(item: Message, contacts: list[Contact]) -> Contact | None:
    """The contact entry of the message's sender: matched by phone or BSUID, never by name."""
    user_id = item.from_user_id or item.user_id
    for contact in contacts:
        if (item.from_ and contact.wa_id == item.from_) or (
                user_id and contact.user_id == user_id):
            return contact
    if len(contacts) != 1:
        return None
    # One contact in the change is the sender's unless its ids say otherwise (a username user
    # has no `from`; a Brazilian wa_id may lack the ninth digit that `from` has).
    only = contacts[0]
    other_phone = bool(item.from_ and only.wa_id and digits(only.wa_id) != digits(item.from_))
    other_user = bool(user_id and only.user_id and only.user_id != user_id)
    return None if other_phone or other_user else only
