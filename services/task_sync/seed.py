"""First-start data: the demo seed file, the admin from WABRIDGE_ADMIN_TOKEN, service users.

A seed user's ``password`` is hashed (argon2id) when the seed is loaded; only the hash is stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import yaml

from services.task_sync.application.passwords import hash_password
from shared import events
from shared.config import TaskSyncSettings
from shared.domain.drafts import PublishConflict
from shared.domain.flow_legacy import flow_from_scenarios
from shared.domain.flows import DEFAULT_KEY
from shared.logs import get_logger
from shared.store import accounts, directory, flows, scenarios
from shared.store.mongo import Database

log = get_logger(__name__)


class SeedUser(directory.User, kw_only=True, omit_defaults=True):
    token: str | None = None
    password: str | None = None


class SeedFile(msgspec.Struct, kw_only=True):
    groups: list[directory.Group] = []
    users: list[SeedUser] = []
    contacts: list[directory.Contact] = []
    scenarios: list[scenarios.Scenario] = []


def read_seed(path: Path) -> SeedFile:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return msgspec.convert(raw, SeedFile)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise ValueError(f"seed file {path} is unusable: {exc}") from exc


async def load_demo_if_empty(db: Database, path: Path) -> bool:
    """Load the seed when the directory has no users yet (first start)."""
    if await directory.count_users(db) > 0:
        return False
    seed = read_seed(path)
    for group in seed.groups:
        await directory.upsert_group(db, group)
    for user in seed.users:
        plain = directory.User(**{f: getattr(user, f) for f in directory.User.__struct_fields__})
        await directory.upsert_user(db, plain, token=user.token)
        if user.password:
            await accounts.set_password_hash(db, user.id, await hash_password(user.password),
                                             events.utcnow())
    for contact in seed.contacts:
        await directory.upsert_contact(db, contact)
    await scenarios.seed_if_empty(db, seed.scenarios)
    log.info("demo seed loaded", path=str(path), users=len(seed.users),
             contacts=len(seed.contacts), scenarios=len(seed.scenarios))
    return True


async def ensure_admin(db: Database, token: str) -> None:
    """Make sure an admin with this token exists (WABRIDGE_ADMIN_TOKEN)."""
    existing = await directory.user_by_token(db, token)
    if existing is not None and existing.is_admin:
        return
    await directory.upsert_user(db, directory.User(
        id="usr-env-admin", full_name="Administrator", is_admin=True), token=token)


async def ensure_service_user(db: Database, full_name: str) -> str:
    """The id of the service user with this name, created when missing."""
    user = await directory.user_by_name(db, full_name)
    if user is not None:
        return user.id
    user_id = f"usr-svc-{events.derive_id('service-user', full_name)[:12]}"
    await directory.upsert_user(db, directory.User(id=user_id, full_name=full_name,
                                                   is_service=True))
    return user_id


async def ensure_default_flow(db: Database, settings: TaskSyncSettings) -> bool:
    """On a store without flows, publish version 1 of the default flow: the stored (seeded)
    scenarios under the configured greeting, so the bot answers as it did before flows."""
    if await flows.live(db, DEFAULT_KEY) is not None:
        return False
    items = (await scenarios.load(db)).items
    if not items and settings.wabridge_seed_file:
        # another replica may be loading the seed right now (its users are in, its scenarios
        # not yet): the seed file's own scenarios, so every replica publishes the same flow
        items = read_seed(Path(settings.wabridge_seed_file)).scenarios
    flow = flow_from_scenarios(items, settings.wabridge_greeting,
                               settings.wabridge_handover_text)
    try:
        await flows.publish(db, DEFAULT_KEY, flow, published_at=events.utcnow().isoformat(),
                            note="the scenarios and greeting before flows", expected_version=0)
    except PublishConflict:
        return False  # another replica seeded it first
    log.info("default flow published from the scenarios", scenarios=len(items))
    return True


CONTACT_CENTRE_ID = "grp-contact-centre"  # the seed files' id for it too


async def ensure_contact_centre(db: Database, name: str) -> bool:
    """The group a chat goes to when its contact has no responsible employee
    (WABRIDGE_CONTACT_CENTRE_GROUP), created when no group has that name, so a start without
    any seed file hands over from the first message instead of dead-lettering it. The id is
    the seed files', so a replica loading a seed meanwhile writes the same group; a group of
    that id under another name (renamed through the API) is left as it is."""
    if (await directory.group_by_name(db, name) is not None
            or await directory.get_group(db, CONTACT_CENTRE_ID) is not None):
        return False
    await directory.upsert_group(db, directory.Group(id=CONTACT_CENTRE_ID, name=name))
    log.info("contact-centre group created; add its people with /api/v1/users",
             group_id=CONTACT_CENTRE_ID, name=name)
    return True


async def prepare(db: Database, settings: TaskSyncSettings) -> tuple[str, str]:
    """Seed, admin and service users; returns (robot user id, group bot user id)."""
    if settings.wabridge_seed_file:
        await load_demo_if_empty(db, Path(settings.wabridge_seed_file))
    await ensure_contact_centre(db, settings.wabridge_contact_centre_group)
    await flows.ensure_indexes(db)
    await ensure_default_flow(db, settings)
    if settings.wabridge_admin_token:
        await ensure_admin(db, settings.wabridge_admin_token)
    robot = await ensure_service_user(db, settings.wabridge_robot_user)
    group_bot = await ensure_service_user(db, settings.wabridge_group_bot_user)
    return robot, group_bot
