"""Prometheus metrics shared by every service (one process per service, default registry)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

MESSAGES = Counter(
    "wabridge_messages_total", "Bus messages handled, by queue and outcome",
    ["queue", "outcome"],  # outcome: processed | retried | dead_lettered | duplicate
)
HANDLER_SECONDS = Histogram(
    "wabridge_handler_seconds", "Time spent handling one bus message", ["queue"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
PUBLISHES = Counter(
    "wabridge_bus_publishes_total", "Messages published and confirmed, by routing key",
    ["exchange", "routing_key"],
)
DB_ROUND_TRIPS = Counter(
    "wabridge_db_round_trips_total", "Database commands sent, by command name", ["command"],
)
DB_SECONDS = Counter(
    "wabridge_db_seconds_total", "Time spent waiting on database commands",
)
GATEWAY_SECONDS = Histogram(
    "wabridge_gateway_seconds", "Gateway HTTP call latency", ["provider", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WEBHOOKS = Counter(
    "wabridge_webhooks_total", "Webhook deliveries, by provider and HTTP status",
    ["provider", "status"],
)
EVENTS_PARSED = Counter(
    "wabridge_webhook_events_total", "Events parsed from webhooks, by type", ["provider", "type"],
)
