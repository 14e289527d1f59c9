"""Signals that are not messages: read marks, the typing indicator, reactions.

No send ledger: each is idempotent at the gateway (marking read twice, the same reaction
again). A typing indicator that could not be shown at once is dropped: late, it would mislead.
"""

from __future__ import annotations

from services.outbound_sender.deps import Deps
from shared import events
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


async def send_signal(deps: Deps, cmd: events.SendSignal) -> None:
    provider, connection = deps.gateway_for(cmd.chat)
    request = provider.build_signal(connection.account, cmd)
    if request is None:
        log.info("the gateway has no such signal; skipped", kind=cmd.kind, provider=provider.name)
        return
    try:
        response = await deps.gateway.call(provider.name, connection.id, request)
        provider.interpret_signal(response.status, response.body, response.headers)
    except RetryableError as exc:
        if cmd.kind == "typing":
            log.info("typing indicator not shown; dropped", reason=exc.reason)
            return
        raise
