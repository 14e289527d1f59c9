"""Users, groups and contacts of the directory."""

from __future__ import annotations

import msgspec

from shared.domain import phones


class User(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    full_name: str
    phones: list[str] = []
    group_ids: list[str] = []
    is_admin: bool = False
    is_service: bool = False


class Group(msgspec.Struct, kw_only=True):
    id: str
    name: str


class Contact(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    name: str
    phones: list[str] = []
    responsible_user_id: str | None = None


def digits(phone: str) -> str:
    """The phone as WhatsApp ids write it: digits with the country code, nothing else
    (``89011112233`` and ``+7 901 111-22-33`` both become ``79011112233``)."""
    return phones.digits(phone)
