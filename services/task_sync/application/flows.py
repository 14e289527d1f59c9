"""The bot's flows (issue 12), as admins edit them: drafts, publishing, the version history,
restoring, YAML, business hours, and the legacy scenario view of the default flow.

Every use case is for administrators only and every change is audited. A draft is stored even
with problems (and answers them); a flow with problems is never published.
"""

from __future__ import annotations

import hashlib
from typing import Literal

import msgspec

from services.task_sync.application import audit
from services.task_sync.application.access import ensure_admin
from services.task_sync.application.errors import Conflict, Invalid, NotFound, Refused
from services.task_sync.application.flow_ports import FlowStore
from services.task_sync.application.scenarios import replace_scenarios
from services.task_sync.deps import Deps
from shared import events
from shared.domain.access import Actor
from shared.domain.calendar import BusinessCalendar, validation_error
from shared.domain.drafts import FlowDraft, KeyInfo, PublishConflict, valid_key
from shared.domain.files import Upload
from shared.domain.flow_check import problems as check_flow
from shared.domain.flow_legacy import flow_from_scenarios, scenarios_of
from shared.domain.flow_yaml import FlowFormatError, from_yaml, to_yaml
from shared.domain.flows import DEFAULT_KEY, FlowAttachment, FlowSet, FlowVersion, Problem
from shared.domain.scenarios import Scenario, ScenarioSet
from shared.domain.tasks import Statuses
from shared.errors import RetryableError
from shared.logs import get_logger

log = get_logger(__name__)
Which = int | Literal["draft"] | None  # a version number, the draft, or the live version
Source = int | Literal["draft"] | None  # what a flow came from: its version, the draft, legacy


class Unsupported(Refused):
    """The configured task system cannot do this (First Form keeps no chat history here)."""

    status = 501


class FlowInvalid(Invalid):
    """The flow set has problems; each one is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("flow_invalid", "the flow has problems: " + "; ".join(
            f"{p.node_id or 'flow'}: {p.message}" for p in problems))
        self.problems = problems


class DraftView(msgspec.Struct, kw_only=True):
    """What the editor shows: the draft (or what a new one starts from) and its problems."""

    key: str
    flow: FlowSet
    base_version: int | None
    updated_at: str | None
    updated_by: str | None
    problems: list[Problem]


class FlowKey(msgspec.Struct, kw_only=True):
    """One flow key in the list: its live version and whether a draft is being edited."""

    key: str
    live_version: int | None
    has_draft: bool
    draft_updated_at: str | None


class VersionItem(msgspec.Struct, kw_only=True):
    """One published version in the history (without its flow set)."""

    version: int
    published_at: str
    published_by: str | None
    note: str
    live: bool


class PublishFlow(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    actor: Actor
    note: str = ""
    base_updated_at: str | None = None  # refuse when the draft was saved since this


def store(deps: Deps) -> FlowStore:
    if deps.flows is None:
        raise Unsupported("not_supported", "flows are not available in this configuration")
    return deps.flows


def checked_key(key: str) -> str:
    if not valid_key(key):
        raise NotFound("not_found", f"no flow {key!r} (a key is 'default' or a channel id)")
    return key


async def problems_of(deps: Deps, flow: FlowSet) -> list[Problem]:
    """Every reason ``flow`` cannot be published (groups from the directory, the statuses)."""
    groups = {g.id for g in await deps.directory.list_groups()}
    return check_flow(flow, groups, set(deps.statuses.all))


async def known_statuses(deps: Deps, actor: Actor) -> Statuses:
    """The task system's statuses a flow's ``set_status`` may name (the same ones publishing
    checks against); the closed one closes the task and ends the dialogue."""
    ensure_admin(actor.viewer)
    return deps.statuses


async def legacy_default(deps: Deps, key: str = DEFAULT_KEY) -> FlowSet:
    """The flow the bot ran before flows: the scenarios under the configured greeting."""
    current = await deps.scenarios.load()
    flow = flow_from_scenarios(current.items, deps.settings.wabridge_greeting,
                               deps.settings.wabridge_handover_text)
    return msgspec.structs.replace(flow, key=key)


async def live_or_legacy(deps: Deps, key: str) -> tuple[FlowSet, int | None]:
    """What ``key``'s bot runs now, as bot-router chooses it: ``key``'s live flow with its
    version; else (no version of its own) the default's live flow, else the scenarios."""
    flows = store(deps)
    live = await flows.live(key)
    if live is not None:
        return live.flow, live.version
    if key != DEFAULT_KEY and (default := await flows.live(DEFAULT_KEY)) is not None:
        return msgspec.structs.replace(default.flow, key=key), None
    return await legacy_default(deps, key), None


