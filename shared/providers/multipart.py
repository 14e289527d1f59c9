"""``multipart/form-data`` bodies built in pure code, for gateways that take file uploads."""

from __future__ import annotations

import secrets


def form_data(
    fields: dict[str, str], *, file_field: str, file_name: str, mime_type: str, content: bytes
) -> tuple[bytes, str]:
    """The body and its ``Content-Type`` (with a random boundary) for ``fields`` plus one file."""
    boundary = f"wabridge-{secrets.token_hex(16)}"
    dash = f"--{boundary}".encode()
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            dash + b"\r\n"
            + f'Content-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode()
            + value.encode() + b"\r\n"
        )
    parts.append(
        dash + b"\r\n"
        + (f'Content-Disposition: form-data; name="{_quoted(file_field)}"; '
           f'filename="{_quoted(file_name)}"\r\n').encode()
        + f"Content-Type: {_single_line(mime_type)}\r\n\r\n".encode()
        + content + b"\r\n"
    )
    body = b"".join(parts) + dash + b"--\r\n"
    return body, f"multipart/form-data; boundary={boundary}"


def _quoted(value: str) -> str:
    # The HTML form encoding: a quote or a line break would end the parameter early.
    return _single_line(value).replace('"', "%22")


def _single_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")
