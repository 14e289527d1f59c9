"""Meta Cloud API webhook bodies: customer messages of every kind, echoes, statuses, template
status changes (shapes as Meta documents them; values made up)."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from typing import Any

import msgspec

from services.sandbox.meta_extras import tap
from services.sandbox.settings import SandboxSettings
from services.sandbox.webhooks import InboundSpec, MediaInfo, StatusSpec, media_kind

META_DISPLAY_NUMBER = "15550000000"
META_WABA_ID = "100000000000099"


def meta_inbound(settings: SandboxSettings, spec: InboundSpec, media: MediaInfo | None,
                 now: datetime) -> dict[str, Any]:
    """A customer's message (``messages``), or with ``is_echo`` what the business typed in the
    WhatsApp Business app (``smb_message_echoes``); ``batch`` adds more messages to the body."""
    if spec.is_echo:
        message = _message(spec, media, now) | {"from": META_DISPLAY_NUMBER, "to": spec.chat_id}
        if spec.user_id:
            message["to_user_id"] = spec.user_id
        return envelope(settings, {"message_echoes": [message]}, field="smb_message_echoes")
    messages: list[dict[str, Any]] = []
    contacts: list[dict[str, Any]] = []
    for one in [spec, *spec.batch]:
        message = _message(one, media if one is spec else None, now)
        if one.chat_id and not one.phone_hidden:
            message["from"] = one.chat_id
        if one.user_id:
            message["from_user_id"] = one.user_id
        messages.append(message)
        contact = _contact(one) if one.kind != "system" and (one.chat_id or one.user_id) else None
        if contact is not None and contact not in contacts:
            contacts.append(contact)
    value: dict[str, Any] = {"messages": messages}
    if contacts:
        value["contacts"] = contacts
    return envelope(settings, value)


def _message(spec: InboundSpec, media: MediaInfo | None, now: datetime) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": spec.message_id or f"wamid.{secrets.token_urlsafe(24)}",
        "timestamp": str(int(now.timestamp())),
    } | _content(spec, media)
    if spec.quoted_message_id:
        message["context"] = {"from": META_DISPLAY_NUMBER, "id": spec.quoted_message_id}
    return message


def meta_status(spec: StatusSpec, chat_id: str | None, now: datetime) -> dict[str, Any]:
    item: dict[str, Any] = {"id": spec.message_id, "status": spec.status,
                            "timestamp": str(int(now.timestamp())), "recipient_id": chat_id,
                            "pricing": {"pricing_model": "PMP", "category": "service",
                                        "type": "free_customer_service"}}
    if spec.error is not None:
        code: int | str = int(spec.error) if spec.error.isdigit() else spec.error
        title = spec.description or "Message failed"
        item["errors"] = [{"code": code, "title": title, "message": title,
                           "error_data": {"details": title}}]
    return item


def template_status(template: dict[str, Any], event: str, reason: str | None) -> dict[str, Any]:
    value = {"event": event, "message_template_id": int(template["id"]),
             "message_template_name": template["name"],
             "message_template_language": template["language"],
             "reason": reason or "NONE"}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": META_WABA_ID, "time": 0, "changes": [
                {"field": "message_template_status_update", "value": value}]}]}


def envelope(settings: SandboxSettings, value: dict[str, Any], field: str = "messages"
             ) -> dict[str, Any]:
    metadata = {"display_phone_number": META_DISPLAY_NUMBER,
                "phone_number_id": settings.meta_phone_number_id}
    change = {"field": field,
              "value": {"messaging_product": "whatsapp", "metadata": metadata} | value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": META_WABA_ID, "changes": [change]}]}


def _contact(spec: InboundSpec) -> dict[str, Any]:
    profile: dict[str, Any] = {"name": spec.name or spec.username or spec.chat_id}
    if spec.username:
        profile["username"] = spec.username
    contact: dict[str, Any] = {"profile": profile}
    if spec.chat_id and not spec.phone_hidden:
        contact["wa_id"] = spec.chat_id
    if spec.user_id:
        contact["user_id"] = spec.user_id
    if spec.parent_user_id:
        contact["parent_user_id"] = spec.parent_user_id
    return contact


def _content(spec: InboundSpec, media: MediaInfo | None) -> dict[str, Any]:
    """``type`` and the object named by it."""
    if spec.kind is not None:
        return _KINDS[spec.kind](spec)
    kind = media_kind(spec, media)
    if kind == "text" or media is None:
        return {"type": "text", "text": {"body": spec.text or ""}}
    sha = base64.b64encode(bytes.fromhex(media.sha256)).decode()
    content: dict[str, Any] = {"id": media.id, "mime_type": media.mime_type, "sha256": sha}
    if spec.text and kind in ("image", "video", "document"):
        content["caption"] = spec.text
    if kind == "document":
        content["filename"] = media.file_name
    return {"type": kind, kind: content}


def _system(spec: InboundSpec) -> dict[str, Any]:
    system: dict[str, Any] = {"type": spec.system_type or "user_changed_number",
                              "body": spec.text or "The customer changed"}
    if spec.new_phone:
        system["new_wa_id"] = spec.new_phone
    if spec.new_user_id:
        system["user_id"] = spec.new_user_id
    return {"type": "system", "system": system}


def _flow(spec: InboundSpec) -> dict[str, Any]:
    response = {"flow_token": secrets.token_hex(8)} | (spec.flow_response or {})
    return {"type": "interactive", "interactive": {"type": "nfm_reply", "nfm_reply": {
        "name": spec.flow_name or "flow", "body": "Sent",
        "response_json": msgspec.json.encode(response).decode()}}}


def _edit(spec: InboundSpec) -> dict[str, Any]:
    return {"type": "edit", "edit": {"original_message_id": spec.target_message_id,
                                     "message": {"type": "text",
                                                 "text": {"body": spec.text or ""}}}}


def _revoke(spec: InboundSpec) -> dict[str, Any]:
    return {"type": "revoke", "revoke": {"original_message_id": spec.target_message_id}}


def _reaction(spec: InboundSpec) -> dict[str, Any]:
    return {"type": "reaction", "reaction": {"message_id": spec.target_message_id,
                                             "emoji": spec.emoji or ""}}


def _unsupported(spec: InboundSpec) -> dict[str, Any]:
    return {"type": "unsupported", "unsupported": {"type": spec.text or "poll_creation"},
            "errors": [{"code": 131051, "title": "Message type unknown",
                        "message": "Message type unknown",
                        "error_data": {"details": "Message type is currently not supported."}}]}


def _button(spec: InboundSpec) -> dict[str, Any]:
    return tap("button_reply", spec.reply_id or "", spec.text or "")


def _row(spec: InboundSpec) -> dict[str, Any]:
    return tap("list_reply", spec.reply_id or "", spec.text or "")


_KINDS = {"system": _system, "flow": _flow, "edit": _edit, "revoke": _revoke,
          "reaction": _reaction, "unsupported": _unsupported, "button_reply": _button,
          "list_reply": _row}
