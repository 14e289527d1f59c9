"""Channel state changes apply in the order of their own timestamps, not of their arrival."""

from __future__ import annotations

from datetime import UTC, datetime

from services.outbound_sender.deps import ChannelStates
from shared import events
from shared.providers.base import GatewayAccount
from shared.providers.wazzup import WAZZUP
from tests.fakes.outbound_sender import FakeChannelStates

ACCOUNT = GatewayAccount(api_url="https://x", api_key="k", webhook_token="hook-token-1")


def test_wazzup_channel_updates_carry_the_gateways_time() -> None:
    body = (b'{"channelsUpdates": [{"channelId": "ch-1", "state": "qr",'
            b' "timestamp": 1748855707000}]}')
    [update] = WAZZUP.parse_webhook(body, received_at=datetime.now(UTC), account=ACCOUNT).events
    assert isinstance(update, events.ChannelUpdated)
    assert update.at == datetime(2025, 6, 2, 9, 15, 7, tzinfo=UTC)


async def test_the_sender_ignores_a_report_older_than_the_state_it_knows() -> None:
    states = ChannelStates(FakeChannelStates())
    newer, older = datetime(2026, 1, 1, 12, 0, 1, tzinfo=UTC), datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert states.learn("ch-1", "active", newer)
    assert not states.learn("ch-1", "phoneunavailable", older)
    assert await states.state("ch-1") == "active"
