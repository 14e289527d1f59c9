"""Reading the deploy files as the services would see them: each service's environment from
compose (with deploy/.env filled from its example) and from the Kubernetes manifests (ConfigMap,
the workload's Secret filled from its example, the container's own env)."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec
import yaml

from deploy import envfiles
from shared import config
from shared.channels_config import CREDENTIAL_VARS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
# stands for what the person fills in (gateway credentials left empty in the examples)
FILLED = "filled-in-by-the-operator"


def settings_classes() -> dict[str, type[config.Common]]:
    """Service name as in the deploy files (``bot-router``) -> its settings Struct."""
    found = {}
    for name, cls in vars(config).items():
        if (isinstance(cls, type) and issubclass(cls, config.Common)
                and name.endswith("Settings")):
            words = re.findall(r"[A-Z][a-z]+", name.removesuffix("Settings"))
            found["-".join(w.lower() for w in words)] = cls
    return found


def module_of(service: str) -> str:
    return "services." + service.replace("-", "_")


def required_variables(cls: type[msgspec.Struct]) -> set[str]:
    """Variables the Struct cannot do without in a deployment: those without a default, and
    those whose default points at this machine's loopback interface."""
    needed = set()
    for field in msgspec.structs.fields(cls):
        no_default = field.default is msgspec.NODEFAULT and \
            field.default_factory is msgspec.NODEFAULT
        if no_default or _loopback(field.default):
            needed.add(field.encode_name)
    return needed


def _loopback(value: object) -> bool:
    return isinstance(value, str) and ("127.0.0.1" in value or "localhost" in value)


def channel_loading(service: str) -> tuple[bool, tuple[str, ...]] | None:
    """(required, needs) of the service's own ``load_channels(...)`` call, read from its code;
    None when it loads no channels. More than one different call is an error to resolve here."""
    calls = set()
    for path in sorted((ROOT / module_of(service).replace(".", "/")).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_channels":
                args = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
                calls.add((bool(args.get("required", True)), tuple(args.get("needs", ()))))
    if len(calls) > 1:
        raise AssertionError(f"{service} loads channels in more than one way: {sorted(calls)}")
    return calls.pop() if calls else None


def secret_variables() -> set[str]:
    """Everything that is a credential: config.SECRETS and the URLs that carry passwords."""
    return set(config.SECRETS) | {"RABBITMQ_URL", "MONGODB_URL"}


def credentials_for(needs: tuple[str, ...]) -> set[str]:
    """Gateway credential variables a process with these channel ``needs`` uses."""
    webhook_side = {"webhook_token", "app_secret", "verify_token"}
    kinds = webhook_side if "webhook_token" in needs else set()
    kinds |= {"api_key"} if "api_key" in needs else set()
    return {var for by_kind in CREDENTIAL_VARS.values()
            for kind, var in by_kind.items() if kind in kinds}


def example_env(path: Path, *, all_gateways: bool,
                generated: dict[str, str] | None = None) -> dict[str, str]:
    """An example env file as the operator would fill it: generated secrets (shared through
    ``generated`` across files, as deploy.envfiles does), credentials filled; with
    ``all_gateways`` the commented-out gateway lines switched on too."""
    text = envfiles.fill(path.read_text(encoding="utf-8"), {} if generated is None else generated)
    values = envfiles.parse(text, uncomment=all_gateways)
    return {k: v or FILLED for k, v in values.items()}


_INTERPOLATION = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Compose's variable substitution over a loaded file (``$$``, ``${X}``, ``:-``, ``:?``...)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        present = env.get(name) if op and op.startswith(":") else (
            env[name] if name in env else None)
        if present:
            return present
        if op in ("?", ":?"):
            raise LookupError(f"compose stops: {name}: {arg}")
        return arg if op in ("-", ":-") else env.get(name, "")

    return _INTERPOLATION.sub(one, value)


# the C loader where PyYAML has it: the manifests are read by many tests
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_docs(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.load_all(path.read_text(encoding="utf-8"), Loader=_Loader)
            if doc]


def compose_services(env: Mapping[str, str], *files: str) -> dict[str, dict[str, Any]]:
    """The services of the compose files, merged as ``-f a -f b`` does for what we use
    (environment maps merge by key, other keys are replaced)."""
    merged: dict[str, dict[str, Any]] = {}
    for name in files:
        loaded = interpolate(yaml.safe_load((DEPLOY / name).read_text(encoding="utf-8")), env)
        for service, spec in loaded["services"].items():
            into = merged.setdefault(service, {})
            environment = into.get("environment", {}) | spec.get("environment", {})
            into.update(spec)
            into["environment"] = {k: str(v) for k, v in environment.items()}
    return merged


@functools.cache
def manifests() -> tuple[tuple[Path, dict[str, Any]], ...]:
    """Every resource of deploy/k8s (read once per test session; do not modify)."""
    return tuple((path, doc) for path in sorted(K8S.glob("*.yaml"))
                 if path.name != "kustomization.yaml" for doc in load_yaml_docs(path))


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [doc for _, doc in manifests() if doc["kind"] == kind]


def secret_envs(*, all_gateways: bool) -> dict[str, dict[str, str]]:
    """Secret name -> its variables, from kustomization's secretGenerator and the examples."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    out = {}
    generated: dict[str, str] = {}
    for generator in kustomization["secretGenerator"]:
        values: dict[str, str] = {}
        for env_file in generator["envs"]:
            values |= example_env(K8S / f"{env_file}.example", all_gateways=all_gateways,
                                  generated=generated)
        out[generator["name"]] = values
    return out


def configmap_env(*, all_gateways: bool) -> dict[str, str]:
    """wabridge-env's data; ``all_gateways`` also reads its commented-out gateway keys."""
    text = (K8S / "configmap.yaml").read_text(encoding="utf-8")
    data = {k: str(v) for k, v in load_yaml_docs(K8S / "configmap.yaml")[0]["data"].items()}
    if all_gateways:
        for match in re.finditer(r"^  # ([A-Z][A-Z0-9_]*): (.+)$", text, re.MULTILINE):
            data[match.group(1)] = match.group(2).strip('"')
    return data


def workload_envs(*, all_gateways: bool) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(Deployment name, service module, environment) for every container of the manifests."""
    configmaps = {"wabridge-env": configmap_env(all_gateways=all_gateways)}
    secrets = secret_envs(all_gateways=all_gateways)
    for deployment in of_kind("Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            env: dict[str, str] = {}
            for source in container.get("envFrom", []):
                if "configMapRef" in source:
                    env |= configmaps[source["configMapRef"]["name"]]
                if "secretRef" in source:
                    env |= secrets[source["secretRef"]["name"]]
            env |= {e["name"]: str(e["value"]) for e in container.get("env", [])}
            module = container["command"][container["command"].index("-m") + 1]
            yield deployment["metadata"]["name"], module, env


def merge_patch(base: Any, patch: Any) -> Any:
    """A strategic merge patch as kustomize applies ours: maps merge, lists of named items merge
    by name, anything else is replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        return base | {k: merge_patch(base[k], v) if k in base else v for k, v in patch.items()}
    if isinstance(base, list) and isinstance(patch, list) and \
            all(isinstance(i, dict) and "name" in i for i in [*base, *patch]):
        by_name = {i["name"]: i for i in base}
        for item in patch:
            by_name[item["name"]] = merge_patch(by_name.get(item["name"], {}), item)
        return list(by_name.values())
    return patch
