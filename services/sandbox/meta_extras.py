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


def interactive_problem(content: dict[str, Any]) -> str | None:
    """What Meta would refuse in reply buttons or a list (its documented limits)."""
    body, action = content.get("body"), content.get("action")
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not 0 < len(text) <= 1024:
        return "interactive.body.text must be 1 to 1024 characters"
    if not isinstance(action, dict):
        return "interactive.action is required"
    if content.get("type") == "button":
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            return "interactive.action.buttons must hold 1 to 3 buttons"
        replies = [b.get("reply") if isinstance(b, dict) else None for b in buttons]
        return _options_problem(replies, 20, "button")
    if content.get("type") == "list":
        sections = action.get("sections")
        label = action.get("button")
        if not isinstance(label, str) or not 0 < len(label) <= 20:
            return "interactive.action.button must be 1 to 20 characters"
        if not isinstance(sections, list) or not sections:
            return "interactive.action.sections must hold at least one section"
        rows = [r for s in sections if isinstance(s, dict) for r in s.get("rows") or []]
        if not 1 <= len(rows) <= 10:
            return "a list must hold 1 to 10 rows in all"
        return _options_problem(rows, 24, "row")
    return None  # other interactive kinds (products, flows) are not checked here


def _options_problem(options: list[Any], title_limit: int, what: str) -> str | None:
    ids = [o.get("id") if isinstance(o, dict) else None for o in options]
    titles = [o.get("title") if isinstance(o, dict) else None for o in options]
    if not all(isinstance(i, str) and 0 < len(i) <= 200 for i in ids) or len(set(ids)) < len(ids):
        return f"each {what} needs a unique id of 1 to 200 characters"
    if not all(isinstance(t, str) and 0 < len(t) <= title_limit for t in titles):
        return f"each {what} title must be 1 to {title_limit} characters"
    return None


def tap(kind: str, reply_id: str, title: str) -> dict[str, Any]:
    """A customer's tap on a reply button (``button_reply``) or a list row (``list_reply``)."""
    return {"type": "interactive", "interactive": {"type": kind, kind: {"id": reply_id,
                                                                       "title": title}}}
