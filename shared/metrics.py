"""Prometheus metrics shared by every service (one process per service, default registry)."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge, Histogram, Info

_CHILDREN: dict[tuple[int, tuple[str, ...]], Any] = {}


def child(metric: Any, *labels: str) -> Any:
    """``metric.labels(*labels)``, kept: the hot paths count per message, and ``labels()``
    (a lock, a validation, a lookup) costs more than the count itself. For metrics whose label
    values are bounded (queue names, commands, routing keys without their shard)."""
    key = (id(metric), labels)
    found = _CHILDREN.get(key)
    if found is None:
        found = _CHILDREN[key] = metric.labels(*labels)
    return found


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
    "wabridge_db_round_trips_total", "Database commands sent, by command name and collection",
    ["command", "collection"],
)
DB_SECONDS = Counter(
    "wabridge_db_seconds_total", "Time spent waiting on database commands, by command name "
    "and collection", ["command", "collection"],
)
GATEWAY_SECONDS = Histogram(
    "wabridge_gateway_seconds", "Gateway HTTP call latency", ["provider", "outcome"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUEUE_MESSAGES = Gauge(
    "wabridge_queue_messages", "Messages waiting in a work queue (sampled)", ["queue"],
)
DEAD_LETTERS = Gauge(
    "wabridge_dead_letters", "Messages in a work queue's dead-letter queue (sampled)", ["queue"],
)
HTTP_REQUESTS = Counter(
    "wabridge_http_requests_total", "HTTP requests answered, by route template and status",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "wabridge_http_request_seconds", "Time to answer an HTTP request, by route template",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
BUILD = Info("wabridge_build", "The running code: package version and service")
WEBHOOKS = Counter(
    "wabridge_webhooks_total", "Webhook deliveries, by provider and HTTP status",
    ["provider", "status"],
)
EVENTS_PARSED = Counter(
    "wabridge_webhook_events_total", "Events parsed from webhooks, by type", ["provider", "type"],
)

# issue 13: routing, idle forwarding, response deadlines and the timers behind them
ROUTED = Counter(
    "wabridge_tasks_routed_total", "Handed-over or queued tasks given to a person automatically",
    ["group", "mode"],
)
FORWARDED = Counter(
    "wabridge_tasks_forwarded_total", "Tasks taken from an idle assignee", ["group"],
)
SLA_RESPONSES = Counter(
    "wabridge_sla_responses_total", "Answers to waiting customers, by deadline outcome",
    ["group", "kind", "outcome"],  # kind: first | next; outcome: met | breached | untargeted
)
SLA_BREACHES = Counter(
    "wabridge_sla_breaches_total", "Response deadlines that passed unanswered", ["group", "kind"],
)
SLA_RESPONSE_SECONDS = Histogram(
    "wabridge_sla_response_business_seconds", "Business time a customer waited for an answer",
    ["kind"], buckets=(30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400),
)
TIMERS_FIRED = Counter(
    "wabridge_timers_fired_total", "Durable timers fired, by kind and outcome",
    ["kind", "outcome"],  # outcome: done | failed
)
TIMER_LAG_SECONDS = Histogram(
    "wabridge_timer_lag_seconds", "How late a timer fired after it came due",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
