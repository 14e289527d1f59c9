"""The Kubernetes manifests' traffic and scale: who may talk to whom (NetworkPolicies, checked
against what each service really calls), disruption budgets, the autoscalers (CPU, and the depth
of the queues the services report, through prometheus-adapter), the Ingress, bot-router's shards,
and the replica counts the README plans for."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import yaml

from deploy.stack import ROOT
from shared.bus import Topology, parse_shards
from shared.metrics import QUEUE_MESSAGES
from tests.unit.deploy_files import K8S, configmap_env, of_kind, secret_envs, workload_envs

ADAPTER = K8S / "metrics" / "prometheus-adapter.yaml"


def _pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    wanted: dict[str, str] = selector["matchLabels"]
    return wanted.items() <= labels.items()


def test_every_workload_has_a_disruption_budget_and_a_network_policy() -> None:
    budgets = of_kind("PodDisruptionBudget")
    policies = of_kind("NetworkPolicy")
    assert any(p["spec"]["podSelector"] == {} and
               set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} and
               "ingress" not in p["spec"] and "egress" not in p["spec"] for p in policies)
    for deployment in of_kind("Deployment"):
        labels = _pod_labels(deployment)
        assert any(_selects(b["spec"]["selector"], labels) for b in budgets), labels
        mine = [p for p in policies if p["spec"]["podSelector"] and
                _selects(p["spec"]["podSelector"], labels)]
        assert mine, labels
        from_ingress = any("ingress-nginx" in json.dumps(rule) for p in mine
                           for rule in p["spec"]["ingress"])
        assert from_ingress == (labels["app.kubernetes.io/name"] in ("ingest", "task-sync"))


def test_ingest_and_task_sync_scale_on_cpu() -> None:
    targets = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind("HorizontalPodAutoscaler")}
    assert set(targets) == {"ingest", "task-sync"}
    deployments = {d["metadata"]["name"] for d in of_kind("Deployment")}
    assert set(targets) <= deployments
    for hpa in targets.values():
        assert hpa["spec"]["minReplicas"] >= 2
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_the_ingress_routes_console_api_files_and_webhooks() -> None:
    ingress = of_kind("Ingress")[0]
    routes = {p["path"]: p["backend"]["service"]["name"]
              for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    assert routes == {"/": "task-sync", "/api/v1": "task-sync", "/files": "task-sync",
                      "/webhooks": "ingest"}
    services = {s["metadata"]["name"] for s in of_kind("Service")}
    assert set(routes.values()) <= services
    public = configmap_env(all_gateways=False)["WABRIDGE_PUBLIC_URL"]
    assert public == f"https://{ingress['spec']['rules'][0]['host']}"


def test_bot_router_deployments_cover_every_shard() -> None:
    shards = int(configmap_env(all_gateways=False)["WABRIDGE_BUS_SHARDS"])
    covered: list[int] = []
    for _, module, env in workload_envs(all_gateways=False):
        if module == "services.bot_router":
            covered += parse_shards(env.get("BOT_ROUTER_SHARDS", ""), shards)
    assert sorted(covered) == list(range(shards)), "each shard exactly once"


def _policy(name: str) -> dict[str, Any]:
    (found,) = [p for p in of_kind("NetworkPolicy") if p["metadata"]["name"] == name]
    return found


def _egress(name: str) -> dict[int, list[dict[str, Any]]]:
    """Port -> the peers a workload's policy lets it reach there (an empty list: anywhere)."""
    peers: dict[int, list[dict[str, Any]]] = {}
    for rule in _policy(name)["spec"]["egress"]:
        for port in rule["ports"]:
            peers.setdefault(port["port"], []).extend(rule.get("to", [{}]))
    return peers


def _namespace(peer: dict[str, Any]) -> str | None:
    labels = peer.get("namespaceSelector", {}).get("matchLabels", {})
    return labels.get("kubernetes.io/metadata.name")


def _namespaces_in_secret_examples() -> dict[str, set[str]]:
    """RABBITMQ_URL/MONGODB_URL -> the namespaces their hosts ([pod.]svc.<namespace>.svc) name."""
    found: dict[str, set[str]] = {}
    for values in secret_envs(all_gateways=False).values():
        for var in ("RABBITMQ_URL", "MONGODB_URL"):
            if var in values:
                hosts = urlsplit(values[var]).netloc.rsplit("@", 1)[-1].split(",")
                found.setdefault(var, set()).update(
                    h.split(".svc")[0].rsplit(".", 1)[1] for h in hosts)
    return found


