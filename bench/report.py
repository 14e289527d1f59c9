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
           "flow_db_round_trips_per_message": 6.0, "flow_broker_publishes_per_message": 4.0,
           "service_peak_rss_mb": 150.0, "service_cpu_ms_per_message": 3.5,
           "comment_p99_ms_at_100": 50.0, "db_round_trips_per_comment": 5.0,
           "console_inbox_list_p95_ms": 100.0, "console_search_p95_ms": 100.0,
           "console_open_chat_p95_ms": 100.0, "console_live_fanout_p99_ms": 200.0,
           "console_first_load_kb": 300.0}


def service_cpu(delta: Delta, answered: int) -> dict[str, Any]:
    """User+system CPU of our services' processes over the phase per answered message, in ms
    (extra ingest processes, ``ingest.2``..., count as ingest)."""
    n = max(answered, 1)
    by_service = dict.fromkeys(SERVICES, 0.0)
    for process, cpu_s in delta.cpu_s.items():
        service = process.split(".", 1)[0]
        if service in by_service:
            by_service[service] += cpu_s
    return {"answered": answered,
            "service_cpu_ms": round(sum(by_service.values()) / n * 1000, 3),
            "service_cpu_ms_by_service": {s: round(c / n * 1000, 3)
                                          for s, c in by_service.items()}}


def cost_per_message(delta: Delta, messages: int, answered: int) -> dict[str, Any]:
    """Database round trips and confirmed publishes per accepted message, from the services'
    counters; the services' CPU per answered message, from /proc."""
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
        "db_round_trips_by_service_collection": {
            s: per({f"{c}.{k}": v for (name, labels), v in delta.sample[s].items()
                    if name == "wabridge_db_round_trips_total"
                    for c, k in [(dict(labels).get("command", ""),
                                  dict(labels).get("collection", ""))]})
            for s in CONSUMERS},
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
    } | service_cpu(delta, answered)


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
    """Each target (issues 5, 8 and 9) with the measured value and whether it was met."""
    rows = _system_rows(doc) if "end_to_end" in doc else []
    if "console" in doc:
        rows += _console_rows(doc["console"])
    out = []
    for key, name, value, op in rows:
        limit = TARGETS[key]
        met = None if value is None else {">=": value >= limit, "<": value < limit,
                                          "<=": value <= limit}[op]
        out.append({"id": key, "target": name, "value": value, "limit": limit, "met": met})
    return out


Row = tuple[str, str, Any, str]


def _system_rows(doc: dict[str, Any]) -> list[Row]:
    bot = doc["end_to_end"]["bot_answer"]["fixed"]
    comment = doc["end_to_end"]["manager_comment"]["fixed"]
    cost, comment_cost = doc["cost_per_message"], doc["cost_per_manager_comment"]
    rss = [v["peak_rss_mb"] for k, v in doc["resources"]["processes"].items() if k in SERVICES]
    return [
        ("ingest_to_publish_ratio", "ingest >= 0.7 x raw confirmed publish",
         doc["ingest"]["ratio_to_raw_publish"], ">="),
        ("bot_p99_ms_at_100", f"bot answer p99 at {bot['offered_per_s']:g}/s < 50 ms",
         bot["latency_ms"]["p99"], "<"),
        ("db_round_trips_per_message", "db round trips per bot-answered message <= 6",
         cost["db_round_trips"], "<="),
        ("broker_publishes_per_message", "broker publishes per bot-answered message <= 4",
         cost["broker_publishes"], "<="),
        ("service_peak_rss_mb", "every service peak RSS < 150 MB", max(rss) if rss else None,
         "<"),
        ("service_cpu_ms_per_message",
         "CPU of the four services per bot-answered message <= 3.5 ms",
         cost["service_cpu_ms"], "<="),
        ("comment_p99_ms_at_100",
         f"manager comment p99 at {comment['offered_per_s']:g}/s < 50 ms",
         comment["latency_ms"]["p99"], "<"),
        ("db_round_trips_per_comment", "db round trips per manager comment <= 5",
         comment_cost["db_round_trips"], "<="),
        *_flow_rows(doc),
    ]


def _flow_rows(doc: dict[str, Any]) -> list[Row]:
    """The bot-answered path with a published flow (issue 12), when the run measured it."""
    if "bot_flow" not in doc:
        return []
    cost, nodes = doc["bot_flow"]["cost_per_message"], doc["bot_flow"]["nodes"]
    return [
        ("flow_db_round_trips_per_message",
         f"db round trips per bot-answered message with a {nodes}-node flow <= 6",
         cost["db_round_trips"], "<="),
        ("flow_broker_publishes_per_message",
         f"broker publishes per bot-answered message with a {nodes}-node flow <= 4",
         cost["broker_publishes"], "<="),
    ]


