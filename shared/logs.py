"""structlog set-up: one JSON object per line on stdout, with context bound per message."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog


def configure_logging(service: str, level: str = "info") -> None:
    """JSON logs carrying ``service`` and whatever the worker/middleware bound in contextvars."""
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    for noisy in ("aio_pika", "aiormq", "pymongo"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_webhook_tokens,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)


# a webhook URL's last segment is its secret (Wazzup and chat-api authenticate by it)
_WEBHOOK_TOKEN = re.compile(r"(/webhooks/[^/\s\"']+/)[^/\s\"'?#]+")


def mask_webhook_tokens(_: Any, __: str, event: MutableMapping[str, Any]
                        ) -> MutableMapping[str, Any]:
    """A structlog processor: every string value of the line with webhook tokens masked."""
    for key, value in event.items():
        if isinstance(value, str) and "/webhooks/" in value:
            event[key] = _WEBHOOK_TOKEN.sub(r"\1***", value)
    return event


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)  # type: ignore[no-any-return]
