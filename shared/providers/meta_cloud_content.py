"""What a Meta message says: its content type, text, file, reaction, button or form answer.

Pure; shared by customer messages, echoes and the new content of an ``edit``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shared.events import ContentType, FormField, MediaRef
from shared.providers.meta_cloud_forms import form_fields, render
from shared.providers.meta_cloud_schema import Body, Error, Media

_MEDIA_TYPES: dict[str, ContentType] = {
    "image": "image", "audio": "audio", "video": "video", "document": "document",
    "sticker": "sticker",
}


class Content(NamedTuple):
    content_type: ContentType
    text: str = ""
    media: MediaRef | None = None
    reaction: str | None = None
    reply_payload: str | None = None
    reacted_to: str | None = None
    form_name: str | None = None
    form: tuple[FormField, ...] = ()


def content_of(item: Body) -> Content:
    """The content of ``item`` (``unsupported`` with Meta's error title when we cannot read it)."""
    kind = item.type
    if kind == "text" and item.text is not None:
        return Content("text", text=item.text.body)
    media = _media_of(item)
    if media is not None:
        return media
    if kind == "location" and item.location is not None:
        place = item.location
        where = f"{place.latitude},{place.longitude}"
        return Content("geo", text="\n".join(p for p in (place.name, place.address, where) if p))
    if kind == "contacts":
        return Content("vcard", text="\n".join(_contact_card(c) for c in item.contacts))
    if kind == "interactive" and item.interactive is not None:
        return _interactive(item)
    if kind == "button" and item.button is not None:
        return Content("interactive", text=item.button.text, reply_payload=item.button.payload)
    if kind == "reaction" and item.reaction is not None:
        return Content("reaction", reaction=item.reaction.emoji or "",
                       reacted_to=item.reaction.message_id)
    return Content("unsupported", text=error_text(item.errors[0] if item.errors else None) or "")


def error_text(error: Error | None) -> str | None:
    """``title`` (else ``message``), with ``error_data.details`` when Meta explains further."""
    if error is None:
        return None
    text = error.title or error.message
    details = (error.error_data or {}).get("details")
    if isinstance(details, str) and details and details != text:
        text = f"{text}: {details}" if text else details
    return text


def _media_of(item: Body) -> Content | None:
    content_type = _MEDIA_TYPES.get(item.type)
    media: Media | None = getattr(item, item.type) if content_type else None
    if content_type is None or media is None:
        return None
    # The webhook's `url` (v24+) expires in minutes; the id is looked up fresh on each fetch.
    ref = MediaRef(media_id=media.id, mime_type=media.mime_type, file_name=media.filename)
    return Content(content_type, text=media.caption or "", media=ref)


def _interactive(item: Body) -> Content:
    assert item.interactive is not None
    tap = item.interactive.button_reply or item.interactive.list_reply
    if tap is not None:
        return Content("interactive", text=tap.title, reply_payload=tap.id)
    flow = item.interactive.nfm_reply
    if flow is not None:
        fields = form_fields(flow.response_json)
        name = flow.name if flow.name and flow.name != "flow" else None
        return Content("interactive", text=render(name, fields) if fields else flow.body,
                       reply_payload=flow.response_json, form_name=name, form=tuple(fields))
    return Content("unsupported")


def _contact_card(card: dict[str, Any]) -> str:
    name = card.get("name")
    formatted = name.get("formatted_name") if isinstance(name, dict) else None
    phones = card.get("phones")
    numbers = [p.get("phone") for p in phones if isinstance(p, dict)] if isinstance(
        phones, list) else []
    parts = [formatted, *numbers]
    return " ".join(p for p in parts if isinstance(p, str) and p)
