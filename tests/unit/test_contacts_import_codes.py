"""Every rejected row of a contacts import carries a stable code (and the values its sentence
needs) beside the English reason, for the console to word in the person's language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.unit.console_world import Console, open_console, seed


@pytest.fixture
async def console(db: Any, mongo_url: str) -> AsyncIterator[Console]:
    await seed(db)
    async with open_console(db, mongo_url) as opened:
        yield opened


async def rejected(console: Console, csv_text: str) -> list[tuple[int, str, dict[str, str]]]:
    status, report = await console.call("POST", "/api/v1/contacts/import", "supervisor",
                                        data=csv_text.encode(),
                                        headers={"Content-Type": "text/csv"})
    assert status == 200, report
    assert all(r["reason"] for r in report["rejected"])  # the English words stay, for support
    return [(r["row"], r["code"], r["params"]) for r in report["rejected"]]


async def test_a_header_without_name_is_rejected_as_no_name_column(console: Console) -> None:
    assert await rejected(console, "title;phones\nАнна;79010000001\n") == [
        (1, "no_name_column", {})]


async def test_rows_rejected_for_their_fields_or_phones_name_the_cause_by_code(
    console: Console,
) -> None:
    assert await rejected(console, "id;name;phones\ncnt-anna;Анна;79010000001\n") == []
    assert await rejected(console, "id;name;phones;responsible\n"
                                   "bad id!;Борис;79010000002;\n"
                                   "cnt-v;Вера;79010000001;\n"
                                   ";Глеб;12;\n"
                                   ";;79010000003;\n"
                                   ";Дарья;79010000004;nobody\n") == [
        (2, "invalid_field", {"field": "id"}),
        (3, "phone_taken", {"phone": "79010000001", "contact": "cnt-anna"}),
        (4, "bad_phone", {"phone": "12"}),
        (5, "name_missing", {}),
        (6, "unknown_responsible", {"responsible": "nobody"})]

