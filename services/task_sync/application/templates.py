"""Message templates for managers: the cached list (refreshed from the gateways when empty or
old, and whenever a template's review status changes), and the check that a template send
fits its template before the gateway sees it."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from services.task_sync.application.errors import Invalid
from services.task_sync.deps import Deps
from shared import events
from shared.domain.templates import Template, send_problem
from shared.logs import get_logger

log = get_logger(__name__)

STALE_AFTER = timedelta(hours=1)


class Listed(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Template]
    refreshing: bool


async def list_templates(deps: Deps, provider: str | None = None) -> Listed:
    """The cached templates; an empty or hour-old cache asks outbound-sender to list again."""
    items = await deps.templates.listed(provider)
    oldest = min((t.refreshed_at for t in items if t.refreshed_at), default=None)
    stale = not items or oldest is None or events.utcnow() - oldest > STALE_AFTER
    if stale:
        await refresh(deps, provider or "")
    return Listed(items=items, refreshing=stale)


async def refresh(deps: Deps, provider: str = "", cause: str | None = None) -> None:
    await deps.bus.publish(events.RefreshTemplates(
        id=events.derive_id("templates-refresh", cause) if cause else events.new_id(),
        correlation_id=cause or "templates", occurred_at=events.utcnow(), provider=provider))


async def record_listed(deps: Deps, event: events.TemplatesListed) -> None:
    await deps.templates.replace(event.provider, event.connection, event.templates)


async def record_template_status(deps: Deps, event: events.TemplateStatusChanged) -> None:
    """The reviewed template changes at once; the whole list is fetched again."""
    report = log.warning if event.status in {"rejected", "paused", "disabled"} else log.info
    report("message template review status reported", provider=event.provider,
           template=event.name or event.template_id, language=event.language,
           status=event.status, reason=event.reason, category=event.category)
    if event.name:
        await deps.templates.set_status(event.provider, event.name, event.language,
                                        event.status, event.reason)
    await refresh(deps, event.provider, cause=event.id)


async def ensure_template_fits(deps: Deps, chat: events.ChatRef, name: str,
                               language: str | None, values: list[str]) -> Template | None:
    """Refuse a template send that the gateway would refuse: unknown, not approved, values
    missing or extra; the template it fits. Nothing is checked while no list has arrived
    (none configured): None."""
    known = await deps.templates.listed(chat.provider)
    if not known:
        return None
    mine = [t for t in known if not chat.connection or t.connection == chat.connection] or known
    named = [t for t in mine if name in (t.send_as, t.name)]
    fitting = [t for t in named if not language or t.language == language] or (
        named if not language else [])
    if not fitting:
        raise Invalid("unknown_template", f"no template {name!r}"
                      + (f" in language {language!r}" if language else "")
                      + f" on {chat.provider}")
    problem = send_problem(fitting[0], values)
    if problem is not None:
        raise Invalid("template_values", problem)
    return fitting[0]