async def _view(deps: Deps, key: str) -> DraftView:
    draft = await store(deps).get_draft(key)
    if draft is not None:
        return DraftView(key=key, flow=draft.flow, base_version=draft.base_version,
                         updated_at=draft.updated_at, updated_by=draft.updated_by,
                         problems=await problems_of(deps, draft.flow))
    flow, version = await live_or_legacy(deps, key)
    return DraftView(key=key, flow=flow, base_version=version, updated_at=None,
                     updated_by=None, problems=await problems_of(deps, flow))


async def flow_keys(deps: Deps, actor: Actor) -> list[FlowKey]:
    """Every flow key (``default`` always first) with its live version and its draft's time."""
    ensure_admin(actor.viewer)
    found = {k.key: k for k in await store(deps).keys()}
    found.setdefault(DEFAULT_KEY, KeyInfo(key=DEFAULT_KEY))
    return [FlowKey(key=k, live_version=found[k].live_version,
                    has_draft=found[k].draft_updated_at is not None,
                    draft_updated_at=found[k].draft_updated_at)
            for k in sorted(found, key=lambda k: (k != DEFAULT_KEY, k))]


async def read_draft(deps: Deps, actor: Actor, key: str) -> DraftView:
    ensure_admin(actor.viewer)
    return await _view(deps, checked_key(key))


async def save_draft(deps: Deps, actor: Actor, key: str, flow: FlowSet,
                     action: str = "flows.draft_save") -> DraftView:
    """Store ``flow`` as ``key``'s draft, problems and all; answers it with its problems."""
    ensure_admin(actor.viewer)
    flows = store(deps)
    before = await flows.get_draft(checked_key(key))
    if before is not None:
        base = before.base_version
    else:
        live = await flows.live(key)
        base = live.version if live else None
    draft = FlowDraft(key=key, flow=msgspec.structs.replace(flow, key=key),
                      updated_at=events.utcnow().isoformat(), base_version=base,
                      updated_by=actor.user.id)
    await flows.save_draft(draft)
    await audit.record(deps, actor, action, "flow", key)
    return DraftView(key=key, flow=draft.flow, base_version=base, updated_at=draft.updated_at,
                     updated_by=draft.updated_by, problems=await problems_of(deps, draft.flow))


async def discard_draft(deps: Deps, actor: Actor, key: str) -> None:
    ensure_admin(actor.viewer)
    if await store(deps).delete_draft(checked_key(key)):
        await audit.record(deps, actor, "flows.draft_discard", "flow", key)


async def _publish(deps: Deps, actor: Actor, key: str, flow: FlowSet, note: str,
                   action: str) -> FlowVersion:
    found = await problems_of(deps, flow)
    if found:
        raise FlowInvalid(found)
    try:
        published = await store(deps).publish(key, flow, published_at=events.utcnow().isoformat(),
                                               published_by=actor.user.id, note=note)
    except PublishConflict as exc:
        raise Conflict("published_meanwhile", f"{exc}; reload and try again") from None
    await _announce(deps, published)
    await audit.record(deps, actor, action, "flow", key, version=published.version,
                       note=note or None)
    return published


async def _announce(deps: Deps, published: FlowVersion) -> None:
    notice = events.FlowsChanged(
        id=events.derive_id("flows", published.key, str(published.version)),
        correlation_id=events.new_id(), occurred_at=events.utcnow(), key=published.key,
        version=published.version)
    try:
        await deps.bus.publish(notice)
    except RetryableError as exc:
        # bot-router's cache also expires on its own, so the change still lands
        log.warning("flow change not announced; bot-router picks it up on its next reload",
                    key=published.key, version=published.version, reason=str(exc))


async def publish_draft(deps: Deps, cmd: PublishFlow) -> FlowVersion:
    """Publish ``key``'s draft as its next version; the draft is then done with."""
    ensure_admin(cmd.actor.viewer)
    flows = store(deps)
    draft = await flows.get_draft(checked_key(cmd.key))
    if draft is None:
        raise Conflict("no_draft", f"flow {cmd.key} has no draft to publish; save one first")
    if cmd.base_updated_at is not None and cmd.base_updated_at != draft.updated_at:
        raise Conflict("draft_changed", "the draft was saved by someone else since you read "
                       "it; reload it")
    published = await _publish(deps, cmd.actor, cmd.key, draft.flow, cmd.note, "flows.publish")
    await flows.delete_draft(cmd.key, if_updated_at=draft.updated_at)
    return published


async def list_versions(deps: Deps, actor: Actor, key: str) -> list[VersionItem]:
    """``key``'s published versions, newest first, the live one marked."""
    ensure_admin(actor.viewer)
    flows = store(deps)
    live = await flows.live(checked_key(key))
    return [VersionItem(version=v.version, published_at=v.published_at,
                        published_by=v.published_by, note=v.note,
                        live=live is not None and v.version == live.version)
            for v in await flows.versions(key)]


