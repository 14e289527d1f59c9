"""What a file is, by its content: an upload whose bytes are not what its declared type says
(a script named photo.jpg, a PDF sent as an image) is refused.

The signatures come from puremagic, a maintained pure-Python library of file signatures (no
libmagic to install, so the slim image stays as it is). It gives candidate types; types that
share a container are one kind here (.docx, .xlsx and .pptx are zip files; .doc, .xls and .ppt
are OLE files; MP4 audio and video are one ISO media file). Text has no signature: declared text
must decode as text, and text declared as something else is refused.
"""

from __future__ import annotations

import puremagic

_KIND = {
    "application/zip": "zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "zip",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "zip",
    "application/msword": "ole", "application/vnd.ms-excel": "ole",
    "application/vnd.ms-powerpoint": "ole", "application/x-ole-storage": "ole",
    "audio/mp4": "iso-media", "video/mp4": "iso-media", "video/3gpp": "iso-media",
    "audio/x-m4a": "iso-media", "video/quicktime": "iso-media",
    "audio/ogg": "ogg", "audio/x-opus+ogg": "ogg", "video/ogg": "ogg", "application/ogg": "ogg",
    "audio/mpeg": "mpeg", "audio/mp3": "mpeg",
}


# puremagic's confidence grows with the signature's length: real files score 0.3 (JPEG's 3
# bytes) and more, while random bytes hit a short signature now and then at 0.1-0.2
_SURE = 0.3


def _kind(mime: str) -> str:
    return "text" if mime.startswith("text/") else _KIND.get(mime, mime)


def _looks_like_text(data: bytes) -> bool:
    sample = data[:64 * 1024]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the sample's end is fine
        return exc.start >= len(sample) - 3
    return True


def candidates(data: bytes) -> set[str]:
    """The types the content's signature suggests (empty: no known signature)."""
    try:
        found = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return set()
    return {m.mime_type for m in found if m.mime_type and m.confidence >= _SURE}


def mismatch(declared: str, data: bytes) -> str | None:
    """Why ``data`` is not a ``declared`` file (None: it may be)."""
    if not data:
        return "the file is empty"
    if _kind(declared) == "text" and _looks_like_text(data):
        return None  # text has no signature; a "#!" or "<?xml" start is still text
    found = candidates(data)
    if not found:
        if _kind(declared) == "text":
            return None if _looks_like_text(data) else f"the content is not {declared} text"
        if _looks_like_text(data):
            return f"the content is text, not {declared}"
        return None  # a binary format without a signature puremagic knows
    if _kind(declared) in {_kind(m) for m in found}:
        return None
    return f"declared {declared}, but the content is {sorted(found)[0]}"
