from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from shared.bus import Bus, Topology
from tests.topology_cleanup import delete_topology


@pytest.fixture
async def bus(rabbitmq_url: str, bus_prefix: str) -> AsyncIterator[Bus]:
    """A bus with its own topology (random prefix), deleted afterwards."""
    topology = Topology(bus_prefix, shards=2)
    connected = await Bus.connect(rabbitmq_url, topology)
    try:
        yield connected
    finally:
        await connected.close()
        await delete_topology(rabbitmq_url, topology)
