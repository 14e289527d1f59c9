"""Settings from environment variables: one Struct per service, loaded and checked at start.

A field ``rabbitmq_url`` is read from ``RABBITMQ_URL``. Loading fails with a ``ConfigError`` that
names the missing or malformed variable; fields listed in ``SECRETS`` are masked in ``describe``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec

SECRETS = frozenset({
    "WAZZUP_API_KEY", "WAZZUP_WEBHOOK_TOKEN", "WABRIDGE_ADMIN_TOKEN", "WABRIDGE_URL_SIGNING_KEY",
    "META_ACCESS_TOKEN", "META_APP_SECRET", "META_VERIFY_TOKEN", "META_WEBHOOK_TOKEN",
    "CHAT_API_TOKEN", "CHAT_API_WEBHOOK_TOKEN", "FIRST_FORM_PAT", "FIRST_FORM_PASSWORD",
    "WABRIDGE_DIRECTORY_TOKEN",
})


class ConfigError(Exception):
    """The environment does not describe a runnable service."""


class Common(msgspec.Struct, kw_only=True, frozen=True, rename="upper"):
    """What every service needs: the broker and how to behave on it."""

    rabbitmq_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    wabridge_bus_prefix: str = "wa"
    wabridge_bus_shards: int = 8
    wabridge_retry_base_seconds: float = 1.0
    wabridge_max_attempts: int = 8
    wabridge_prefetch: int = 32
    http_host: str = "127.0.0.1"
    log_level: str = "info"

    def __post_init__(self) -> None:
        if not self.rabbitmq_url.startswith(("amqp://", "amqps://")):
            raise ValueError("RABBITMQ_URL must start with amqp:// or amqps://")
        if not 1 <= self.wabridge_bus_shards <= 256:
            raise ValueError("WABRIDGE_BUS_SHARDS must be between 1 and 256")


class Stored(Common, kw_only=True, frozen=True, rename="upper"):
    """Services with state: the database as well."""

    mongodb_url: str
    wabridge_db: str = "wabridge"
    wabridge_url_signing_key: str = ""
    wabridge_public_url: str = "http://127.0.0.1:8081"
    wabridge_signed_url_ttl_seconds: int = 300

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.mongodb_url.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("MONGODB_URL must start with mongodb:// or mongodb+srv://")

    def require_signing_key(self) -> None:
        """Services that sign or check file URLs cannot run without the shared key."""
        if len(self.wabridge_url_signing_key) < 16:
            raise ValueError("WABRIDGE_URL_SIGNING_KEY must be set (16+ characters, the same "
                             "for task-sync and outbound-sender)")


class Texts(Stored, kw_only=True, frozen=True, rename="upper"):
    """Names and texts of the business process; Russian defaults from the product description."""

    wabridge_category: str = "Общение WhatsApp"
    wabridge_status_bot: str = "Диалог с ботом"
    wabridge_status_manager: str = "Диалог с менеджером"
    wabridge_status_closed: str = "Закрыта"
    wabridge_robot_user: str = "WhatsAppRobot"
    wabridge_group_bot_user: str = "1FWhatsAppBot"
    wabridge_contact_centre_group: str = "Контакт-центр"
    wabridge_greeting: str = (
        "Здравствуйте! Вас приветствует чат-бот. Отправьте код: 1 — график работы, "
        "2 — адрес офиса, 3 — статус заказа, 4 — связаться с менеджером. "
        "Или напишите свой вопрос, и мы передадим его менеджеру."
    )
    wabridge_handover_text: str = "Спасибо! Ваше сообщение передано менеджеру, он скоро ответит."
    wabridge_manager_signature: str = "*{name}*:\n{text}"


class IngestSettings(Common, kw_only=True, frozen=True, rename="upper"):
    ingest_port: int = 8080
    ingest_max_body_bytes: int = 1_048_576
    # task-sync as ingest reaches it, and an API token there: a gateway's createContact for a
    # phone the directory knows is answered with that contact. Empty: always a new contact
    wabridge_directory_url: str = ""
    wabridge_directory_token: str = ""


class BotRouterSettings(Texts, kw_only=True, frozen=True, rename="upper"):
    bot_router_port: int = 8082
    wabridge_bot_in_groups: bool = False
    # content types that in the bot dialogue neither get an answer nor hand over by themselves
    wabridge_bot_quiet_kinds: str = "reaction,sticker,geo,vcard"
    # which inbound shards this replica consumes ("0-3,6"; empty: all). Replicas with disjoint
    # sets share the load; overlapping sets stand by for each other (single active consumer).
    bot_router_shards: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        from shared.bus import parse_shards

        try:
            parse_shards(self.bot_router_shards, self.wabridge_bus_shards)
        except ValueError as exc:
            raise ValueError(f"BOT_ROUTER_SHARDS: {exc}") from None


class TaskSyncSettings(Texts, kw_only=True, frozen=True, rename="upper"):
    task_sync_port: int = 8081
    wabridge_admin_token: str = ""
    # first-start data (groups, users, contacts, scenarios); empty: none. make run: the demo seed
    wabridge_seed_file: str = ""
    wabridge_outbox_sweep_seconds: float = 5.0
    wabridge_outbox_safety_sweep_seconds: float = 300.0
    # an outgoing comment with no send result after this long: ask what became of its sends
    wabridge_reconcile_after_seconds: float = 180.0
    # channels whose customers see our read marks when a manager opens the chat: `*` every
    # channel, or channel ids separated by commas; empty: none
    wabridge_read_receipts: str = "*"
    wabridge_upload_max_bytes: int = 10 * 1024 * 1024
    wabridge_upload_mime_types: str = (
        "image/jpeg,image/png,image/gif,image/webp,application/pdf,application/zip,"
        "audio/mpeg,audio/ogg,audio/aac,audio/amr,audio/mp4,video/mp4,video/3gpp,text/plain,"
        "text/csv,application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint,"
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    )
    # issue 13: the durable timers' scheduler (one per replica) and the 24-hour window's
    # deadline: a reminder this many minutes before it closes (0: none), and the approved
    # "please reply" template sent as it closes while we owe an answer (empty: none)
    wabridge_timer_max_nap_seconds: float = 15.0
    wabridge_timer_lease_seconds: float = 60.0
    wabridge_window_reminder_minutes: float = 60.0
    wabridge_window_template: str = ""
    wabridge_window_template_language: str = ""
    # the task system: `builtin` (MongoDB) or `first_form` (README, "First Form as the task
    # system"); FIRST_FORM_* defaults are the reference's best guesses where it is unconfirmed
    wabridge_task_system: str = "builtin"
    first_form_url: str = ""
    first_form_pat: str = ""
    first_form_login: str = ""
    first_form_password: str = ""
    first_form_token_minutes: int = 1500
    first_form_subcat_id: int = 0
    first_form_fields: str = (
        "contact=Контактное лицо,phone=Телефон,chat_id=ID чата,channel_id=ID канала")
    first_form_state_ids: str = ""
    first_form_robot_user_id: int = 3
    first_form_group_bot_user_id: int = 3
    first_form_users: str = ""
    first_form_groups: str = ""
    first_form_contacts_subcat_id: int = 0
    first_form_contact_phone_field: str = "Телефон"
    first_form_column: str = "ExtParam{id}"
    first_form_create_path: str = "/api/tasks/create"
    first_form_search_path: str = "/api-core/datasource/subcat/{subcat_id}/data"
    first_form_feed_path: str = "/app/v1.0/api/feeds/task/{task_id}"
    first_form_comment_path: str = "/app/v1.2/api/publications/action/wa-comment"
    first_form_state_path: str = "/app/v1.2/api/publications/action/wa-state"
    first_form_assign_path: str = "/app/v1.2/api/publications/action/wa-assign"
    first_form_files_to: str = "comment"
    first_form_poll_seconds: float = 3.0
    first_form_requests_per_second: float = 5.0
    first_form_timeout_seconds: float = 15.0
    first_form_retries: int = 2

    def __post_init__(self) -> None:
        super().__post_init__()
        self.require_signing_key()
        if self.wabridge_task_system not in ("builtin", "first_form"):
            raise ValueError("WABRIDGE_TASK_SYSTEM must be builtin or first_form")
        if self.wabridge_task_system == "first_form":
            self._check_first_form()

    def _check_first_form(self) -> None:
        if not self.first_form_url.startswith(("http://", "https://")):
            raise ValueError("FIRST_FORM_URL must be set (http:// or https://) when "
                             "WABRIDGE_TASK_SYSTEM is first_form")
        if self.first_form_subcat_id <= 0:
            raise ValueError("FIRST_FORM_SUBCAT_ID must be the id of the WhatsApp category")
        if not self.first_form_pat and not (self.first_form_login and self.first_form_password):
            raise ValueError("set FIRST_FORM_PAT, or FIRST_FORM_LOGIN and FIRST_FORM_PASSWORD")
        if self.first_form_files_to not in ("comment", "task"):
            raise ValueError("FIRST_FORM_FILES_TO must be comment or task")

    @property
    def upload_mime_types(self) -> frozenset[str]:
        return frozenset(t.strip() for t in self.wabridge_upload_mime_types.split(",") if t.strip())


class OutboundSenderSettings(Stored, kw_only=True, frozen=True, rename="upper"):
    outbound_sender_port: int = 8083
    gateway_timeout_seconds: float = 15.0
    wabridge_media_max_bytes: int = 50 * 1024 * 1024
    wabridge_media_timeout_seconds: float = 60.0
    wabridge_media_hosts: str = (
        "store.wazzup24.com,lookaside.fbsbx.com,graph.facebook.com"
    )
    wabridge_sandbox_url: str = ""
    wabridge_channel_poll_seconds: float = 300.0

    def __post_init__(self) -> None:
        super().__post_init__()
        self.require_signing_key()


S = TypeVar("S", bound=msgspec.Struct)


def load(cls: type[S], environ: Mapping[str, str] | None = None) -> S:
    """Read ``cls`` from the environment; raise ``ConfigError`` naming the faulty variable."""
    env = os.environ if environ is None else environ
    names = {f.encode_name for f in msgspec.structs.fields(cls)}
    values: dict[str, Any] = {k: v for k, v in env.items() if k in names}
    try:
        return msgspec.convert(values, cls, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigError(_explain(str(exc))) from None


def _explain(message: str) -> str:
    if message.startswith("Object missing required field"):
        name = message.split("`")[1]
        return f"missing environment variable {name} (see the configuration table in README.md)"
    if " - at `$." in message:
        what, where = message.split(" - at `$.")
        return f"environment variable {where.rstrip('`')} is malformed: {what}"
    return f"configuration is invalid: {message}"


def describe(settings: msgspec.Struct) -> dict[str, Any]:
    """The settings as a dict for the start-up log line, with secrets masked."""
    out: dict[str, Any] = {}
    for field in msgspec.structs.fields(settings):
        value = getattr(settings, field.name)
        if field.encode_name in SECRETS and value:
            value = "***"
        elif field.encode_name.endswith("_URL") and isinstance(value, str) and "@" in value:
            scheme, _, rest = value.partition("://")
            value = f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
        out[field.encode_name] = value
    return out
