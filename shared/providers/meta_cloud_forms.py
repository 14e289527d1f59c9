"""A WhatsApp Flows answer (``interactive.nfm_reply.response_json``) as readable fields.

The keys are whatever the flow's author named them; Flow Builder generates keys such as
``screen_0_First_name_0`` and option ids such as ``0_Morning``. We show them as "First name" and
"Morning", keep the original key, and drop the ``flow_token`` (ours, not the customer's).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from shared.events import FormField

_HIDDEN = frozenset({"flow_token"})
_SCREEN_PREFIX = re.compile(r"^screen_\d+_")
_INDEX_SUFFIX = re.compile(r"_\d+$")
_OPTION_PREFIX = re.compile(r"^\d+_")


def form_fields(response_json: str | None) -> list[FormField]:
    """The answers in the order the flow sent them; [] when there is nothing readable."""
    if not response_json:
        return []
    try:
        answers = msgspec.json.decode(response_json)
    except msgspec.DecodeError:
        return [FormField(label="Answer", value=response_json)]
    if not isinstance(answers, dict):
        return [FormField(label="Answer", value=_value(answers))]
    return [FormField(label=label(key), value=_value(value), name=key)
            for key, value in answers.items() if key not in _HIDDEN]


def label(key: str) -> str:
    """``screen_0_First_name_0`` → ``First name``; ``email`` → ``Email``."""
    text = _INDEX_SUFFIX.sub("", _SCREEN_PREFIX.sub("", key)).replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def render(name: str | None, fields: list[FormField]) -> str:
    """The form as comment text: a heading, then one ``Label: value`` line per answer."""
    lines = [f"[form] {name}" if name else "[form]"]
    lines += [f"{f.label}: {f.value}" for f in fields]
    return "\n".join(lines)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{label(k)}: {_value(v)}" for k, v in value.items())
    if isinstance(value, str):
        return _OPTION_PREFIX.sub("", value).replace("_", " ") if _OPTION_PREFIX.match(
            value) else value
    return "" if value is None else str(value)
