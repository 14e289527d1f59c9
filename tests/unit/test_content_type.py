"""Uploads typed by their content: a file is what its bytes say, whatever its name claims."""

from __future__ import annotations

import io
import os
import zipfile

import pytest

from shared.content_type import mismatch

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 30
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600


def xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<x/>")
        z.writestr("xl/workbook.xml", "<w/>")
    return out.getvalue()


@pytest.mark.parametrize(("declared", "content"), [
    ("application/pdf", PDF), ("image/png", PNG), ("application/msword", OLE),
    ("application/vnd.ms-excel", OLE), ("text/plain", "Привет".encode()),
    ("text/csv", b"a,b\n1,2\n"), ("text/plain", b"#!/bin/sh\necho hi\n"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx()),
    ("application/zip", xlsx()), ("audio/ogg", b"OggS" + b"\0" * 40),
    ("video/mp4", b"\0\0\0\x18ftypmp42" + b"\0" * 20),
])
def test_content_that_is_what_it_claims_is_accepted(declared: str, content: bytes) -> None:
    assert mismatch(declared, content) is None


@pytest.mark.parametrize(("declared", "content"), [
    ("image/jpeg", PDF), ("image/png", b"#!/bin/sh\nrm -rf /\n"), ("text/plain", PNG),
    ("application/pdf", PNG), ("application/msword", xlsx()), ("image/png", b""),
])
def test_content_that_is_something_else_is_refused_with_a_reason(declared: str,
                                                                   content: bytes) -> None:
    assert mismatch(declared, content)


def test_random_bytes_are_not_taken_for_a_known_format() -> None:
    assert all(mismatch("application/pdf", os.urandom(4096)) is None for _ in range(500))
