"""The adapter's settings as it uses them: ids, the people map, the routes (pure)."""

from __future__ import annotations

import msgspec

from shared.config import TaskSyncSettings

FIELD_KEYS = ("contact", "phone", "chat_id", "channel_id")
STATUS_KEYS = ("bot", "manager", "closed")
SYSTEM_ROBOT = 3  # "Робот 1Ф", First Form's own automation (reference §1, [DOC])


class Paths(msgspec.Struct, frozen=True, kw_only=True):
    """Routes the reference leaves unconfirmed (``{task_id}``/``{subcat_id}`` are filled in)."""

    create: str = "/api/tasks/create"
    search: str = "/api-core/datasource/subcat/{subcat_id}/data"
    feed: str = "/app/v1.0/api/feeds/task/{task_id}"
    comment: str = "/app/v1.2/api/publications/action/wa-comment"
    state: str = "/app/v1.2/api/publications/action/wa-state"
    assign: str = "/app/v1.2/api/publications/action/wa-assign"


class Options(msgspec.Struct, frozen=True, kw_only=True):
    base_url: str
    pat: str = ""
    login: str = ""
    password: str = ""
    token_ttl_s: float = 1500 * 60
    subcat_id: int
    # field key (FIELD_KEYS) → the ДП's id ("502") or its name, looked up in the category
    fields: dict[str, str] = {}
    # status key (STATUS_KEYS) → First Form state id; a missing one is looked up by name
    state_ids: dict[str, int] = {}
    status_names: dict[str, str] = {}
    robot_user_id: int = 3
    group_bot_user_id: int = 3
    users: dict[str, int] = {}  # our user id or login → First Form user id
    groups: dict[str, int] = {}  # our group id or name → First Form group id
    contacts_subcat_id: int = 0
    contact_phone_field: str = "Телефон"
    column: str = "ExtParam{id}"
    paths: Paths = Paths()
    files_to: str = "comment"
    poll_s: float = 3.0
    requests_per_second: float = 5.0
    timeout_s: float = 15.0
    retries: int = 2

    @property
    def service_user_ids(self) -> frozenset[int]:
        """Authors whose comments are ours or First Form's automation, never a person's."""
        return frozenset({self.robot_user_id, self.group_bot_user_id, SYSTEM_ROBOT})


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """``a=1,b=2`` as a dict; raises ValueError naming ``what`` when malformed."""
    pairs: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what}: expected key=value pairs separated by commas, got {item!r}")
        pairs[key.strip()] = value.strip()
    return pairs


def parse_ids(text: str, what: str) -> dict[str, int]:
    """``a=1,b=2`` with numeric values."""
    out = {}
    for key, value in parse_pairs(text, what).items():
        if not value.isdigit():
            raise ValueError(f"{what}: the value of {key!r} must be a numeric id, got {value!r}")
        out[key] = int(value)
    return out


def from_settings(s: TaskSyncSettings) -> Options:
    """The adapter's options; raises ValueError naming the malformed variable."""
    fields = parse_pairs(s.first_form_fields, "FIRST_FORM_FIELDS")
    unknown = set(fields) - set(FIELD_KEYS)
    if unknown:
        raise ValueError(f"FIRST_FORM_FIELDS: unknown keys {sorted(unknown)}; use {FIELD_KEYS}")
    state_ids = parse_ids(s.first_form_state_ids, "FIRST_FORM_STATE_IDS")
    if set(state_ids) - set(STATUS_KEYS):
        raise ValueError(f"FIRST_FORM_STATE_IDS: keys are {STATUS_KEYS}")
    if s.first_form_requests_per_second <= 0:
        raise ValueError("FIRST_FORM_REQUESTS_PER_SECOND must be above 0")
    return Options(
        base_url=s.first_form_url.rstrip("/"), pat=s.first_form_pat, login=s.first_form_login,
        password=s.first_form_password, token_ttl_s=s.first_form_token_minutes * 60.0,
        subcat_id=s.first_form_subcat_id, fields=fields, state_ids=state_ids,
        status_names={"bot": s.wabridge_status_bot, "manager": s.wabridge_status_manager,
                      "closed": s.wabridge_status_closed},
        robot_user_id=s.first_form_robot_user_id,
        group_bot_user_id=s.first_form_group_bot_user_id,
        users=parse_ids(s.first_form_users, "FIRST_FORM_USERS"),
        groups=parse_ids(s.first_form_groups, "FIRST_FORM_GROUPS"),
        contacts_subcat_id=s.first_form_contacts_subcat_id,
        contact_phone_field=s.first_form_contact_phone_field, column=s.first_form_column,
        paths=Paths(create=s.first_form_create_path, search=s.first_form_search_path,
                    feed=s.first_form_feed_path, comment=s.first_form_comment_path,
                    state=s.first_form_state_path, assign=s.first_form_assign_path),
        files_to=s.first_form_files_to, poll_s=s.first_form_poll_seconds,
        requests_per_second=s.first_form_requests_per_second,
        timeout_s=s.first_form_timeout_seconds, retries=s.first_form_retries)
