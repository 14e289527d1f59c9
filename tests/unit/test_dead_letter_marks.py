"""Dead letters a replay cannot fix are marked so in `wabridge dlq list`; `purge` exists."""

from __future__ import annotations

from shared.cli import _parser
from shared.dead_letters import can_succeed


def test_a_refused_media_url_or_an_unreadable_message_can_never_succeed() -> None:
    assert not can_succeed({"x-error-code": "MEDIA_URL_REFUSED", "x-error-kind": "PermanentError"})
    assert not can_succeed({"x-error-code": "BAD_PAYLOAD", "x-error-kind": "BadPayload"})


def test_a_gateway_refusal_may_succeed_once_its_cause_is_fixed() -> None:
    assert can_succeed({"x-error-code": "CHANNEL_BLOCKED", "x-error-kind": "PermanentError"})
    assert can_succeed({"x-error-code": "HTTP_500", "x-error-kind": "RetryableError"})


def test_purge_names_the_work_queue() -> None:
    args = _parser().parse_args(["dlq", "purge", "outbound_sender.media"])
    assert (args.action, args.queue) == ("purge", "outbound_sender.media")
