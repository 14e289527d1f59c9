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


# ---- users: phones, tokens, listing ---------------------------------------------------------


async def test_user_is_found_by_any_of_its_phones(db: Any) -> None:
    user = User(id="u1", full_name="Ivan", phones=["+7 916 000-00-01", "79160000009"])
    await directory.upsert_user(db, user)
    for phone in ("79160000001", "+7 916 000 00 09"):
        found = await directory.user_by_phone(db, phone)
        assert found is not None and found.id == "u1"
        assert found.phones == ["79160000001", "79160000009"]
    assert await directory.user_by_phone(db, "79160000002") is None


async def test_changing_a_users_phones_removes_the_old_lookup(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan", phones=["79160000001"]))
    await directory.upsert_user(db, User(id="u1", full_name="Ivan", phones=["79160000002"]))
    assert await directory.user_by_phone(db, "79160000001") is None
    found = await directory.user_by_phone(db, "79160000002")
    assert found is not None and found.id == "u1"


async def test_upsert_without_token_keeps_the_users_token(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan", is_admin=True),
                                token="secret-token")
    await directory.upsert_user(db, User(id="u1", full_name="Ivan Petrov", phones=["79160000001"]))
    found = await directory.user_by_token(db, "secret-token")
    assert found == User(id="u1", full_name="Ivan Petrov", phones=["79160000001"])


async def test_token_rotation_leaves_exactly_one_valid_token(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="first")
    assert await directory.set_token(db, "u1", "second")
    assert await directory.set_token(db, "u1", "third")
    assert await directory.user_by_token(db, "first") is None
    assert await directory.user_by_token(db, "second") is None
    found = await directory.user_by_token(db, "third")
    assert found is not None and found.id == "u1"
    assert await db.users.count_documents({"token_hash": {"$exists": True}}) == 1


async def test_service_and_unknown_users_get_no_token(db: Any) -> None:
    await directory.upsert_user(db, User(id="svc", full_name="Robot", is_service=True))
    assert not await directory.set_token(db, "svc", "t")
    assert not await directory.set_token(db, "nobody", "t")
    assert await directory.user_by_token(db, "t") is None


async def test_revoked_token_finds_no_user_but_the_user_stays(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="secret-token")
    assert await directory.revoke_token(db, "u1")
    assert await directory.user_by_token(db, "secret-token") is None
    assert await directory.get_user(db, "u1") is not None
    assert not await directory.revoke_token(db, "nobody")


async def test_deleted_user_loses_phone_and_token(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="Ivan", phones=["79160000001"]),
                                token="secret-token")
    assert await directory.delete_user(db, "u1")
    assert await directory.get_user(db, "u1") is None
    assert await directory.user_by_phone(db, "79160000001") is None
    assert await directory.user_by_token(db, "secret-token") is None
    assert not await directory.delete_user(db, "u1")


async def test_users_are_listed_by_full_name_in_pages(db: Any) -> None:
    for user_id, name in (("u1", "Carl"), ("u2", "Anna"), ("u3", "Boris")):
        await directory.upsert_user(db, User(id=user_id, full_name=name))
    listed = await directory.list_users(db, limit=2, offset=1)
    assert [u.id for u in listed] == ["u3", "u1"]


# ---- contacts and groups: listing, deleting -------------------------------------------------


async def test_contacts_are_found_by_a_name_part_ignoring_case(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Сидоров Пётр"))
    await directory.upsert_contact(db, Contact(id="k2", name="Anna Smith"))
    await directory.upsert_contact(db, Contact(id="k3", name="a.b"))
    assert [c.id for c in await directory.list_contacts(db, name_part="СИДОР")] == ["k1"]
    assert [c.id for c in await directory.list_contacts(db, name_part="smith")] == ["k2"]
    assert [c.id for c in await directory.list_contacts(db, name_part=".")] == ["k3"]
    assert len(await directory.list_contacts(db)) == 3


async def test_deleted_contact_frees_its_phones(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="Anna", phones=["79011112233"]))
    assert await directory.contact_phone_owner(db, "+7 901 111 22 33") == "k1"
    assert await directory.delete_contact(db, "k1")
    assert await directory.contact_phone_owner(db, "79011112233") is None
    assert await directory.contact_by_phone(db, "79011112233") is None
    assert not await directory.delete_contact(db, "k1")


