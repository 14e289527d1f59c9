"""The HTTP requests the adapter makes, as data (pure; the client sends them).

Shapes follow ``reference/first-form-api.md``: [CODE] routes as integrators call them; the
publication bodies (``wa-comment``, ``wa-state``, ``wa-assign``) are ours, defined together with
the scripts an administrator installs (README).
"""

from __future__ import annotations

import base64
from typing import Any

import msgspec

from shared.first_form.options import Paths


class Request(msgspec.Struct, frozen=True, kw_only=True):
    method: str
    path: str
    json: Any = None
    params: dict[str, str] | None = None
    # False: sending it again after an answer we did not get may do it twice (a creation);
    # the client then leaves the retry to the caller, who first checks whether it took effect
    idempotent: bool = True
    binary: bool = False  # the answer is the bytes of a file
    authenticated: bool = True


def login(user: str, password: str) -> Request:
    """[CODE] ``POST /api/auth/token-v2`` → ``{data: {token, accessToken}}``."""
    return Request(method="POST", path="/api/auth/token-v2",
                   json={"login": user, "password": password}, authenticated=False)


def create_task(paths: Paths, *, subcat_id: int, text: str, initiator_id: int,
                ext_params: list[tuple[int, str]]) -> Request:
    """[CODE] ``POST /api/tasks/create`` (3.1) → ``{data: {value: <task id>}}``."""
    return Request(method="POST", path=paths.create, idempotent=False, json={
        "subcatId": subcat_id, "taskText": text, "priorityId": 1,
        "initiatorUserId": initiator_id,
        "extParams": [{"id": field_id, "value": value} for field_id, value in ext_params]})


def search(paths: Paths, *, subcat_id: int, column: str, value: str, match: str = "equals",
           opened_only: bool = True, columns: tuple[str, ...] = (), rows: int = 20) -> Request:
    """[CODE] the category's data source (ag-Grid body); the filter syntax is a guess."""
    body: dict[str, Any] = {
        "startRow": 0, "endRow": rows,
        "select": [{"field": "TaskId"}, *({"field": c, "type": "extParam"} for c in columns)],
        "filterModel": {column: {"filterType": "text", "type": match, "filter": value}},
        "sortModel": [{"sort": "desc", "colId": "TaskId"}], "smartExpressionIds": [],
        "groupKeys": [], "valueCols": [], "aggregations": [], "context": {}, "myTasks": False}
    if opened_only:
        body["tasksState"] = "isOpened"
    return Request(method="POST", path=paths.search.format(subcat_id=subcat_id), json=body)


def read_task(task_id: int) -> Request:
    """[CODE] ``POST /api/tasks`` with the parts we read: its state and performers."""
    return Request(method="POST", path="/api/tasks", json={
        "taskId": task_id, "selectedInfoParts": ["MainParams", "performers"]})


def states(subcat_id: int) -> Request:
    """[CODE] ``GET /app/v1.0/api/subcategory/{id}/states`` → ``{data: [{id, name}]}``."""
    return Request(method="GET", path=f"/app/v1.0/api/subcategory/{subcat_id}/states")


def ext_params(subcat_id: int) -> Request:
    """[CODE] the category's fields (admin route) → ``[{extParamId, extParamName, ...}]``."""
    return Request(method="GET", path="/api/admin/subcat/extparams",
                   params={"subcatId": str(subcat_id)})


def feed(paths: Paths, task_id: int) -> Request:
    """[CODE] the task's feed (comments); item field names are a guess."""
    return Request(method="GET", path=paths.feed.format(task_id=task_id))


def post_comment(paths: Paths, *, task_id: int, author_id: int, text: str,
                 thread_id: int | None, file_ids: list[str]) -> Request:
    """Our ``wa-comment`` publication (PostComment with ThreadCommentID) → ``{commentId}``."""
    body: dict[str, Any] = {"taskId": task_id, "authorId": author_id, "text": text}
    if thread_id is not None:
        body["threadCommentId"] = thread_id
    if file_ids:
        body["preUploadedFileIds"] = file_ids
    return Request(method="POST", path=paths.comment, json=body, idempotent=False)


def set_state(paths: Paths, *, task_id: int, state_id: int, initiator_id: int) -> Request:
    """Our ``wa-state`` publication (ChangeTaskStateForcibly)."""
    return Request(method="POST", path=paths.state, json={
        "taskId": task_id, "stateId": state_id, "initiatorId": initiator_id})


def assign(paths: Paths, *, task_id: int, user_ids: list[int], group_ids: list[int],
           initiator_id: int) -> Request:
    """Our ``wa-assign`` publication (AddPerformer / group subscribers): who answers now."""
    return Request(method="POST", path=paths.assign, json={
        "taskId": task_id, "userIds": user_ids, "groupIds": group_ids,
        "initiatorId": initiator_id})


def preupload(file_name: str, content: bytes, initiator_id: int) -> Request:
    """[CODE] ``POST /api/files/preupload/base64`` → ``{data: [{preUploadFileId}]}``."""
    return Request(method="POST", path="/api/files/preupload/base64",
                   params={"initiatorUserId": str(initiator_id)}, json={
                       "fileName": file_name, "fileData": base64.b64encode(content).decode(),
                       "writeComment": False, "comment": ""})


def attach_to_task(task_id: int, preupload_id: str, initiator_id: int) -> Request:
    """[CODE] a preuploaded file attached to the task (not to a comment)."""
    return Request(method="POST", path="/api/files/upload/PreUploadedFilesToTask",
                   params={"initiatorUserId": str(initiator_id)}, idempotent=False,
                   json={"taskId": task_id, "preUploadedFileId": preupload_id})


def download(file_id: str) -> Request:
    """[CODE] ``GET /api/files/download/{fileId}`` → the bytes."""
    return Request(method="GET", path=f"/api/files/download/{file_id}", binary=True)
