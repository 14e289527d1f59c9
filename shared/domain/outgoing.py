"""A comment as the send commands that carry it to WhatsApp: one per gateway message.

Text and each file are separate parts where the gateway cannot carry a caption with a file
(Wazzup refuses both in one message); elsewhere the text rides as the first file's caption.
Part 0's send id is derived from the comment id alone, later parts add their index (and a
resend its attempt), so every caller produces the same commands for the same comment.
"""

from __future__ import annotations

from shared import events
from shared.domain.comments import Comment
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task

Part = tuple[str, AttachmentRecord | None]


def signed(signature: str, full_name: str, text: str) -> str:
    """A manager's text as the customer sees it: prefixed with the manager's full name."""
    if not full_name or not text:
        return text
    return signature.format(name=full_name, text=text)


def send_id(comment_id: str, part: int, attempt: str | None = None) -> str:
    """Deterministic per comment, part and (for a resend) attempt."""
    parts = [comment_id] + ([str(part)] if part else []) + ([attempt] if attempt else [])
    return events.derive_id("send", *parts)


def plan_parts(text: str, attachments: list[AttachmentRecord], *, caption_with_media: bool
               ) -> list[Part]:
    """(text, file) of each gateway message, in sending order."""
    if not attachments:
        return [(text, None)]
    if caption_with_media:
        return [(text if i == 0 else "", a) for i, a in enumerate(attachments)]
    head: list[Part] = [(text, None)] if text else []
    return head + [("", a) for a in attachments]


def sends_for(
    task: Task, comment: Comment, attachments: list[AttachmentRecord],
    reply_to_gateway_message_id: str | None, *, signature: str, caption_with_media: bool,
    skip_parts: frozenset[int] = frozenset(),
) -> list[events.SendMessage]:
    """The comment's send commands, without the parts in ``skip_parts`` (the customer has
    those already)."""
    # the bot's answer goes again as the bot sent it: unsigned, its text then its file (the
    # parts the customer has keep their numbers); a person's is signed with their name
    bot = comment.author_kind == "bot"
    text = "" if comment.template_id else comment.text if bot else signed(
        signature, comment.author_name or "", comment.text)
    out = []
    for part, (part_text, attachment) in enumerate(
            plan_parts(text, attachments, caption_with_media=caption_with_media and not bot)):
        if part in skip_parts:
            continue
        out.append(events.SendMessage(
            id=send_id(comment.id, part, comment.send_attempt), correlation_id=comment.id,
            occurred_at=comment.at,
            chat=task.chat, task_id=task.id, comment_id=comment.id, text=part_text, part=part,
            reply_to_gateway_message_id=reply_to_gateway_message_id if part == 0 else None,
            attachment=events.Attachment(
                file_id=attachment.stored_id, file_name=attachment.file_name,
                mime_type=attachment.mime_type, size=attachment.size or 0)
            if attachment else None,
            template_id=comment.template_id, template_values=comment.template_values or [],
            template_language=comment.template_language))
    return out

