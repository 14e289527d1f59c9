"""The bot's scenarios, replaced as a whole by an admin."""

from __future__ import annotations

from services.task_sync.application.errors import Invalid
from services.task_sync.deps import Deps
from shared import events
from shared.domain.scenarios import Scenario, ScenarioSet
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)


async def replace_scenarios(deps: Deps, items: list[Scenario]) -> ScenarioSet:
    """Replace the whole scenario set; bot-router picks it up without a restart."""
    try:
        new = await deps.scenarios.replace(items)
    except ValueError as exc:
        raise Invalid("invalid_body", str(exc)) from None
    notice = events.ScenariosChanged(id=events.derive_id("scenarios", str(new.version)),
                                     correlation_id=events.new_id(),
                                     occurred_at=events.utcnow(), version=new.version)
    try:
        await deps.bus.publish(notice)
    except RetryableError as exc:
        # bot-router also reloads on a timer, so the change still lands within 30 s
        log.warning("scenario change not announced; bot-router picks it up on its next reload",
                    version=new.version, reason=str(exc))
    return new
