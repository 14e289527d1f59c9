"""The deploy files start what they claim to: compose and the Kubernetes manifests give every
service what its settings Struct (shared/config.py) requires, each only the secrets it uses; the
manifests pass kubernetes-validate --strict and the compose files the Compose specification's
schema (both offline); the image's layers and contents are as the Dockerfile promises."""

from __future__ import annotations

import importlib.resources
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import kubernetes_validate
import msgspec
import pytest
import yaml
from kubernetes_validate.utils import latest_version
from packaging.requirements import Requirement

from deploy import envfiles, healthcheck
from shared import config
from shared.channels_config import load_channels
from tests.unit.deploy_files import (
    DEPLOY,
    K8S,
    channel_loading,
    compose_services,
    configmap_env,
    credentials_for,
    example_env,
    interpolate,
    load_yaml_docs,
    manifests,
    merge_patch,
    module_of,
    of_kind,
    required_variables,
    secret_variables,
    settings_classes,
    workload_envs,
)

SERVICES = settings_classes()
# (required, needs) of each service's load_channels call, read from its code: which gateway
# credentials it cannot run without (None: it loads no channels)
CHANNELS = {name: channel_loading(name) for name in SERVICES}
MODULES = {module_of(name): name for name in SERVICES}


def check_environment(service: str, env: dict[str, str], where: str) -> None:
    """What the service needs at start is there, and no secret it does not use."""
    cls = SERVICES[service]
    missing = required_variables(cls) - env.keys()
    assert not missing, f"{where}: {service} lacks {sorted(missing)}"
    loopback = {v for v in required_variables(cls) if "127.0.0.1" in env[v] or
                "localhost" in env[v]}
    assert not loopback, f"{where}: {service} keeps a loopback address in {sorted(loopback)}"
    try:
        config.load(cls, env)
        if (channels := CHANNELS[service]) is not None:
            load_channels(env, required=channels[0], needs=channels[1])
    except config.ConfigError as exc:
        pytest.fail(f"{where}: {service} would not start: {exc}")
    field_names = {f.encode_name for f in msgspec.structs.fields(cls)}
    needs = CHANNELS[service][1] if CHANNELS[service] else ()
    uses = (field_names | credentials_for(needs)) & secret_variables()
    extra = {k for k, v in env.items() if v} & secret_variables() - uses
    assert not extra, f"{where}: {service} gets secrets it does not use: {sorted(extra)}"
    assert "WABRIDGE_SEED_FILE" not in env, f"{where}: a seed file by default"


def test_every_service_of_the_system_has_a_settings_struct() -> None:
    assert set(SERVICES) == {"ingest", "bot-router", "task-sync", "outbound-sender"}


def test_channel_needs_are_read_from_the_services_own_load_channels_calls() -> None:
    assert CHANNELS == {"ingest": (True, ("webhook_token",)),
                        "outbound-sender": (True, ("api_key",)),
                        "task-sync": (False, ()), "bot-router": None}


def test_required_variables_come_from_the_structs() -> None:
    assert "MONGODB_URL" in required_variables(config.TaskSyncSettings)
    assert "MONGODB_URL" not in required_variables(config.IngestSettings)
    assert {"RABBITMQ_URL", "HTTP_HOST"} <= required_variables(config.IngestSettings)
    assert "WABRIDGE_PUBLIC_URL" in required_variables(config.OutboundSenderSettings)


# --- compose --------------------------------------------------------------------------------

COMPOSE_FILES = ["compose.yaml", "compose.start.yaml", "compose.demo.yaml",
                 "compose.ports.yaml"]


@pytest.mark.parametrize("all_gateways", [False, True], ids=["as-shipped", "all-gateways"])
def test_compose_gives_every_service_what_its_settings_require(all_gateways: bool) -> None:
    env = example_env(DEPLOY / ".env.example", all_gateways=all_gateways)
    services = compose_services(env, "compose.yaml")
    assert set(SERVICES) <= services.keys()
    for name in SERVICES:
        assert services[name]["command"][-1] == module_of(name)
        check_environment(name, services[name]["environment"], "compose.yaml")


def test_compose_demo_override_runs_every_service_against_the_sandbox() -> None:
    env = example_env(DEPLOY / ".env.example", all_gateways=False)
    services = compose_services(env, "compose.yaml", "compose.demo.yaml")
    for name in SERVICES:
        environment = services[name]["environment"]
        config.load(SERVICES[name], environment)
        if CHANNELS[name] is None:
            continue
        gateways = [c.api_url for c in load_channels(environment, required=False)]
        assert gateways and all(url.startswith("http://sandbox:8090") for url in gateways)
    demo = yaml.safe_load((DEPLOY / "compose.demo.yaml").read_text(encoding="utf-8"))
    assert demo["configs"]["wabridge-seed"]["file"] == "./seed/demo.yaml"
    task_sync = services["task-sync"]
    (mount,) = task_sync["configs"]
    assert task_sync["environment"]["WABRIDGE_SEED_FILE"] == mount["target"]
    assert mount["source"] == "wabridge-seed"


