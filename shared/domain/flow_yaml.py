"""Flow sets as YAML, the form admins import, export and keep in their own repositories.

``to_yaml`` writes only what differs from the defaults, in the fields' order, so a file reads
like the editor's tree; ``from_yaml`` gives back the same flow set. A wrong document raises
``FlowFormatError`` naming where it is wrong (``$.root.children[1].action.pattern``), never a
parser's own exception, so the import endpoint answers 400 with that message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import msgspec
import msgspec.yaml

from shared.domain.flows import FlowSet

# lists whose items are texts even when an admin writes them as bare numbers (codes: [1, 2])
_TEXT_LISTS = frozenset({"codes", "keywords", "payloads", "back", "main"})


class FlowFormatError(ValueError):
    """The document is no flow set; the message says where and why."""


def to_yaml(flow: FlowSet) -> str:
    """``flow`` as a YAML document (UTF-8 text, Russian left readable)."""
    return msgspec.yaml.encode(flow).decode("utf-8")


def from_yaml(text: str | bytes) -> FlowSet:
    """The flow set a YAML document describes; ``FlowFormatError`` when it describes none."""
    try:
        document = msgspec.yaml.decode(text)
    except msgspec.DecodeError as exc:
        raise FlowFormatError(f"Not a YAML document: {exc}") from None
    except Exception as exc:  # a parser failure of any other kind is still a bad document
        raise FlowFormatError(f"Not a YAML document: {type(exc).__name__}") from None
    if not isinstance(document, dict):
        raise FlowFormatError("A flow set is a mapping with at least `root`, got "
                              f"{type(document).__name__}")
    try:
        return msgspec.convert(_texts_as_text(document), FlowSet, builtin_types=(date,))
    except msgspec.ValidationError as exc:
        raise FlowFormatError(str(exc)) from None
    except RecursionError:
        raise FlowFormatError("The menu tree is nested too deeply") from None


def _texts_as_text(value: Any) -> Any:
    """``value`` with bare numbers in code, keyword and payload lists read as their text."""
    if isinstance(value, dict):
        return {key: ([_scalar_text(v) for v in item]
                      if key in _TEXT_LISTS and isinstance(item, list) else _texts_as_text(item))
                for key, item in value.items()}
    if isinstance(value, list):
        return [_texts_as_text(item) for item in value]
    return value


def _scalar_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # yes/no are no codes; the type error names the place
    return str(value) if isinstance(value, int | float) else value
