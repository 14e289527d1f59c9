"""Message templates (WhatsApp Business): what a template needs, and whether a send fits it.

A template's text holds numbered (``{{1}}``) or named (``{{order}}``) parameters in its header,
body and buttons. wabridge sends body parameters (``template_values``, in order), so a send is
refused before the gateway sees it when the template is not approved, needs header or button
values, or the number of values differs.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import msgspec

_PARAMETER = re.compile(r"\{\{\s*([\w.]+)\s*\}\}")
_SENT_COMPONENTS = frozenset({"body"})


class TemplateParameter(msgspec.Struct, frozen=True, kw_only=True):
    component: str  # header | body | button
    name: str  # "1", "2"... or a named parameter
    example: str = ""


class Template(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A template as its gateway lists it. ``send_as`` is what a send names it by (Meta: the
    name, with ``language``; Wazzup: the template GUID)."""

    id: str
    provider: str
    connection: str
    send_as: str
    name: str
    language: str
    status: str
    category: str | None = None
    text: str = ""
    parameters: list[TemplateParameter] = []
    reason: str | None = None
    refreshed_at: datetime | None = None

    @property
    def body_parameters(self) -> list[TemplateParameter]:
        return [p for p in self.parameters if p.component in _SENT_COMPONENTS]


def template_id(provider: str, connection: str, send_as: str, language: str) -> str:
    return f"{provider}:{connection}:{send_as}:{language}"


def parameters_of(components: list[Any]) -> tuple[str, list[TemplateParameter]]:
    """The body text and every parameter of Meta-shaped components (Wazzup lists the same
    shape: ``type`` HEADER/BODY/FOOTER/BUTTONS, ``text``, ``example``)."""
    body, found = "", []
    for component in components:
        if not isinstance(component, dict):
            continue
        kind = str(component.get("type", "")).lower()
        texts = [component.get("text")] + [b.get("url") or b.get("text") for b in
                                           component.get("buttons") or [] if isinstance(b, dict)]
        examples = _examples(component.get("example"))
        if kind == "body" and isinstance(component.get("text"), str):
            body = component["text"]
        names = [m for t in texts if isinstance(t, str) for m in _PARAMETER.findall(t)]
        found += [TemplateParameter(component="button" if kind == "buttons" else kind, name=n,
                                    example=examples[i] if i < len(examples) else "")
                  for i, n in enumerate(dict.fromkeys(names))]
    return body, found


def send_problem(template: Template, values: list[str]) -> str | None:
    """Why sending ``template`` with ``values`` would fail (None: it fits)."""
    if template.status.lower() != "approved":
        return (f"template {template.name!r} ({template.language}) is "
                f"{template.status.lower()}, not approved")
    other = [p for p in template.parameters if p.component not in _SENT_COMPONENTS]
    if other:
        return (f"template {template.name!r} needs {other[0].component} values, which "
                "wabridge does not send; choose a template with body values only")
    wanted = template.body_parameters
    if len(values) != len(wanted):
        names = ", ".join(f"{{{{{p.name}}}}}" for p in wanted) or "none"
        return (f"template {template.name!r} takes {len(wanted)} value(s) ({names}); "
                f"{len(values)} given")
    empty = [p.name for p, v in zip(wanted, values, strict=True) if not v.strip()]
    if empty:
        return f"template {template.name!r}: value {{{{{empty[0]}}}}} is empty"
    return None


def sent_text(template: Template | None, name: str, values: list[str]) -> str:
    """What the customer reads: the template's body with its values filled in, or (the template
    not listed) its name and values as ``[template name: a, b]``."""
    if template is None or not template.text:
        return f"[template {name}: {', '.join(values)}]"
    by_name = {p.name: v for p, v in zip(template.body_parameters, values, strict=False)}
    return _PARAMETER.sub(lambda m: by_name.get(m.group(1), m.group(0)), template.text)


def _examples(example: Any) -> list[str]:
    if not isinstance(example, dict):
        return []
    for key in ("body_text", "header_text"):
        value = example.get(key)
        if isinstance(value, list) and value:
            first = value[0]
            row = first if isinstance(first, list) else value
            return [str(v) for v in row]
    return []