def test_compose_start_override_loads_the_start_file_only_when_added() -> None:
    env = example_env(DEPLOY / ".env.example", all_gateways=False)
    assert "configs" not in compose_services(env, "compose.yaml")["task-sync"]
    task_sync = compose_services(env, "compose.yaml", "compose.start.yaml")["task-sync"]
    (mount,) = task_sync["configs"]
    assert task_sync["environment"]["WABRIDGE_SEED_FILE"] == mount["target"]
    start = interpolate(yaml.safe_load((DEPLOY / "compose.start.yaml").read_text(
        encoding="utf-8")), env)
    assert start["configs"][mount["source"]]["file"] == "./seed/start.yaml"


def test_compose_refuses_to_start_without_the_generated_secrets() -> None:
    with pytest.raises(LookupError, match="RABBITMQ_PASSWORD"):
        compose_services({}, "compose.yaml")


def test_compose_publishes_no_database_and_no_broker_and_loads_no_demo_data() -> None:
    env = example_env(DEPLOY / ".env.example", all_gateways=True)
    services = compose_services(env, "compose.yaml")
    for name in ("rabbitmq", "mongo", "bot-router", "outbound-sender"):
        assert "ports" not in services[name], name
    for name in ("ingest", "task-sync"):
        assert all(p.startswith("127.0.0.1:") for p in services[name]["ports"]), name
    base = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert "configs" not in base
    ports = compose_services(env, "compose.yaml", "compose.ports.yaml")
    assert all(p.startswith("127.0.0.1:") for s in ("rabbitmq", "mongo")
               for p in ports[s]["ports"])


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_compose_file_is_valid_by_the_compose_specification(name: str) -> None:
    schema_file = importlib.resources.files("check_jsonschema.builtin_schemas.vendor").joinpath(
        "compose-spec.json")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    document = yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    for path in re.findall(r"\./[\w./-]+", (DEPLOY / name).read_text(encoding="utf-8")):
        assert (DEPLOY / path.split(":")[0]).exists(), f"{name} names a missing {path}"


def test_the_demo_seed_and_the_start_seed_are_what_they_say() -> None:
    start = yaml.safe_load((DEPLOY / "seed" / "start.yaml").read_text(encoding="utf-8"))
    assert start["users"] == [] and start["contacts"] == []
    names = {g["name"] for g in start["groups"]}
    assert msgspec.convert({"MONGODB_URL": "mongodb://db/", "WABRIDGE_URL_SIGNING_KEY": "k" * 16},
                           config.TaskSyncSettings).wabridge_seed_file == ""
    contact_centre = [f.default for f in msgspec.structs.fields(config.TaskSyncSettings)
                      if f.name == "wabridge_contact_centre_group"]
    assert contact_centre[0] in names
    assert yaml.safe_load((K8S / "start-data" / "seed.yaml").read_text(encoding="utf-8")) == start


def test_kubernetes_start_data_is_an_opt_in_component_that_task_sync_reads() -> None:
    component = yaml.safe_load((K8S / "start-data" / "kustomization.yaml").read_text(
        encoding="utf-8"))
    assert component["kind"] == "Component"
    (generator,) = component["configMapGenerator"]
    assert generator["files"] == ["seed.yaml"]
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "components" not in kustomization, "opt-in: commented out in kustomization.yaml"
    assert not [d for d in of_kind("ConfigMap") if d["metadata"]["name"] == generator["name"]]
    (patch,) = component["patches"]
    (base,) = [d for d in of_kind("Deployment") if d["metadata"]["name"] == "task-sync"]
    patched = merge_patch(base, load_yaml_docs(K8S / "start-data" / patch["path"])[0])
    kubernetes_validate.validate(patched, latest_version(), strict=True)
    pod = patched["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    seed_file = {e["name"]: e["value"] for e in container["env"]}["WABRIDGE_SEED_FILE"]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    (volume,) = [n for n, path in mounts.items() if seed_file.startswith(path + "/")]
    assert volumes[volume]["configMap"]["name"] == generator["name"]
    assert seed_file.rsplit("/", 1)[1] == "seed.yaml"
    assert {v["name"] for v in base["spec"]["template"]["spec"]["volumes"]} == {"tmp"}


# --- Kubernetes -----------------------------------------------------------------------------

@pytest.mark.parametrize("all_gateways", [False, True], ids=["as-shipped", "all-gateways"])
def test_manifests_give_every_workload_what_its_settings_require(all_gateways: bool) -> None:
    seen = set()
    for deployment, module, env in workload_envs(all_gateways=all_gateways):
        service = MODULES[module]
        seen.add(service)
        check_environment(service, env, f"deploy/k8s Deployment {deployment}")
    assert seen == set(SERVICES)


def test_configmap_holds_no_secret() -> None:
    assert not configmap_env(all_gateways=True).keys() & secret_variables()


def test_manifests_pass_kubernetes_validate_strict() -> None:
    version = latest_version()
    for path, doc in manifests():
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name} {doc['kind']}/{doc['metadata']['name']}: {exc}")


