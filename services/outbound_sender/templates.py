"""Listing the connections' message templates (the only service holding the gateways' keys)
and reporting each connection's set as ``template.listed`` for task-sync's cache."""

from __future__ import annotations

from services.outbound_sender.deps import Deps
from shared import events
from shared.errors import PermanentError
from shared.logs import get_logger
from shared.providers import REGISTRY

log = get_logger(__name__)


async def refresh_templates(deps: Deps, cmd: events.RefreshTemplates) -> None:
    """Every connection of ``cmd.provider`` (all when empty) that has a template list."""
    listed: list[events.Message] = []
    for connection in deps.channels:
        provider = REGISTRY.get(connection.provider)
        if provider is None or (cmd.provider and connection.provider != cmd.provider):
            continue
        request = provider.build_template_list(connection.account)
        if request is None:
            continue
        response = await deps.gateway.call(provider.name, connection.id, request)
        now = events.utcnow()
        try:
            templates = provider.interpret_template_list(
                response.status, response.body, response.headers, connection.id, now)
        except PermanentError as exc:  # one refusing account must not hide the others' lists
            log.warning("template list refused", connection=connection.id, reason=exc.reason)
            continue
        listed.append(events.TemplatesListed(
            id=events.derive_id("templates", cmd.id, connection.id), correlation_id=cmd.id,
            occurred_at=now, provider=provider.name, connection=connection.id,
            templates=templates))
    await deps.bus.publish_all(listed)
