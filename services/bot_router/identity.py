"""Finding a message's conversation whichever identifier it names the customer by.

The fast path costs one lookup: the open conversation of the message's chat (or of the chat it
was last found under) already knows every identifier the message carries. Otherwise the
identity store links the identifiers to one customer, and the customer's open conversation is
looked up under every chat id the customer has had. Two open conversations of one customer (two
customers found to be one) keep the older; the other is retired with a notice in both tasks.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from services.bot_router.ports import ConversationStore, IdentityStore, Publisher
from shared import events
from shared.domain.conversations import Conversation
from shared.domain.identities import (
    ConversationIdentity,
    LinkSource,
    changed_identifiers,
    chat_ids_of,
    identifiers_of,
)
from shared.errors import RetryableError

ALIASES_KEPT = 50_000


class ChatAliases:
    """Which conversation chat key a message's own chat key was last found under (bounded)."""

    def __init__(self, size: int = ALIASES_KEPT) -> None:
        self._size = size
        self._keys: OrderedDict[str, str] = OrderedDict()

    def get(self, chat_key: str) -> str:
        return self._keys.get(chat_key, chat_key)

    def remember(self, chat_key: str, conversation_key: str) -> None:
        if chat_key == conversation_key:
            self._keys.pop(chat_key, None)
            return
        self._keys[chat_key] = conversation_key
        self._keys.move_to_end(chat_key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)


class Located(NamedTuple):
    conversation: Conversation | None
    identity: ConversationIdentity | None = None


async def locate(conversations: ConversationStore, identities: IdentityStore,
                 publisher: Publisher, aliases: ChatAliases, event: events.MessageReceived
                 ) -> Located:
    """The open conversation ``event`` belongs to (None: it opens one), and its identity."""
    found = identifiers_of(event)
    keys = [i.key for i in found]
    changed = changed_identifiers(event)
    looked_up = aliases.get(event.chat.key)
    conv = await conversations.find_open(looked_up)
    if not found or (conv is not None and conv.knows(keys) and not changed):
        return Located(conv)
    source = LinkSource(event_id=event.id, gateway_message_id=event.gateway_message_id,
                        reason=event.system_kind or "")
    resolution = await identities.resolve(event.chat.provider, found, chat_ids_of(event), source,
                                          events.utcnow(), changed)
    customer = resolution.customer
    identity = ConversationIdentity(
        customer_id=customer.id, identifiers=[*keys, *(i.key for i in changed)],
        phone=customer.phone)
    chat = event.chat
    candidates = [f"{chat.channel_id}:{chat.chat_type}:{cid}" for cid in customer.chat_ids]
    if candidates == [looked_up] and conv is None:
        return Located(None, identity)  # a new customer with the one chat just looked up
    open_ones = await conversations.find_open_any(candidates)
    if not open_ones:
        return Located(None, identity)
    keep, *others = open_ones
    for other in others:
        await _retire(conversations, publisher, event, other, keep)
    aliases.remember(chat.key, keep.chat.key)
    return Located(keep, identity)


async def _retire(conversations: ConversationStore, publisher: Publisher,
                  event: events.MessageReceived, other: Conversation, keep: Conversation) -> None:
    """The notices first (idempotent ids), then the retirement: a crash between them repeats
    the notices, never loses them."""
    now = events.utcnow()
    notes = [(other.task_id, f"[notice] The same customer writes in task {keep.task_id}; "
              "new messages go there."),
             (keep.task_id, f"[notice] Recognised as the customer of task {other.task_id} "
              "(same WhatsApp identity); that dialogue continues here.")]
    await publisher.publish_all([
        events.AddComment(
            id=events.derive_id("merge", event.id, other.id, task_id),
            correlation_id=event.correlation_id, occurred_at=now,
            comment_id=events.derive_id("merge-notice", other.id, task_id), task_id=task_id,
            author_kind="system", direction="out", text=text, at=now, content_type="system")
        for task_id, text in notes])
    if not await conversations.retire(other, keep.id):
        raise RetryableError(f"conversation {other.id} changed while being merged",
                             code="CONFLICT")