def test_kustomization_lists_every_manifest_and_a_secret_per_workload() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    secret_refs = [source["secretRef"]["name"] for d in of_kind("Deployment")
                   for c in d["spec"]["template"]["spec"]["containers"]
                   for source in c["envFrom"] if "secretRef" in source]
    generated = {g["name"] for g in kustomization["secretGenerator"]}
    assert set(secret_refs) == generated
    assert len(generated) == len(SERVICES)
    assert not of_kind("Secret"), "secrets come only from the git-ignored env files"


def test_pods_meet_pod_security_restricted() -> None:
    namespace = of_kind("Namespace")[0]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for deployment in of_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert not {"hostNetwork", "hostPID", "hostIPC"} & pod.keys()
        assert all("hostPath" not in v for v in pod.get("volumes", []))
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]
            assert "add" not in context["capabilities"]


# --- the image ------------------------------------------------------------------------------

def _stages() -> dict[str, list[str]]:
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        if match := re.match(r"FROM \S+ AS (\S+)", line):
            current = stages.setdefault(match.group(1), [])
        elif line and not line.startswith("#"):
            current.append(line)
    return stages


def test_production_image_installs_locked_deps_first_and_has_no_sandbox_or_seed() -> None:
    stages = _stages()
    assert {"deps", "production", "sandbox"} <= stages.keys()
    deps = " ".join(stages["deps"])
    assert "--require-hashes" in deps and "requirements.lock" in deps
    assert not any(line.startswith("COPY") and "requirements.lock" not in line
                   for line in stages["deps"]), "only the lock file goes into the deps layer"
    production = [line for line in stages["production"] if line.startswith("COPY")]
    assert production[0].startswith("COPY --from=deps")
    copied = " ".join(production)
    for absent in ("sandbox", "standin", "seed", "tests", "bench"):
        assert absent not in copied, absent
    assert any(line.startswith("HEALTHCHECK") for line in stages["production"])
    assert any("services/sandbox" in line for line in stages["sandbox"])
    assert any(line.startswith("COPY --from=console") for line in production), "console build"
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    assert "services/task_sync/console/node_modules" in ignored
    for line in production[1:] + [line for line in stages["sandbox"] if line.startswith("COPY")]:
        if not line.startswith("COPY --from="):
            for source in line.split()[1:-1]:
                assert (DEPLOY.parent / source).exists(), source


def test_lock_file_pins_every_dependency_with_hashes() -> None:
    project = tomllib.loads((DEPLOY.parent / "pyproject.toml").read_text(encoding="utf-8"))
    lock = (DEPLOY / "requirements.lock").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+)", lock, re.MULTILINE))
    for spec in project["project"]["dependencies"]:
        requirement = Requirement(spec)
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        assert name in pins, (f"{name} is not in deploy/requirements.lock: regenerate it "
                              "(command in deploy/Dockerfile)")
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} vs {spec}"
    blocks = re.split(r"\n(?=[a-z0-9])", lock.split("\n", 2)[-1])
    assert all("--hash=sha256:" in block for block in blocks if "==" in block)


def test_healthcheck_asks_the_port_of_the_service_in_the_container() -> None:
    argv = ["python", "-m", "services.bot_router", ""]
    assert healthcheck.health_url(argv, {}) == "http://127.0.0.1:8082/readyz"
    assert healthcheck.health_url(argv, {"BOT_ROUTER_PORT": "9000"}).endswith(":9000/readyz")
    for service in SERVICES:
        assert service.replace("-", "_") in healthcheck.CHECKS
    with pytest.raises(LookupError):
        healthcheck.health_url(["python", "-m", "http.server"], {})


# --- secret files ---------------------------------------------------------------------------

def test_generated_secrets_are_random_and_shared_where_a_variable_repeats() -> None:
    values: dict[str, str] = {}
    first = envfiles.parse(envfiles.fill("A=<generate>\nB=<generate>\n# C=<generate>\n", values),
                           uncomment=True)
    second = envfiles.parse(envfiles.fill("A=<generate>\n", values))
    assert first["A"] == second["A"] and first["A"] != first["B"]
    assert len(first["A"]) == 64 and "<" not in first["C"]
    assert "# C=" in envfiles.fill("# C=<generate>\n", {})


def test_every_secret_file_has_an_example_and_is_git_ignored() -> None:
    ignored = (DEPLOY / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored and "k8s/secrets/*.env" in ignored
    examples = envfiles.examples()
    assert examples[0] == DEPLOY / ".env.example"
    assert {p.name for p in examples[1:]} == {f"{name}.env.example" for name in SERVICES}
    for example in examples:
        assert "<generate>" in example.read_text(encoding="utf-8") or \
            example.name == "bot-router.env.example"


def test_interpolation_follows_compose() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate("${SET:-d} ${EMPTY:-d} ${UNSET:-d} $$HOME", env) == "x d d $HOME"
    with pytest.raises(LookupError, match="UNSET: say why"):
        interpolate("${UNSET:?say why}", env)


def test_load_yaml_docs_skips_empty_documents(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("---\na: 1\n---\n")
    assert load_yaml_docs(path) == [{"a": 1}]
