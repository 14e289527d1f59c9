"""Users, groups and contacts of the directory."""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.domain import phones

Role = Literal["admin", "supervisor", "manager"]
ROLES: tuple[Role, ...] = ("admin", "supervisor", "manager")
LOGIN_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,63}$"


class User(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A person (or a service user) of the directory.

    ``role`` is what the console's rules go by; ``is_admin`` is kept equal to ``role ==
    "admin"`` for the API's older clients: a user stored or sent with ``is_admin`` true and no
    role is an admin. ``login`` signs in to the console (the password is stored apart).
    """

    id: str
    full_name: str
    login: str | None = None
    role: Role = "manager"
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False
    is_service: bool = False

    def __post_init__(self) -> None:
        if self.is_admin:
            self.role = "admin"
        self.is_admin = self.role == "admin"


class Group(msgspec.Struct, kw_only=True):
    id: str
    name: str


class Contact(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    name: str
    phones: list[str] = []
    responsible_user_id: str | None = None


def normal_login(login: str) -> str:
    """A login as stored and compared: trimmed, lower case."""
    return login.strip().lower()


def digits(phone: str) -> str:
    """The phone as WhatsApp ids write it: digits with the country code, nothing else
    (``89011112233`` and ``+7 901 111-22-33`` both become ``79011112233``)."""
    return phones.digits(phone)
