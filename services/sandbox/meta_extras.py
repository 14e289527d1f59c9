"""The fake Meta Cloud API beyond sending messages: read marks and the typing indicator,
reactions, and the business account's message templates (with their review status changes
delivered as ``message_template_status_update`` webhooks): data and checks."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.sandbox.keys import STATE

# What a freshly started sandbox account has: approved templates with body parameters.
DEMO_TEMPLATES: tuple[dict[str, Any], ...] = (
    {"id": "1000000000000001", "name": "order_update", "language": "en_US",
     "status": "APPROVED", "category": "UTILITY", "parameter_format": "POSITIONAL",
     "components": [
         {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}",
          "example": {"header_text": ["#4411"]}},
         {"type": "BODY", "text": "Hello {{1}}, your order {{2}} is {{3}}.",
          "example": {"body_text": [["Ana", "#4411", "on its way"]]}},
         {"type": "FOOTER", "text": "Reply STOP to opt out"}]},
    {"id": "1000000000000002", "name": "napominanie", "language": "ru",
     "status": "APPROVED", "category": "MARKETING", "parameter_format": "POSITIONAL",
     "components": [{"type": "BODY", "text": "Здравствуйте, {{1}}! Напоминаем о записи.",
                     "example": {"body_text": [["Анна"]]}}]},
    {"id": "1000000000000004", "name": "order_ready", "language": "ru",
     "status": "APPROVED", "category": "UTILITY", "parameter_format": "POSITIONAL",
     "components": [{"type": "BODY", "text": "{{1}}, ваш заказ {{2}} готов.",
                     "example": {"body_text": [["Олег", "12"]]}}]},
    {"id": "1000000000000003", "name": "welcome_back", "language": "en_US",
     "status": "PENDING", "category": "MARKETING", "parameter_format": "POSITIONAL",
     "components": [{"type": "BODY", "text": "Welcome back!"}]},
)


def templates_of(request: web.Request) -> dict[str, dict[str, Any]]:
    state = request.app[STATE]
    if not state.meta_templates:
        state.meta_templates.update({t["id"]: dict(t) for t in DEMO_TEMPLATES})
    return state.meta_templates


def signal_problem(body: dict[str, Any]) -> str | None:
    """What Meta would refuse in a read mark / typing indicator body (``status: read``)."""
    if not isinstance(body.get("message_id"), str) or not body["message_id"]:
        return "The parameter message_id is required."
    typing = body.get("typing_indicator")
    if typing is not None and (not isinstance(typing, dict) or typing.get("type") != "text"):
        return "typing_indicator.type must be text"
    return None


def reaction_problem(content: dict[str, Any]) -> str | None:
    if not isinstance(content.get("message_id"), str) or not content["message_id"]:
        return "reaction.message_id is required"
    if not isinstance(content.get("emoji"), str):
        return "reaction.emoji is required (empty removes the reaction)"
    return None
