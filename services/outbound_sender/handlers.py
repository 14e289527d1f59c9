"""outbound-sender's handler: send once, report the result; the only caller of gateways."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.outbound_sender.gateway import GatewayClient
from shared import events
from shared.bus import Bus
from shared.errors import PermanentError, WabridgeError
from shared.logs import get_logger
from shared.providers import REGISTRY
from shared.providers.base import GatewayAccount
from shared.store import sends
from shared.store.mongo import Database

log = get_logger(__name__)


@dataclass(frozen=True)
class Deps:
    db: Database
    bus: Bus
    gateway: GatewayClient
    accounts: dict[str, GatewayAccount]


async def handle(deps: Deps, message: events.Message) -> None:
    if not isinstance(message, events.SendMessage):
        raise PermanentError(f"outbound-sender has no handler for {events.message_type(message)}")
    await send(deps, message)


async def send(deps: Deps, cmd: events.SendMessage) -> None:
    record = await sends.begin(deps.db, cmd, events.utcnow())
    if record.state == "sent":  # done before a crash or redelivery: report again, send nothing
        await deps.bus.publish(_succeeded(cmd, record.gateway_message_id))
        return
    if record.state == "failed":
        raise PermanentError(f"send {cmd.id} failed before: {record.failure}", code="FAILED_BEFORE")
    provider = REGISTRY.get(cmd.chat.provider)
    account = deps.accounts.get(cmd.chat.provider)
    if provider is None or account is None:
        raise PermanentError(f"no gateway configured for provider {cmd.chat.provider!r}",
                             code="NO_GATEWAY")
    request = provider.build_send(account, cmd)
    response = await deps.gateway.call(provider.name, account.api_key, request)
    result = provider.interpret_send(response.status, response.body, response.headers)
    if result.already_sent:
        log.info("gateway says this send was accepted before; not sending again",
                 send_id=cmd.id)
    await sends.mark_sent(deps.db, cmd.id, result.gateway_message_id, events.utcnow())
    await deps.bus.publish(_succeeded(cmd, result.gateway_message_id))


def _succeeded(cmd: events.SendMessage, gateway_message_id: str | None) -> events.SendSucceeded:
    return events.SendSucceeded(
        id=events.derive_id("sent", cmd.id), correlation_id=cmd.correlation_id,
        occurred_at=events.utcnow(), send_id=cmd.id, task_id=cmd.task_id,
        comment_id=cmd.comment_id, gateway_message_id=gateway_message_id)


async def on_failure(deps: Deps, message: events.Message, error: WabridgeError,
                     retry_at: datetime | None) -> None:
    """Make a failed or waiting send visible on its comment (via task-sync)."""
    if not isinstance(message, events.SendMessage):
        return
    if retry_at is None:
        await sends.mark_failed(deps.db, message.id, str(error))
    await deps.bus.publish(events.SendFailed(
        id=events.derive_id("send-failed", message.id, error.code or "", str(retry_at)),
        correlation_id=message.correlation_id, occurred_at=events.utcnow(), send_id=message.id,
        task_id=message.task_id, comment_id=message.comment_id, reason=error.reason,
        code=error.code, final=retry_at is None, retry_at=retry_at))