async def test_contacts_of_a_responsible_user_are_counted(db: Any) -> None:
    await directory.upsert_contact(db, Contact(id="k1", name="A", responsible_user_id="u1"))
    await directory.upsert_contact(db, Contact(id="k2", name="B", responsible_user_id="u2"))
    await directory.upsert_contact(db, Contact(id="k3", name="C", responsible_user_id="u1"))
    assert await directory.count_contacts_of(db, "u1") == 2


async def test_group_members_are_counted_by_any_element_of_group_ids(db: Any) -> None:
    await directory.upsert_user(db, User(id="u1", full_name="A", group_ids=["g1", "g2"]))
    await directory.upsert_user(db, User(id="u2", full_name="B", group_ids=["g2"]))
    assert await directory.count_members(db, "g1") == 1
    assert await directory.count_members(db, "g2") == 2
    assert await directory.count_members(db, "g3") == 0


async def test_groups_are_listed_by_name_and_deleted(db: Any) -> None:
    await directory.upsert_group(db, Group(id="g1", name="Sales"))
    await directory.upsert_group(db, Group(id="g2", name="Accounts"))
    assert [g.id for g in await directory.list_groups(db)] == ["g2", "g1"]
    assert await directory.delete_group(db, "g1")
    assert await directory.get_group(db, "g1") is None
    assert not await directory.delete_group(db, "g1")


async def test_updated_user_reads_back_with_its_flags(db: Any) -> None:
    # $set of a boolean stores 0/1 on the stand-in; replacing the whole document keeps booleans
    await directory.upsert_user(db, User(id="u1", full_name="Ivan"), token="secret-token")
    await directory.upsert_user(db, User(id="u1", full_name="Ivan", is_admin=True))
    assert await directory.user_by_token(db, "secret-token") == User(id="u1", full_name="Ivan",
                                                                     is_admin=True)


async def test_group_members_are_found_through_their_lookups(db: Any) -> None:
    await directory.ensure_indexes(db)
    await directory.upsert_user(db, User(id="u1", full_name="A", group_ids=["g1", "g2"]))
    await directory.upsert_user(db, User(id="u2", full_name="B", group_ids=["g2"]))
    await directory.upsert_user(db, User(id="u3", full_name="C"))
    assert await directory.members_of(db, ["g1"]) == {"u1"}
    assert await directory.members_of(db, ["g2", "g9"]) == {"u1", "u2"}
    await directory.upsert_user(db, User(id="u1", full_name="A", group_ids=["g9"]))
    assert await directory.members_of(db, ["g1", "g2"]) == {"u2"}
    await directory.delete_user(db, "u2")
    assert await directory.members_of(db, ["g2"]) == set()


async def test_users_stored_before_the_lookups_get_them_on_start(db: Any) -> None:
    await db.users.insert_one({"_id": "u1", "full_name": "A", "group_ids": ["g1"]})
    await directory.ensure_indexes(db)
    assert await directory.members_of(db, ["g1"]) == {"u1"}


async def test_a_login_belongs_to_one_user(db: Any) -> None:
    await directory.ensure_indexes(db)
    await directory.upsert_user(db, User(id="u1", full_name="A", login="anna"))
    with pytest.raises(ValueError, match="anna"):
        await directory.upsert_user(db, User(id="u2", full_name="B", login="anna"))
    found = await directory.user_by_login(db, "anna")
    assert found is not None and found.id == "u1" and found.role == "manager"
    await directory.upsert_user(db, User(id="u1", full_name="A2", login="anna", role="admin"))
    again = await directory.user_by_login(db, "anna")
    assert again is not None and again.is_admin and again.full_name == "A2"
