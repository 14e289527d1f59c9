"""What the sandbox's First Form instance holds: users, groups, the two categories of the seed
("Общение WhatsApp" with its fields and states, "Контактные лица" with the demo contacts),
tasks, feed comments, files, login tokens and armed failures. In memory, per app.

Ids are numbers, as First Form's are. ``bridge_env`` is the configuration that points wabridge
at it (the people map follows ``deploy/seed/demo.yaml``).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import msgspec

LOGIN, PASSWORD, PAT = "wabridge", "sandbox-first-form-password", "sandbox-first-form-pat"
WHATSAPP_SUBCAT, CONTACTS_SUBCAT = 1001, 1002
ROBOT, GROUP_BOT = 10, 11
FIELDS = {501: ("Контактное лицо", "LookUpField"), 502: ("Телефон", "Text"),
          503: ("ID чата", "Text"), 504: ("ID канала", "Text")}
STATES = {11: "Новая", 12: "Диалог с ботом", 13: "Диалог с менеджером", 14: "Закрыта"}
CLOSED_STATES = frozenset({14, 22})
USERS = {3: "Робот 1Ф", ROBOT: "WhatsAppRobot", GROUP_BOT: "1FWhatsAppBot",
         100: "Администратор Демо", 101: "Иванова Мария Сергеевна",
         102: "Петров Алексей Игоревич", 103: "Смирнов Олег Викторович",
         104: "Соколова Елена Павловна"}
GROUPS = {7: "Контакт-центр", 8: "Отдел продаж"}
CONTACTS = {60001: ("Сидоров Пётр", "+7 901 111-22-33"), 60002: ("Кузнецова Анна", "79012223344"),
            60003: ("Орлов Денис", "79013334455"), 60004: ("Волков Игорь", "79014445566")}


def bridge_env(base_url: str) -> dict[str, str]:
    """task-sync's variables for First Form mode against this sandbox at ``base_url``."""
    return {
        "WABRIDGE_TASK_SYSTEM": "first_form", "FIRST_FORM_URL": f"{base_url}/first-form",
        "FIRST_FORM_LOGIN": LOGIN, "FIRST_FORM_PASSWORD": PASSWORD,
        "FIRST_FORM_SUBCAT_ID": str(WHATSAPP_SUBCAT),
        "FIRST_FORM_CONTACTS_SUBCAT_ID": str(CONTACTS_SUBCAT),
        "FIRST_FORM_ROBOT_USER_ID": str(ROBOT), "FIRST_FORM_GROUP_BOT_USER_ID": str(GROUP_BOT),
        "FIRST_FORM_USERS": "usr-admin=100,usr-ivanova=101,usr-petrov=102,usr-smirnov=103,"
                            "usr-supervisor=104",
        "FIRST_FORM_GROUPS": "grp-contact-centre=7,grp-sales=8",
    }


class FfFile(msgspec.Struct, kw_only=True):
    id: int
    name: str
    mime_type: str
    content: bytes


class FfComment(msgspec.Struct, kw_only=True):
    id: int
    task_id: int
    author_id: int
    text: str
    at: str
    thread_id: int | None = None
    file_ids: list[int] = []


class FfTask(msgspec.Struct, kw_only=True):
    id: int
    subcat_id: int
    text: str
    state_id: int
    ext: dict[int, str] = {}
    performers: list[int] = []
    groups: list[int] = []
    file_ids: list[int] = []
    initiator_id: int | None = None


class Failure(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The next ``count`` API calls whose path contains ``path`` answer ``status``;
    ``after_effect``: the call is carried out first and only its answer is lost."""

    count: int
    status: int = 503
    path: str = ""
    after_effect: bool = False
    retry_after: float | None = None


@dataclass
class World:
    clock: Callable[[], float] = time.monotonic
    users: dict[int, str] = field(default_factory=lambda: dict(USERS))
    groups: dict[int, str] = field(default_factory=lambda: dict(GROUPS))
    tasks: dict[int, FfTask] = field(default_factory=dict)
    comments: dict[int, FfComment] = field(default_factory=dict)
    files: dict[int, FfFile] = field(default_factory=dict)
    preuploads: dict[str, FfFile] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    token_ttl_s: float = 1500 * 60
    logins: int = 0
    # how calls proved who they are: "pat" (the 1F-Pat header) or "token" (1FormaAuth)
    authorized_by: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    _next: dict[str, int] = field(default_factory=lambda: {
        "task": 70001, "comment": 90001, "file": 5001})

    def __post_init__(self) -> None:
        for task_id, (name, phone) in CONTACTS.items():
            self.tasks[task_id] = FfTask(id=task_id, subcat_id=CONTACTS_SUBCAT, text=name,
                                         state_id=21, ext={601: phone})

    def new_id(self, kind: str) -> int:
        self._next[kind] += 1
        return self._next[kind]

    def issue_token(self) -> str:
        token = secrets.token_hex(16)
        self.tokens[token] = self.clock() + self.token_ttl_s
        self.logins += 1
        return token

    def token_valid(self, token: str) -> bool:
        until = self.tokens.get(token)
        return until is not None and self.clock() < until

    def take_failure(self, path: str) -> Failure | None:
        for index, failure in enumerate(self.failures):
            if failure.path in path:
                if failure.count <= 1:
                    del self.failures[index]
                else:
                    self.failures[index] = msgspec.structs.replace(failure,
                                                                   count=failure.count - 1)
                return failure
        return None

    def add_comment(self, task_id: int, author_id: int, text: str, thread_id: int | None,
                    file_ids: list[int]) -> FfComment:
        comment = FfComment(id=self.new_id("comment"), task_id=task_id, author_id=author_id,
                            text=text, thread_id=thread_id, file_ids=file_ids,
                            at=datetime.now(UTC).isoformat(timespec="milliseconds"))
        self.comments[comment.id] = comment
        return comment

    def add_file(self, name: str, mime_type: str, content: bytes) -> FfFile:
        file = FfFile(id=self.new_id("file"), name=name, mime_type=mime_type, content=content)
        self.files[file.id] = file
        return file

    def states_of(self, subcat_id: int) -> dict[int, str]:
        return STATES if subcat_id == WHATSAPP_SUBCAT else {21: "Активен", 22: "Архив"}

    def fields_of(self, subcat_id: int) -> dict[int, tuple[str, str]]:
        return FIELDS if subcat_id == WHATSAPP_SUBCAT else {601: ("Телефон", "Text")}
