"""Request shapes and shared helpers of the directory API (contacts, users, groups)."""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application.ports import Directory
from services.task_sync.http_json import problem
from shared.domain.directory import LOGIN_PATTERN, Role, User, digits, normal_login

Id = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise ValueError(f"{field} must not be empty")
    return value.strip()


def _phones(raw: list[str]) -> list[str]:
    """Digits only, each once, in the order given."""
    found: list[str] = []
    for phone in raw:
        number = digits(phone)
        if not 7 <= len(number) <= 15:
            raise ValueError(f"phone {phone!r} must have 7 to 15 digits")
        if number not in found:
            found.append(number)
    return found


class ContactFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A contact as PUT replaces it; phones in any format, stored as digits."""

    name: Name
    phones: list[str] = []
    responsible_user_id: str | None = None

    def __post_init__(self) -> None:
        self.name = _required(self.name, "name")
        self.phones = _phones(self.phones)


class ContactIn(ContactFields, kw_only=True, forbid_unknown_fields=True):
    """A new contact; the id is generated when not given."""

    id: Id | None = None


class UserFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A user as PUT replaces it; the full name signs the user's messages to customers."""

    full_name: Name
    login: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    role: Role | None = None  # when absent: admin if is_admin, else manager
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False

    def __post_init__(self) -> None:
        self.full_name = _required(self.full_name, "full_name")
        self.phones = _phones(self.phones)
        self.group_ids = list(dict.fromkeys(self.group_ids))
        if self.login is not None:
            self.login = normal_login(self.login) or None
        if self.login is not None and not re.match(LOGIN_PATTERN, self.login):
            raise ValueError("login must be 2 to 64 lower-case letters, digits, '.', '_' or "
                             "'-', starting with a letter or digit")

    @property
    def effective_role(self) -> Role:
        return self.role or ("admin" if self.is_admin else "manager")


class UserIn(UserFields, kw_only=True, forbid_unknown_fields=True):
    """A new user; the id is generated when not given. Issue a token separately; a password
    (for the console) may be given here or set later."""

    id: Id | None = None
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=256)] | None = None


class PasswordIn(msgspec.Struct, forbid_unknown_fields=True):
    password: Annotated[str, msgspec.Meta(min_length=8, max_length=256)]


class UserView(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A user as the API shows them (never a token or password hash); ``role`` always."""

    id: str
    full_name: str
    role: Role
    login: str | None = None
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False
    is_service: bool = False


def user_view(user: User) -> UserView:
    return UserView(id=user.id, full_name=user.full_name, role=user.role, login=user.login,
                    phones=user.phones, group_ids=user.group_ids, is_admin=user.is_admin,
                    is_service=user.is_service)


class GroupFields(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: Name

    def __post_init__(self) -> None:
        self.name = _required(self.name, "name")


class GroupIn(GroupFields, kw_only=True, forbid_unknown_fields=True):
    id: Id | None = None


class TokenIssued(msgspec.Struct, kw_only=True):
    """A new API token; shown only in this response, stored only as its hash."""

    user_id: str
    token: str


def directory_of(request: web.Request) -> Directory:
    return request.app[DEPS].directory


def paging(request: web.Request) -> dict[str, int]:
    paging = {}
    for name, default, high in (("limit", 100, 500), ("offset", 0, 1_000_000)):
        raw = request.query.get(name, str(default))
        if not (raw.isascii() and raw.isdigit()) or int(raw) > high:
            raise problem(400, "bad_query", f"{name} must be an integer from 0 to {high}")
        paging[name] = int(raw)
    return paging


def no_content() -> web.Response:
    return web.Response(status=204)