def test_every_workload_reaches_the_broker_and_the_database_only_in_their_namespaces() -> None:
    namespaces = _namespaces_in_secret_examples()
    assert namespaces == {"RABBITMQ_URL": {"rabbitmq"}, "MONGODB_URL": {"mongodb"}}
    for workload in ("ingest", "bot-router", "task-sync", "outbound-sender"):
        egress = _egress(workload)
        for port in (5671, 5672):
            assert [_namespace(p) for p in egress[port]] == ["rabbitmq"], (workload, port)
        if workload == "ingest":  # no database: ingest keeps nothing
            assert 27017 not in egress
        else:
            assert [_namespace(p) for p in egress[27017]] == ["mongodb"], workload
        assert all(peers for peers in egress.values()), f"{workload}: a port open to anywhere"


def test_only_what_calls_out_may_leave_over_https() -> None:
    assert set(_egress("bot-router")) == {5671, 5672, 27017}
    assert set(_egress("ingest")) == {5671, 5672, 8081}
    (gateways,) = _egress("outbound-sender")[443]
    assert gateways["ipBlock"]["cidr"] == "0.0.0.0/0"
    assert "10.0.0.0/8" in gateways["ipBlock"]["except"], "the gateways are on the Internet"
    (first_form,) = _egress("task-sync")[443]
    assert "ipBlock" in first_form


def test_ingest_may_ask_task_sync_for_the_directory_and_task_sync_lets_it() -> None:
    (peer,) = _egress("ingest")[8081]
    assert peer == {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "task-sync"}}}
    allowed = [rule for rule in _policy("task-sync")["spec"]["ingress"]
               if {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingest"}}}
               in rule["from"]]
    assert [p["port"] for rule in allowed for p in rule["ports"]] == [8081]
    ingest_env = next(env for _, module, env in workload_envs(all_gateways=False)
                      if module == "services.ingest")
    url = urlsplit(ingest_env["WABRIDGE_DIRECTORY_URL"])
    (service,) = [s for s in of_kind("Service") if s["metadata"]["name"] == url.hostname]
    assert url.port == service["spec"]["ports"][0]["port"] == 8081


def test_task_sync_scales_on_the_depth_of_its_queues_as_its_pods_report_it() -> None:
    (hpa,) = [h for h in of_kind("HorizontalPodAutoscaler")
              if h["spec"]["scaleTargetRef"]["name"] == "task-sync"]
    external = [m["external"] for m in hpa["spec"]["metrics"] if m["type"] == "External"]
    settings = configmap_env(all_gateways=False)
    topology = Topology(settings["WABRIDGE_BUS_PREFIX"], int(settings["WABRIDGE_BUS_SHARDS"]))
    queues = {topology.queue_name(q.name) for q in topology.queues_of("task_sync")}
    assert {m["metric"]["selector"]["matchLabels"]["queue"] for m in external} == queues
    for metric in external:
        assert metric["metric"]["name"] == QUEUE_MESSAGES._name == "wabridge_queue_messages"
        assert metric["target"]["type"] == "AverageValue"
        assert int(metric["target"]["averageValue"]) > 0


def test_prometheus_adapter_serves_the_queue_gauge_as_that_external_metric() -> None:
    values = yaml.safe_load(ADAPTER.read_text(encoding="utf-8"))
    (rule,) = values["rules"]["external"]
    assert rule["name"]["as"] == QUEUE_MESSAGES._name
    assert rule["seriesQuery"].startswith(QUEUE_MESSAGES._name + "{")
    assert "queue" in QUEUE_MESSAGES._labelnames and 'queue!=""' in rule["seriesQuery"]
    # every consumer reports the same figure: combined with max, not summed; per namespace
    assert re.fullmatch(r"max\(<<\.Series>>\{<<\.LabelMatchers>>\}\) by \(queue\)",
                        rule["metricsQuery"])
    assert rule["resources"]["overrides"]["namespace"] == {"resource": "namespace"}


def test_autoscalers_reach_the_replica_counts_the_readme_plans_for_1000_messages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    header = next(line for line in readme.splitlines() if line.startswith("| messages/s |"))
    row = next(line for line in readme.splitlines() if line.startswith("| 1,000 |"))
    columns = dict(zip([c.strip() for c in header.split("|")],
                       [c.strip() for c in row.split("|")], strict=True))
    maxima = {h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
              for h in of_kind("HorizontalPodAutoscaler")}
    for service in ("ingest", "task-sync"):
        # "11 (5.2 cores)", "5–7 (2.2 cores, ...)": the count before the parenthesis
        planned = max(int(n) for n in re.findall(r"\d+", columns[service].split("(")[0]))
        assert planned <= maxima[service], (service, planned, maxima[service])