async def get_version(deps: Deps, actor: Actor, key: str, version: int) -> FlowVersion:
    ensure_admin(actor.viewer)
    found = await store(deps).get_version(checked_key(key), version)
    if found is None:
        raise NotFound("not_found", f"flow {key} has no version {version}")
    return found


async def restore_version(deps: Deps, actor: Actor, key: str, version: int) -> FlowVersion:
    """Publish a copy of ``version`` as the next version (history is never rewritten)."""
    old = await get_version(deps, actor, key, version)
    return await _publish(deps, actor, key, old.flow, f"restored from {version}",
                          "flows.restore")


async def flow_of(deps: Deps, key: str, which: Which) -> tuple[FlowSet, Source]:
    """The flow a simulation or an export means: a version, the draft (or what a new draft
    starts from), or the live flow (else the legacy default); with what it was."""
    if which == "draft":
        return (await _view(deps, key)).flow, "draft"
    if which is None:
        return await live_or_legacy(deps, key)
    found = await store(deps).get_version(key, which)
    if found is None:
        raise NotFound("not_found", f"flow {key} has no version {which}")
    return found.flow, found.version


async def export_yaml(deps: Deps, actor: Actor, key: str, which: Which) -> str:
    ensure_admin(actor.viewer)
    flow, _ = await flow_of(deps, checked_key(key), which)
    return to_yaml(flow)


async def import_yaml(deps: Deps, actor: Actor, key: str, text: str) -> DraftView:
    """The YAML becomes ``key``'s draft; a malformed one is refused naming where."""
    ensure_admin(actor.viewer)
    try:
        flow = from_yaml(text)
    except FlowFormatError as exc:
        raise Invalid("invalid_yaml", str(exc)) from None
    return await save_draft(deps, actor, key, flow, action="flows.import")


async def read_hours(deps: Deps, actor: Actor, key: str) -> BusinessCalendar | None:
    return (await read_draft(deps, actor, key)).flow.hours


async def save_hours(deps: Deps, actor: Actor, key: str,
                     hours: BusinessCalendar | None) -> DraftView:
    """Change only the draft's business hours (None: always open)."""
    if hours is not None and (reason := validation_error(hours)):
        raise Invalid("invalid_hours", reason)
    view = await read_draft(deps, actor, key)
    return await save_draft(deps, actor, key, msgspec.structs.replace(view.flow, hours=hours),
                            action="flows.hours_save")


async def legacy_scenarios(deps: Deps) -> ScenarioSet:
    """The default flow seen as the old flat scenarios (deprecated view)."""
    if deps.flows is None:  # a composition without flows: the flat set as it was
        return await deps.scenarios.load()
    flow, version = await live_or_legacy(deps, DEFAULT_KEY)
    return ScenarioSet(version=version or 0, items=scenarios_of(flow))


async def replace_scenarios_as_flow(deps: Deps, actor: Actor,
                                    items: list[Scenario]) -> ScenarioSet:
    """The old scenario editor: a default flow built from ``items`` under the current
    greeting, published as the next version."""
    ensure_admin(actor.viewer)
    try:
        ScenarioSet(version=0, items=items)
    except ValueError as exc:
        raise Invalid("invalid_body", str(exc)) from None
    if deps.flows is None:
        replaced = await replace_scenarios(deps, items)
        await audit.record(deps, actor, "scenarios.replace", "scenarios",
                           str(replaced.version), count=len(items))
        return replaced
    current, _ = await live_or_legacy(deps, DEFAULT_KEY)
    flow = flow_from_scenarios(items, current.root.answer,
                               current.handover_text or deps.settings.wabridge_handover_text)
    flow = msgspec.structs.replace(flow, navigation=current.navigation, hours=current.hours,
                                   closed_text=current.closed_text)
    published = await _publish(deps, actor, DEFAULT_KEY, flow, "scenarios replaced",
                               "scenarios.replace")
    await replace_scenarios(deps, items)  # the flat set too, for readers of the old shape
    return ScenarioSet(version=published.version, items=scenarios_of(published.flow))


async def store_answer_file(deps: Deps, actor: Actor, upload: Upload) -> FlowAttachment:
    """A file for a node's answer (checked for type and size by the caller, as a comment's),
    stored under an id of its content, so the same file uploaded again is the same file.
    It belongs to no task: only administrators download it through the API; gateways fetch
    it through signed links when the bot sends it."""
    ensure_admin(actor.viewer)
    file_id = events.derive_id("flow-file", hashlib.sha256(upload.content).hexdigest())
    stored = await deps.files.put(file_id, upload.file_name, upload.mime_type, upload.content)
    await audit.record(deps, actor, "flows.file_upload", "file", file_id,
                       file_name=upload.file_name, size=stored.size)
    return FlowAttachment(file_id=file_id, file_name=upload.file_name,
                          mime_type=upload.mime_type, size=stored.size)
