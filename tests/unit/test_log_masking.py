"""Webhook path tokens never reach a log line (Wazzup and chat-api authenticate by them)."""

from __future__ import annotations

import json

import pytest
import structlog

from shared.logs import configure_logging, get_logger, mask_webhook_tokens


def test_a_webhook_token_in_any_field_is_masked() -> None:
    line = mask_webhook_tokens(None, "info", {
        "path": "/webhooks/wazzup/sandbox-webhook-token",
        "exception": 'File "x", GET http://h:8080/webhooks/chat_api/s3cr3t?x=1 failed',
        "count": 3})
    assert line == {"path": "/webhooks/wazzup/***",
                    "exception": 'File "x", GET http://h:8080/webhooks/chat_api/***?x=1 failed',
                    "count": 3}


def test_the_configured_logger_masks_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", "info")
    try:
        get_logger("masking").info("request refused", path="/webhooks/meta/my-secret-token")
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert printed["path"] == "/webhooks/meta/***"
