"""Fuzzing every webhook endpoint: 10,000 bodies per gateway, shaped like its payloads and not.

A body is either refused with a reason (BadPayload: a 400) or accepted; nothing else may happen
(ingest would answer 500). Every event accepted must travel the bus and come back the same, so
no body can leave a poison message in a queue. A few hundred go through the HTTP endpoint too.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest import webhooks
from shared import events
from shared.bus import Topology
from shared.channels_config import ChannelConfig
from shared.errors import BadPayload
from shared.providers import REGISTRY
from shared.providers.base import GatewayAccount

ACCOUNT = GatewayAccount(api_url="https://x", api_key="k", webhook_token="hook-token-1",
                         app_secret="s", verify_token="v", sender_id="100000000000001")
AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
TOPOLOGY = Topology("wa", 4)
VOCABULARY = {
    "wazzup": ["messages", "statuses", "channelsUpdates", "createContact", "createDeal",
               "templateStatus", "test", "messageId", "dateTime", "channelId", "chatType",
               "chatId", "type", "isEcho", "status", "text", "contentUri", "contact", "name",
               "phone", "quotedMessage", "isEdited", "isDeleted", "authorName", "authorId",
               "timestamp", "state", "error", "contactData", "responsibleUserId", "oldInfo"],
    "meta": ["object", "entry", "id", "changes", "field", "value", "messaging_product",
             "metadata", "phone_number_id", "display_phone_number", "contacts", "wa_id",
             "profile", "messages", "from", "type", "text", "body", "statuses", "recipient_id",
             "timestamp", "errors", "code", "image", "caption", "context", "interactive",
             "reaction", "emoji", "message_id", "user_id", "username", "system"],
    "chat_api": ["instanceId", "messages", "ack", "id", "body", "fromMe", "author", "chatId",
                 "type", "time", "senderName", "quotedMsgId", "status", "caption",
                 "chatName", "messageNumber", "isForwarded"],
}
SCALARS = (st.none() | st.booleans() | st.integers(-10**15, 10**15) | st.text(max_size=12)
           | st.sampled_from(["whatsapp", "whatsgroup", "text", "image", "inbound", "sent",
                              "read", "error", "79011112233", "79011112233@c.us",
                              "2025-06-02T09:15:07.120Z", "1717317307", "active",
                              "https://store.wazzup24.com/a.jpg", "", "1.5e308", "-1"]))


def bodies(provider: str) -> st.SearchStrategy[bytes]:
    """Bodies shaped like the gateway's (its field names, wrong values and types), random
    JSON, and bytes. Kept shallow: generation is most of a fuzz's time."""
    keys = VOCABULARY[provider]
    names = st.sampled_from(keys)
    value = SCALARS | st.lists(SCALARS, max_size=2) | st.dictionaries(names, SCALARS, max_size=3)
    item = st.dictionaries(names, value, max_size=8)
    shaped = st.dictionaries(st.sampled_from(keys[:6]), st.lists(item, max_size=2) | item,
                             min_size=1, max_size=2)
    junk = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
    return (shaped | junk).map(lambda v: json.dumps(v).encode()) | st.binary(max_size=64)


def accepted_or_refused(provider: str, body: bytes) -> list[events.Message]:
    """What ingest would publish; raises anything that would be a 500."""
    try:
        parsed = REGISTRY[provider].parse_webhook(body, received_at=AT, account=ACCOUNT)
    except BadPayload:
        return []
    for event in parsed.events:
        assert events.decode(events.encode(event)) == event
        TOPOLOGY.route(event)
    return parsed.events


# `make test` draws 3,000 bodies per gateway (~40 s for the three); `make fuzz` 30,000
EXAMPLES = int(os.environ.get("WABRIDGE_FUZZ_EXAMPLES", "3000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(bodies("wazzup"))
def test_wazzup_bodies_are_accepted_or_refused_never_a_crash(body: bytes) -> None:
    accepted_or_refused("wazzup", body)


@FUZZ
@given(bodies("meta"))
def test_meta_bodies_are_accepted_or_refused_never_a_crash(body: bytes) -> None:
    accepted_or_refused("meta", body)


@FUZZ
@given(bodies("chat_api"))
def test_chat_api_bodies_are_accepted_or_refused_never_a_crash(body: bytes) -> None:
    accepted_or_refused("chat_api", body)


class _Recording:
    def __init__(self) -> None:
        self.published: list[events.Message] = []

    async def publish_all(self, messages: list[events.Message], *,
                          timeout: float = 10.0) -> None:
        self.published.extend(messages)


def sample(provider: str, count: int) -> list[bytes]:
    """``count`` bodies as the fuzz draws them, for the HTTP round."""
    drawn: list[bytes] = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(bodies(provider))
    def collect(body: bytes) -> None:
        drawn.append(body)

    collect()
    return drawn


async def test_the_endpoints_answer_fuzzed_bodies_with_200_or_4xx() -> None:
    bus = _Recording()
    app = web.Application()
    app[webhooks.DEPS] = webhooks.Deps(bus=bus, max_body_bytes=1 << 20,  # type: ignore[arg-type]
                                       channels=[
        ChannelConfig(id="w", provider="wazzup", api_url="https://x", api_key="k",
                      webhook_token="hook-token-1"),
        ChannelConfig(id="c", provider="chat_api", api_url="https://x", api_key="k",
                      webhook_token="hook-token-2", sender_id="100001")])
    webhooks.routes(app)
    statuses = set()
    async with TestClient(TestServer(app)) as client:
        for provider, token in (("wazzup", "hook-token-1"), ("chat_api", "hook-token-2")):
            for body in sample(provider, 200):
                answer = await client.post(f"/webhooks/{provider}/{token}", data=body)
                statuses.add(answer.status)
    assert all(s < 500 for s in statuses), statuses
    assert statuses & {200} and statuses & {400}  # both kinds of answer were exercised