def _console_rows(console: dict[str, Any]) -> list[Row]:
    store = console["store"]
    scale = f"{store['tasks']:,} tasks / {store['comments']:,} comments"
    if not store["full_scale"]:
        scale += ", not the issue's 100,000 / 1,000,000"
    fanout = console["live_fanout"]
    return [
        ("console_inbox_list_p95_ms", f"inbox list p95 < 100 ms, worst view ({scale})",
         console["inbox_list"]["worst_view_p95"], "<"),
        ("console_search_p95_ms", f"inbox search p95 < 100 ms, worst kind ({scale})",
         console["search"]["worst_kind_p95"], "<"),
        ("console_open_chat_p95_ms",
         f"open a chat (newest 50 of {store['long_chat_comments']:,}) p95 < 100 ms ({scale})",
         console["open_chat"]["p95"], "<"),
        ("console_live_fanout_p99_ms",
         f"a new comment reaches {fanout['streams']} event streams, p99 < 200 ms",
         fanout["latency_ms"]["p99"] if fanout["deliveries"] == fanout["expected_deliveries"]
         else None, "<"),
        ("console_first_load_kb", "console first load < 300 KB gzip",
         console["first_load"]["gzip_kb"], "<"),
    ]


def summary(doc: dict[str, Any]) -> list[str]:
    """The figures a reader looks for first, one line each, for the end of the run's output."""
    lines = _system_summary(doc) if "end_to_end" in doc else []
    if "console" in doc:
        lines += _console_summary(doc["console"])
    verdict = {True: "met", False: "NOT met", None: "not measured"}
    lines += [f"target {verdict[t['met']]}: {t['target']} (measured {t['value']})"
              for t in doc["targets"]]
    return lines


def _system_summary(doc: dict[str, Any]) -> list[str]:
    bot = doc["end_to_end"]["bot_answer"]["fixed"]
    comment = doc["end_to_end"]["manager_comment"]["fixed"]
    cost, comment_cost = doc["cost_per_message"], doc["cost_per_manager_comment"]

    def latency(phase: dict[str, Any]) -> str:
        ms = phase["latency_ms"]
        return (f"at {phase['offered_per_s']:g}/s p50 {ms['p50']} ms, p99 {ms['p99']} ms "
                f"({phase['answered']} of {phase['accepted']} answered)")

    return [
        f"ingest: {doc['ingest']['webhooks_per_s']} webhooks/s "
        f"({doc['ingest']['ratio_to_raw_publish']} x raw confirmed publish)",
        f"bot answer: {latency(bot)}",
        f"manager comment: {latency(comment)}",
        f"per bot-answered message: {cost['service_cpu_ms']} ms CPU of the services "
        f"{cost['service_cpu_ms_by_service']}, {cost['db_round_trips']} db round trips, "
        f"{cost['broker_publishes']} publishes",
        f"per manager comment: {comment_cost['service_cpu_ms']} ms CPU of the services, "
        f"{comment_cost['db_round_trips']} db round trips "
        f"{comment_cost['db_round_trips_by_command']}",
        *_flow_summary(doc),
    ]


def _flow_summary(doc: dict[str, Any]) -> list[str]:
    if "bot_flow" not in doc:
        return []
    flow = doc["bot_flow"]
    fixed, cost = flow["fixed"], flow["cost_per_message"]
    ms = fixed["latency_ms"]
    return [f"bot answer with a {flow['nodes']}-node flow: at {fixed['offered_per_s']:g}/s "
            f"p50 {ms['p50']} ms, p99 {ms['p99']} ms ({fixed['answered']} of "
            f"{fixed['accepted']} answered); {cost['db_round_trips']} db round trips "
            f"{cost['db_round_trips_by_command']}, {cost['broker_publishes']} publishes"]


def _console_summary(console: dict[str, Any]) -> list[str]:
    store, lists, search = console["store"], console["inbox_list"], console["search"]
    chat, fanout, first = console["open_chat"], console["live_fanout"], console["first_load"]

    def p(row: dict[str, Any]) -> str:
        return f"p50 {row['p50']} / p95 {row['p95']} ms"

    return [
        f"console store: {store['tasks']:,} tasks, {store['comments']:,} comments "
        f"(seeded in {store['seed_s']} s)",
        f"console inbox list: {p(lists)}; by view (p95) "
        f"{ {k: v['p95'] for k, v in lists['by_view'].items()} }",
        f"console inbox counts: {p(console['inbox_counts'])}",
        f"console search: by kind (p95) { {k: v['p95'] for k, v in search['by_kind'].items()} }",
        f"console open chat (50 of {store['long_chat_comments']}): {p(chat)}",
        f"console live updates: {fanout['deliveries']} of {fanout['expected_deliveries']} "
        f"deliveries to {fanout['connected']} streams, p50 {fanout['latency_ms']['p50']} / "
        f"p99 {fanout['latency_ms']['p99']} ms",
        f"console first load: {first['gzip_kb']} KB gzip"
        + (f" ({first['reason']})" if first["reason"] else ""),
    ]


def ratios(ingest: dict[str, Any], baselines: dict[str, Any]) -> dict[str, float | None]:
    return {"ratio_to_raw_publish": ratio(ingest["webhooks_per_s"],
                                          baselines["broker_publish_confirmed"]["messages_per_s"]),
            "ratio_to_bare_aiohttp": ratio(ingest["webhooks_per_s"],
                                           baselines["bare_aiohttp"]["requests_per_s"])}


def write(doc: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
