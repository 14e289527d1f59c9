"""Template lists of Meta (``GET /{waba_id}/message_templates``) and Wazzup
(``GET /v3/templates/whatsapp``) as our ``Template`` (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.domain.templates import Template, parameters_of, template_id
from shared.providers.http_answer import str_or_none


def meta_templates(answer: dict[str, Any], connection: str, now: datetime) -> list[Template]:
    """``data[]``: name, language, status, category, components (one page; Meta pages by 100+)."""
    found = []
    for item in answer.get("data") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        language = str_or_none(item.get("language")) or ""
        text, parameters = parameters_of(item.get("components") or [])
        found.append(Template(
            id=template_id("meta", connection, item["name"], language), provider="meta",
            connection=connection, send_as=item["name"], name=item["name"], language=language,
            status=(str_or_none(item.get("status")) or "").lower(),
            category=(str_or_none(item.get("category")) or "").lower() or None, text=text,
            parameters=parameters, reason=str_or_none(item.get("rejected_reason")),
            refreshed_at=now))
    return found


def wazzup_templates(answer: Any, connection: str, now: datetime) -> list[Template]:
    """A list (or ``data[]``) of ``templateGuid``, ``name``/``title``, ``language``,
    ``category``, ``status``, ``components[]`` (Wazzup's WABA templates)."""
    items = answer.get("data") if isinstance(answer, dict) else answer
    found = []
    for item in items or []:
        guid = str_or_none(item.get("templateGuid")) if isinstance(item, dict) else None
        if guid is None:
            continue
        language = str_or_none(item.get("language")) or ""
        text, parameters = parameters_of(item.get("components") or [])
        name = str_or_none(item.get("title")) or str_or_none(item.get("name")) or guid
        found.append(Template(
            id=template_id("wazzup", connection, guid, language), provider="wazzup",
            connection=connection, send_as=guid, name=name, language=language,
            status=(str_or_none(item.get("status")) or "").lower(),
            category=(str_or_none(item.get("category")) or "").lower() or None, text=text,
            parameters=parameters, reason=str_or_none(item.get("rejected_reason")),
            refreshed_at=now))
    return found
