"""First Form's answers read into our types (pure).

The [CODE]-confirmed shapes are read strictly; where the reference marks field names
unconfirmed (the feed, the task read, the data source rows) the common spellings are accepted,
so a real instance that names a field differently needs one line here, not a rewrite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec


class AnswerShapeError(ValueError):
    """An answer without what we asked for."""


class FeedFile(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    size: int | None = None
    mime_type: str | None = None


class FeedComment(msgspec.Struct, frozen=True, kw_only=True):
    """One comment of a task's feed."""

    id: int
    text: str
    author_id: int | None = None
    author_name: str = ""
    thread_id: int | None = None
    files: tuple[FeedFile, ...] = ()
    at: datetime | None = None


class TaskState(msgspec.Struct, frozen=True, kw_only=True):
    state_id: int | None
    performer_ids: tuple[int, ...] = ()


def pick(item: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` present (case-insensitive), else None."""
    lowered = {k.lower(): v for k, v in item.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None:
            return value
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _data(body: Any) -> Any:
    return body["data"] if isinstance(body, dict) and "data" in body else body


def _list(body: Any, *keys: str) -> list[Any]:
    """The list in ``body``: itself, under ``data``, or under one of ``keys`` of either."""
    for candidate in (body, _data(body)):
        if isinstance(candidate, list):
            return candidate
        if isinstance(candidate, dict):
            found = pick(candidate, *keys)
            if isinstance(found, list):
                return found
    raise AnswerShapeError(f"expected a list (or data.{'/'.join(keys)}), got {_brief(body)}")


def _brief(body: Any) -> str:
    text = repr(body)
    return text if len(text) <= 200 else text[:200] + "…"


def token(body: Any) -> str:
    """[CODE] ``{data: {token, accessToken}}``: the access token."""
    data = _data(body)
    found = pick(data, "accessToken", "token") if isinstance(data, dict) else None
    if isinstance(found, str) and found:
        return found
    if isinstance(body, str) and body:  # the legacy route answers the token as a JSON string
        return body
    raise AnswerShapeError(f"no token in the login answer {_brief(body)}")


def created_task_id(body: Any) -> int:
    """[CODE] ``{data: {value: <new task id>, ...}}``."""
    data = _data(body)
    found = _int(pick(data, "value", "taskId", "id")) if isinstance(data, dict) else _int(data)
    if found is None:
        raise AnswerShapeError(f"no task id in the creation answer {_brief(body)}")
    return found


def comment_id(body: Any) -> int:
    """Our publication's ``{commentId}`` (also under ``data``)."""
    data = _data(body)
    found = _int(pick(data, "commentId", "id", "value")) if isinstance(data, dict) else None
    if found is None:
        raise AnswerShapeError(f"no comment id in the answer {_brief(body)}")
    return found


def rows(body: Any) -> list[dict[str, Any]]:
    """The data source's rows (ag-Grid: ``{rows, lastRow}``, possibly under ``data``)."""
    return [r for r in _list(body, "rows", "items", "data") if isinstance(r, dict)]


def row_task_id(row: dict[str, Any]) -> int | None:
    return _int(pick(row, "TaskId", "taskId", "id"))


def states(body: Any) -> dict[str, int]:
    """[CODE] ``{data: [{id, name, isActive}]}`` as name → id."""
    out = {}
    for item in _list(body, "states"):
        if isinstance(item, dict) and (sid := _int(pick(item, "id", "stateId"))) is not None:
            out[str(pick(item, "name", "stateName") or "")] = sid
    return out


def ext_params(body: Any) -> dict[str, int]:
    """[CODE] the category's ДП list as name → id."""
    out = {}
    for item in _list(body, "extParams", "items"):
        if not isinstance(item, dict):
            continue
        field_id = _int(pick(item, "extParamId", "id"))
        if field_id is not None:
            out[str(pick(item, "extParamName", "name") or "")] = field_id
    return out


def preupload_id(body: Any) -> str:
    """[CODE] ``{data: [{preUploadFileId}]}``."""
    items = _list(body, "files")
    found = pick(items[0], "preUploadFileId", "preUploadedFileId", "id") \
        if items and isinstance(items[0], dict) else None
    if found is None:
        raise AnswerShapeError(f"no preUploadFileId in {_brief(body)}")
    return str(found)


def task_state(body: Any) -> TaskState:
    """The task read: its state id (top level or in ``mainParams``) and performers."""
    data = _data(body)
    if not isinstance(data, dict):
        raise AnswerShapeError(f"expected the task, got {_brief(body)}")
    main = pick(data, "mainParams", "main")
    state = _int(pick(main, "stateId", "state")) if isinstance(main, dict) else None
    if state is None:
        state = _int(pick(data, "stateId", "state"))
    performers = pick(data, "performers") or (pick(main, "performers")
                                              if isinstance(main, dict) else None) or []
    ids = []
    for performer in performers if isinstance(performers, list) else []:
        pid = _int(pick(performer, "userId", "id")) if isinstance(performer, dict) \
            else _int(performer)
        if pid is not None:
            ids.append(pid)
    return TaskState(state_id=state, performer_ids=tuple(ids))


def feed(body: Any) -> list[FeedComment]:
    """The comments of a task's feed, oldest first; entries that are not comments (state
    changes, system records) are left out."""
    found = []
    for item in _list(body, "items", "feed", "comments"):
        if isinstance(item, dict) and (comment := _feed_comment(item)) is not None:
            found.append(comment)
    return sorted(found, key=lambda c: c.id)


def _feed_comment(item: dict[str, Any]) -> FeedComment | None:
    kind = pick(item, "type", "kind", "itemType")
    if isinstance(kind, str) and "comment" not in kind.lower():
        return None
    comment = _int(pick(item, "commentId", "id"))
    if comment is None:
        return None
    author = pick(item, "author", "user")
    author = author if isinstance(author, dict) else {}
    return FeedComment(
        id=comment, text=str(pick(item, "text", "commentText", "body", "message") or ""),
        author_id=_int(pick(author, "id", "userId")) or _int(pick(item, "authorId", "userId")),
        author_name=str(pick(author, "fullName", "name", "displayName")
                        or pick(item, "authorName", "userName") or ""),
        thread_id=_int(pick(item, "threadCommentId", "parentCommentId", "parentId",
                            "replyToId")),
        files=tuple(_files(pick(item, "files", "attachments") or [])),
        at=_time(pick(item, "createdAt", "created", "date", "time")))


def _files(items: Any) -> list[FeedFile]:
    out = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or (fid := pick(item, "id", "fileId")) is None:
            continue
        mime = pick(item, "contentType", "mimeType", "type")
        out.append(FeedFile(id=str(fid), name=str(pick(item, "name", "fileName") or fid),
                            size=_int(pick(item, "size", "length")),
                            mime_type=mime if isinstance(mime, str) else None))
    return out


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
