"""Turning measurements into the JSON document: cost per message, resources, targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import metrics
from bench.stats import ratio
from bench.system import CONSUMERS, SERVICES, Delta

TARGETS = {"ingest_to_publish_ratio": 0.7, "bot_p99_ms_at_100": 50.0,
           "db_round_trips_per_message": 6.0, "broker_publishes_per_message": 4.0,
           "service_peak_rss_mb": 150.0}


def cost_per_message(delta: Delta, messages: int) -> dict[str, Any]:
    """Database round trips and confirmed publishes per message, from the services' counters."""
    merged = delta.merged()
    n = max(messages, 1)

    def per(values: dict[str, float]) -> dict[str, float]:
        return {k: round(v / n, 3) for k, v in sorted(values.items()) if v}

    db = metrics.total(merged, "wabridge_db_round_trips_total")
    pubs = metrics.total(merged, "wabridge_bus_publishes_total")
    return {
        "messages": messages,
        "db_round_trips": round(db / n, 3),
        "db_round_trips_by_command": per(metrics.by_label(merged, "wabridge_db_round_trips_total",
                                                          "command")),
        "db_round_trips_by_service": per({s: metrics.total(delta.sample[s],
                                                           "wabridge_db_round_trips_total")
                                          for s in CONSUMERS}),
        "broker_publishes": round(pubs / n, 3),
        "broker_publishes_by_routing_key": per(metrics.by_label(
            merged, "wabridge_bus_publishes_total", "routing_key")),
        "broker_publishes_by_service": per({s: metrics.total(delta.sample[s],
                                                             "wabridge_bus_publishes_total")
                                            for s in SERVICES}),
        "db_seconds_per_message_ms": round(
            metrics.total(merged, "wabridge_db_seconds_total") / n * 1000, 3),
        "handler_seconds_per_message_ms": round(
            metrics.total(merged, "wabridge_handler_seconds_sum") / n * 1000, 3),
    }


def cpu_per_1000(delta: Delta, messages: int) -> dict[str, float]:
    n = max(messages, 1)
    return {name: round(cpu / n * 1000, 3) for name, cpu in sorted(delta.cpu_s.items())}


def resources(final: dict[str, metrics.ProcSnapshot], at_max: dict[str, metrics.ProcSnapshot],
              fixed: Delta, fixed_messages: int, max_delta: Delta | None,
              max_messages: int) -> dict[str, Any]:
    per_fixed = cpu_per_1000(fixed, fixed_messages)
    per_max = cpu_per_1000(max_delta, max_messages) if max_delta else {}
    out: dict[str, Any] = {}
    for name, snap in sorted(final.items()):
        out[name] = {"peak_rss_mb": snap.peak_rss_mb,
                     "rss_mb_at_sustained_max": at_max[name].rss_mb if name in at_max else None,
                     "cpu_s_per_1000_messages": per_fixed.get(name),
                     "cpu_s_per_1000_messages_at_sustained_max": per_max.get(name)}
    return out


def targets(doc: dict[str, Any]) -> list[dict[str, Any]]:
    bot = doc["end_to_end"]["bot_answer"]
    cost = doc["cost_per_message"]
    rss = [v["peak_rss_mb"] for k, v in doc["resources"]["processes"].items() if k in SERVICES]
    rows = [
        ("ingest >= 0.7 x raw confirmed publish", doc["ingest"]["ratio_to_raw_publish"],
         TARGETS["ingest_to_publish_ratio"], ">="),
        (f"bot answer p99 at {bot['fixed']['offered_per_s']:g}/s < 50 ms",
         bot["fixed"]["latency_ms"]["p99"], TARGETS["bot_p99_ms_at_100"], "<"),
        ("db round trips per bot-answered message <= 6", cost["db_round_trips"],
         TARGETS["db_round_trips_per_message"], "<="),
        ("broker publishes per bot-answered message <= 4", cost["broker_publishes"],
         TARGETS["broker_publishes_per_message"], "<="),
        ("every service peak RSS < 150 MB", max(rss) if rss else None,
         TARGETS["service_peak_rss_mb"], "<"),
    ]
    out = []
    for name, value, limit, op in rows:
        met = None if value is None else {">=": value >= limit, "<": value < limit,
                                          "<=": value <= limit}[op]
        out.append({"target": name, "value": value, "limit": limit, "met": met})
    return out


def ratios(ingest: dict[str, Any], baselines: dict[str, Any]) -> dict[str, float | None]:
    return {"ratio_to_raw_publish": ratio(ingest["webhooks_per_s"],
                                          baselines["broker_publish_confirmed"]["messages_per_s"]),
            "ratio_to_bare_aiohttp": ratio(ingest["webhooks_per_s"],
                                           baselines["bare_aiohttp"]["requests_per_s"])}


def write(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
