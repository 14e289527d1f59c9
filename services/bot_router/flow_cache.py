"""The bot's flows, cached in memory per channel (issue 12).

A channel's bot runs the channel's live flow, else the ``default`` live flow, else the flat
scenarios as a one-level flow (``flow_from_scenarios``: today's behaviour, with the greeting and
hand-over text of the configuration). Each lookup is cached for a TTL and dropped at once on
``flows.changed`` or ``scenarios.changed``, so a message costs no database round trip.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from shared.domain.flow_legacy import flow_from_scenarios
from shared.domain.flows import DEFAULT_KEY, FlowVersion
from shared.domain.scenarios import ScenarioSet

SCENARIOS_KEY = "scenarios"  # the flow key decisions record for the flat scenarios

LoadLive = Callable[[str], Awaitable[FlowVersion | None]]
LoadScenarios = Callable[[], Awaitable[ScenarioSet]]


def legacy_flow(scenarios: ScenarioSet, greeting: str, handover_text: str) -> FlowVersion:
    """The flat scenarios as the flow version the bot runs until a flow is published."""
    return FlowVersion(key=SCENARIOS_KEY, version=scenarios.version, published_at="",
                       flow=flow_from_scenarios(scenarios.items, greeting, handover_text))


class FlowCache:
    """A ``FlowSource`` in front of the flow store's ``live`` read and the scenario set."""

    def __init__(self, live: LoadLive, scenarios: LoadScenarios, *, greeting: str,
                 handover_text: str, ttl_s: float = 30.0) -> None:
        self._live = live
        self._scenarios = scenarios
        self._greeting = greeting
        self._handover_text = handover_text
        self._ttl_s = ttl_s
        self._by_key: dict[str, tuple[float, FlowVersion | None]] = {}
        self._legacy: tuple[float, FlowVersion] | None = None

    async def get(self, channel_id: str) -> FlowVersion:
        """The flow ``channel_id``'s bot runs now."""
        return (await self._live_of(channel_id) or await self._live_of(DEFAULT_KEY)
                or await self._from_scenarios())

    def invalidate(self) -> None:
        self._by_key.clear()
        self._legacy = None

    def _fresh(self, loaded_at: float) -> bool:
        return time.monotonic() - loaded_at <= self._ttl_s

    async def _live_of(self, key: str) -> FlowVersion | None:
        cached = self._by_key.get(key)
        if cached is not None and self._fresh(cached[0]):
            return cached[1]
        found = await self._live(key)
        self._by_key[key] = (time.monotonic(), found)
        return found

    async def _from_scenarios(self) -> FlowVersion:
        if self._legacy is not None and self._fresh(self._legacy[0]):
            return self._legacy[1]
        flow = legacy_flow(await self._scenarios(), self._greeting, self._handover_text)
        self._legacy = (time.monotonic(), flow)
        return flow
