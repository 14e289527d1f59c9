"""Request shapes and shared helpers of the directory API (contacts, users, groups)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from aiohttp import web

from services.task_sync.api_common import DEPS
from services.task_sync.application.ports import Directory
from services.task_sync.http_json import problem
from shared.domain.directory import digits

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
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False

    def __post_init__(self) -> None:
        self.full_name = _required(self.full_name, "full_name")
        self.phones = _phones(self.phones)
        self.group_ids = list(dict.fromkeys(self.group_ids))


class UserIn(UserFields, kw_only=True, forbid_unknown_fields=True):
    """A new user; the id is generated when not given. Issue a token separately."""

    id: Id | None = None


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
        if not raw.isdigit() or int(raw) > high:
            raise problem(400, "bad_query", f"{name} must be an integer from 0 to {high}")
        paging[name] = int(raw)
    return paging


def no_content() -> web.Response:
    return web.Response(status=204)
