"""Users, groups and contacts on MongoDB (or the stand-in): phone and token lookups, unique
group names."""

from __future__ import annotations

from typing import Any

import pytest

from shared.store import directory
from shared.store.directory import Contact, Group, User


@pytest.fixture
async def db(db: Any) -> Any:
    await directory.ensure_indexes(db)
    return db


# ---- contacts -------------------------------------------------------------------------------


async def test_formatted_phone_finds_contact_stored_with_digits(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    found = await directory.contact_by_phone(db, "+7 901 111-22-33")
    assert found is not None and found.id == "k1"


async def test_contact_phones_are_stored_as_digits(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna",
                                               phones=["+7 (901) 111-22-33"]))
    stored = await directory.get_contact(db, "k1")
    assert stored is not None and stored.phones == ["79011112233"]
    assert await directory.contact_by_phone(db, "79011112233") == stored


async def test_every_phone_of_a_contact_finds_it(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna",
                                               phones=["79011112233", "79022223344"]))
    for phone in ("79011112233", "+7 902 222 33 44"):
        found = await directory.contact_by_phone(db, phone)
        assert found is not None and found.id == "k1"


async def test_changing_a_contacts_phones_removes_the_old_lookup(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    await directory.upsert_contact(db, Contact(id="k1", name="Anna", phones=["79099998877"]))

    assert await directory.contact_by_phone(db, "79011112233") is None
    found = await directory.contact_by_phone(db, "79099998877")
    assert found is not None and found.id == "k1"


async def test_phone_moved_to_another_contact_finds_the_new_owner(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    await directory.upsert_contact(db, Contact(id="k2", name="Boris", phones=["79011112233"]))
    found = await directory.contact_by_phone(db, "79011112233")
    assert found is not None and found.id == "k2"


async def test_unknown_phone_finds_no_contact(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    assert await directory.contact_by_phone(db, "79000000000") is None


async def test_contact_keeps_its_responsible_user(db: Any) -> None:
    contact = Contact(id="k1", name="Anna", phones=["79011112233"], responsible_user_id="u1")
    await directory.upsert_contact(db, contact)
    assert await directory.get_contact(db, "k1") == contact


# ---- users ----------------------------------------------------------------------------------


async def test_user_is_found_by_its_token(db: Any) -> None:
    user = User(id="u1", full_name="Ivan Petrov", is_admin=True)
    await directory.upsert_user(db, user, token="secret-token")
    assert await directory.user_by_token(db, "secret-token") == user


async def test_token_is_stored_only_as_its_hash(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="secret-token")
    raw = await db.users.find_one({"_id": "u1"})
    assert raw["token_hash"] == directory.token_hash("secret-token")
    assert "secret-token" not in str(raw)


async def test_wrong_token_finds_no_user(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="secret-token")
    assert await directory.user_by_token(db, "secret-tokeN") is None


async def test_new_token_retires_the_old_one(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="old")
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="new")
    assert await directory.user_by_token(db, "old") is None
    found = await directory.user_by_token(db, "new")
    assert found is not None and found.id == "u1"


async def test_users_without_tokens_coexist(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"))
    await directory.upsert_user(db, User(id="u2", full_name="Olga"))
    assert await directory.count_users(db) == 2


async def test_user_is_found_by_full_name(db: Any) -> None:
    user = User(id="u1", full_name="Ivan Petrov", phones=["79011112233"], group_ids=["g1"])
    await directory.upsert_user(db, user)
    assert await directory.user_by_name(db, "Ivan Petrov") == user
    assert await directory.get_user(db, "u1") == user
    assert await directory.user_by_name(db, "Ivan") is None


# ---- groups ---------------------------------------------------------------------------------


async def test_group_is_found_by_name(db: Any) -> None:
    await directory.upsert_group(db, Group(id="g1", name="Contact centre"))
    assert await directory.group_by_name(db, "Contact centre") == Group(id="g1",
                                                                        name="Contact centre")


async def test_second_group_with_the_same_name_is_refused(db: Any) -> None:
    await directory.upsert_group(db, Group(id="g1", name="Contact centre"))
    with pytest.raises(ValueError, match="Contact centre"):
        await directory.upsert_group(db, Group(id="g2", name="Contact centre"))
    found = await directory.group_by_name(db, "Contact centre")
    assert found is not None and found.id == "g1"


async def test_renaming_a_group_keeps_its_id(db: Any) -> None:
    await directory.upsert_group(db, Group(id="g1", name="Sales"))
    await directory.upsert_group(db, Group(id="g1", name="Sales team"))
    assert await directory.group_by_name(db, "Sales") is None
    assert await directory.group_by_name(db, "Sales team") == Group(id="g1", name="Sales team")
