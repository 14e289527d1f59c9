"""A bot answer's options on the way out (issue 12): Meta reply buttons or a list where they
fit, numbered lines in the text everywhere else (and on gateways without them)."""

from __future__ import annotations

from typing import Any

from shared.domain.flow_engine import Reply, render_numbered
from shared.events import Choice, SendMessage

MAX_BUTTONS = 3
BUTTON_TITLE = 20
MAX_ROWS = 10
ROW_TITLE = 24
LIST_BUTTON = "Выбрать"  # the label of the button that opens a list (≤ 20 characters)
BODY_LIMIT = 1024  # an interactive message's body; a longer text goes as numbered text


def offered(command: SendMessage) -> list[Choice]:
    """The options the message offers as buttons or rows (none for a plain answer)."""
    return list(command.choices) if command.offer != "text" else []


def numbered_text(command: SendMessage) -> str:
    """The text with its options as numbered lines (a customer answers with the number), as
    the bot's comment in the task shows it."""
    choices = offered(command)
    if not choices:
        return command.text
    return render_numbered(Reply(text=command.text, choices=choices))


def _short(title: str, limit: int) -> str:
    return title if len(title) <= limit else title[:limit - 1] + "…"


def interactive(command: SendMessage) -> dict[str, Any] | None:
    """The Cloud API ``interactive`` content: reply buttons (up to 3) for ``buttons``, a
    one-section list (up to 10 rows) for ``list`` or more than 3 buttons; None when the
    options do not fit (too many, no text, a text over the body limit)."""
    choices = offered(command)
    if not choices or not command.text.strip() or len(command.text) > BODY_LIMIT:
        return None
    body = {"text": command.text}
    if command.offer == "buttons" and len(choices) <= MAX_BUTTONS:
        buttons = [{"type": "reply", "reply": {"id": c.id, "title": _short(c.title, BUTTON_TITLE)}}
                   for c in choices]
        return {"type": "button", "body": body, "action": {"buttons": buttons}}
    if len(choices) <= MAX_ROWS:
        rows = [{"id": c.id, "title": _short(c.title, ROW_TITLE)} for c in choices]
        return {"type": "list", "body": body,
                "action": {"button": LIST_BUTTON, "sections": [{"rows": rows}]}}
    return None
