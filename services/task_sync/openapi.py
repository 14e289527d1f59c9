"""The OpenAPI 3.1 document of the operator API; schemas come from the msgspec Structs."""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec

from services.task_sync import desk_openapi, flows_openapi, openapi_live, openapi_messaging
from services.task_sync.auth_api import LoggedIn, LoginIn, Me
from services.task_sync.contacts_import import ImportReport
from services.task_sync.directory_schema import (
    ContactFields,
    ContactIn,
    GroupFields,
    GroupIn,
    PasswordIn,
    TokenIssued,
    UserFields,
    UserIn,
    UserView,
)
from services.task_sync.openapi_ops import also, gone, op
from services.task_sync.schemas import AssignIn, CommentIn, ConversationIn, ScenariosIn, TaskPatch
from shared.domain import comments, directory, scenarios, tasks
from shared.domain.audit import AuditEntry


class ContactList(msgspec.Struct):
    items: list[directory.Contact]


class UserList(msgspec.Struct):
    items: list[UserView]


class GroupList(msgspec.Struct):
    items: list[directory.Group]


def _directory_paths() -> dict[str, Any]:
    contact = (("contact_id", "path", ""),)
    user = (("user_id", "path", ""),)
    group = (("group_id", "path", ""),)
    paging = (("limit", "query", ""), ("offset", "query", ""))
    return {
        "/api/v1/contacts": {
            "get": op("Contacts by name; ?phone= finds the owner of a phone, ?q= a name part",
                       "ContactList", params=(("phone", "query", ""), ("q", "query", ""),
                                              *paging)),
            "post": also(op("Add a contact (admins, supervisors)", "Contact", body="ContactIn",
                              status="201"), "403", "409")},
        "/api/v1/contacts/{contact_id}": {
            "get": op("One contact", "Contact", params=contact),
            "put": also(op("Replace a contact (admins, supervisors)", "Contact",
                             body="ContactFields", params=contact), "403", "409"),
            "delete": gone("Remove a contact (admins, supervisors)", contact, "403")},
        "/api/v1/users": {
            "get": op("Users by full name; ?phone= finds the user with a phone", "UserList",
                       params=(("phone", "query", ""), *paging)),
            "post": also(op("Add a user (admins), with a login, role and password",
                              "UserView", body="UserIn", status="201"), "403", "409")},
        "/api/v1/users/{user_id}": {
            "get": op("One user", "UserView", params=user),
            "put": also(op("Replace a user's profile, login and role (admins); the API token "
                             "and password are kept", "UserView", body="UserFields",
                             params=user), "403", "409"),
            "delete": gone("Remove a user (admins)", user, "403", "409")},
        "/api/v1/users/{user_id}/password": {
            "post": gone("Set the user's console password (admins); their sessions end", user,
                          "403", "409") | {"requestBody": _body("PasswordIn")}},
        "/api/v1/contacts/import": {"post": also(op(
            "Import contacts from CSV (admins, supervisors): header row with name, phones, "
            "responsible (id or login), id; rejected rows are reported, not stored",
            "ImportReport") | {"requestBody": {"required": True, "content": {
                "text/csv": {"schema": {"type": "string"}}}}}, "403")},
        "/api/v1/users/{user_id}/tokens": {
            "post": also(op("Issue a new API token (admins), shown once; it replaces the "
                              "previous one", "TokenIssued", status="201", params=user),
                          "403", "409"),
            "delete": gone("Revoke the user's API token (admins)", user, "403")},
        "/api/v1/groups": {
            "get": op("All groups by name", "GroupList"),
            "post": also(op("Add a group (admins, supervisors)", "Group", body="GroupIn",
                              status="201"), "403", "409")},
        "/api/v1/groups/{group_id}": {
            "get": op("One group", "Group", params=group),
            "put": also(op("Rename a group (admins, supervisors)", "Group", body="GroupFields",
                             params=group), "403", "409"),
            "delete": gone("Remove a group without members (admins, supervisors)", group,
                            "403", "409")},
    }


class TaskList(msgspec.Struct):
    items: list[tasks.Task]


class CommentList(msgspec.Struct):
    items: list[comments.Comment]


class Problem(msgspec.Struct):
    error: str
    reason: str


class ConversationStarted(msgspec.Struct):
    task: tasks.Task
    comment_id: str


class RevisionList(msgspec.Struct):
    original_text: str
    items: list[comments.Revision]


class ChannelState(msgspec.Struct, omit_defaults=True):
    channel_id: str
    provider: str
    state: str  # "unknown" until the gateway reports one (the channel known by its webhooks)
    updated_at: str | None = None
    transport: str | None = None
    tier: str | None = None
    last_webhook_at: str | None = None  # the newest webhook ingest accepted (within ~30 s)


class Connection(msgspec.Struct):
    id: str
    provider: str
    channel_id: str | None
    rate_per_second: float


class ChannelList(msgspec.Struct):
    connections: list[Connection]
    items: list[ChannelState]


def _conversation_paths() -> dict[str, Any]:
    comment = (("task_id", "path", ""), ("comment_id", "path", ""))
    binary = {"content": {"application/octet-stream": {"schema": {"type": "string",
                                                                  "format": "binary"}}}}
    download = {"summary": "A stored file (attachment)", "responses": {
        "200": {"description": "The file", **binary},
        "404": {"$ref": "#/components/responses/NotFound"}}}
    return {
        "/api/v1/tasks/{task_id}/comments/{comment_id}/resend": {"post": op(
            "Send a failed comment again (new send ids)", "Comment", status="202",
            params=comment)},
        "/api/v1/comments/{comment_id}/revisions": {"get": op(
            "Edits and deletions made in WhatsApp; the original text stays", "RevisionList",
            params=(("comment_id", "path", ""),))},
        "/api/v1/files/{file_id}": {"get": download | {"parameters": [
            {"name": "file_id", "in": "path", "required": True, "schema": {"type": "string"}}]}},
        "/files/{file_id}": {"get": download | {
            "summary": "A file through a short-lived signed link (for gateways; no token)",
            "security": [], "parameters": [
                {"name": n, "in": w, "required": True, "schema": {"type": "string"}}
                for n, w in (("file_id", "path"), ("exp", "query"), ("sig", "query"))]}},
        "/api/v1/conversations": {"post": op(
            "Start a dialogue from our side: creates the task and sends the first message "
            "(free text, or a template outside WhatsApp Business's 24-hour window)",
            "ConversationStarted", body="ConversationIn", status="201")},
        "/api/v1/channels": {"get": op("Company numbers and their states", "ChannelList")},
    }


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{name}"}}}}


class AuditList(msgspec.Struct):
    items: list[AuditEntry]


class QueueCount(msgspec.Struct):
    queue: str
    count: int


class QueueList(msgspec.Struct):
    items: list[QueueCount]


class DeadLetterList(msgspec.Struct):
    queue: str
    count: int
    items: list[dict[str, Any]]


class Replayed(msgspec.Struct):
    replayed: int


class Purged(msgspec.Struct):
    purged: int


class TaskCard(tasks.Task, kw_only=True):
    """A task with what its card shows (see CONSOLE_API.md)."""

    window: dict[str, Any]
    channel: dict[str, Any] | None
    contact: directory.Contact | None
    assignee: dict[str, str] | None
    group: dict[str, str] | None
    permissions: dict[str, bool]
    # what the chat's gateway carries besides messages: reactions, typing, read_marks
    gateway: dict[str, bool]
    # the configured names of the bot, manager and closed statuses
    statuses: dict[str, str]


def _console_paths() -> dict[str, Any]:
    """Sign-in, task actions and administration (issue 9)."""
    task_id = (("task_id", "path", ""),)
    queue = (("queue", "path", ""),)
    public: dict[str, Any] = {"security": []}
    return {
        "/api/v1/auth/login": {"post": also(op(
            "Sign in to the console: sets the HttpOnly SameSite=Strict session cookie "
            "wabridge_session; cookie-authenticated writes send X-CSRF-Token",
            "LoggedIn", body="LoginIn"), "429") | public},
        "/api/v1/auth/logout": {"post": gone("Sign out (the cookie's session ends)", ())
                                | public},
        "/api/v1/me": {"get": op("The calling person, their groups and CSRF token", "Me")},
        "/api/v1/tasks/{task_id}/claim": {"post": also(op(
            "Take an unassigned task of your groups' queue; 409 when someone took it first",
            "Task", params=task_id), "403", "409")},
        "/api/v1/tasks/{task_id}/assign": {"post": also(op(
            "Give the task to a user or a group's queue (supervisors within their groups, "
            "admins)", "Task", body="AssignIn", params=task_id), "403", "409")},
        "/api/v1/tasks/{task_id}/reopen": {"post": also(op(
            "A closed task back to the manager status (409 conversation_open when its chat "
            "has another open task)", "Task", params=task_id), "403", "409")},
        "/api/v1/dead-letters": {"get": also(op(
            "Every work queue with its number of dead letters (admins)", "QueueList"), "403")},
        "/api/v1/dead-letters/{queue}": {
            "get": also(op("The first dead letters of a queue and why they failed (admins; "
                             "nothing is removed)", "DeadLetterList",
                             params=(*queue, ("limit", "query", ""))), "403"),
            "delete": also(op("Drop a queue's dead letters (admins)", "Purged",
                                params=queue), "403")},
        "/api/v1/dead-letters/{queue}/replay": {"post": also(op(
            "Put dead letters back on their work queue (admins); ?id= one message", "Replayed",
            params=(*queue, ("id", "query", ""), ("limit", "query", ""))), "403")},
        "/api/v1/audit": {"get": also(op(
            "The audit log, newest first (admins): who changed what, through a token or a "
            "session", "AuditList", params=(("actor", "query", ""), ("action", "query", ""),
                                            ("since", "query", ""), ("until", "query", ""),
                                            ("limit", "query", ""))), "403")},
    }


# A phone as people write it (+7 (999) 123-45-67): 7 to 15 digits once separators are gone.
PHONE = {"type": "string", "pattern": r"^\+?[0-9][0-9 ()./-]{5,30}[0-9]$",
         "description": "7 to 15 digits with the country code; spaces, dashes, dots and "
                        "brackets are ignored"}
_TEXT = {"properties": {"text": {"type": "string", "pattern": r"\S"}}, "required": ["text"]}
_TEMPLATE = {"properties": {"template_id": {"type": "string"}}, "required": ["template_id"]}


def _body_rules(components: dict[str, Any]) -> None:
    """What the bodies' own checks (``__post_init__``) refuse with 422, said in the schema:
    phone formats, text or template, contact or phone."""
    for name in ("ContactIn", "ContactFields", "UserIn", "UserFields"):
        phones = components.get(name, {}).get("properties", {}).get("phones")
        if phones is not None:
            phones["items"] = dict(PHONE)
    conversation = components["ConversationIn"]
    conversation["properties"]["phone"] = {"anyOf": [dict(PHONE), {"type": "null"}]}
    conversation["allOf"] = [
        {"anyOf": [{"properties": {"contact_id": {"type": "string", "minLength": 1}},
                    "required": ["contact_id"]},
                   {"properties": {"phone": PHONE}, "required": ["phone"]}]},
        {"anyOf": [_TEXT, _TEMPLATE]}]
    comment = components["CommentIn"]
    comment["properties"]["text"]["maxLength"] = 10_000
    comment["not"] = {"allOf": [_TEXT, _TEMPLATE]}  # text or a template, not both


@cache
def openapi_document() -> dict[str, Any]:
    types = (tasks.Task, TaskList, comments.Comment, CommentList, CommentIn, TaskPatch,
             scenarios.ScenarioSet, ScenariosIn, directory.User, Problem,
             directory.Contact, ContactList, ContactIn, ContactFields, UserList, UserIn,
             UserFields, TokenIssued, directory.Group, GroupList, GroupIn, GroupFields,
             ConversationIn, ConversationStarted, RevisionList, ChannelList, LoginIn, LoggedIn,
             Me, AssignIn, PasswordIn, UserView, ImportReport, AuditList, QueueList,
             DeadLetterList, Replayed, Purged, TaskCard, *openapi_messaging.TYPES,
             *desk_openapi.TYPES, *flows_openapi.TYPES)
    _, components = msgspec.json.schema_components(
        types, ref_template="#/components/schemas/{name}")
    _body_rules(components)
    task_id = (("task_id", "path", ""),)
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "wabridge operator API", "version": "1",
                 "description": "Tasks made from WhatsApp chats, their comments, and the bot."},
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/api/v1/tasks": {"get": op(
                "List tasks, newest activity first", "TaskList",
                params=(("status", "query", ""), ("assignee", "query", "user id or 'me'"),
                        ("group", "query", ""), ("limit", "query", ""), ("offset", "query", "")))},
            "/api/v1/tasks/{task_id}": {
                "get": op("One task you may see, as its card shows it", "TaskCard",
                           params=task_id),
                "patch": also(op("Change the status (closing ends the chat's dialogue)",
                                   "Task", body="TaskPatch", params=task_id), "403", "409")},
            "/api/v1/tasks/{task_id}/comments": {
                "get": op("The task's comments in order", "CommentList", params=task_id),
                "post": op("A manager's comment, sent to the customer's WhatsApp prefixed with "
                            "the manager's full name; Idempotency-Key header honoured",
                            "Comment", body="CommentIn", status="201", params=task_id)},
            "/api/v1/scenarios": {
                "get": op("Deprecated: the default flow's first level as flat scenarios "
                          "(use /api/v1/flows)", "ScenarioSet") | {"deprecated": True},
                "put": also(op("Deprecated: publish a default flow made of these scenarios "
                               "under the current greeting (admins; use /api/v1/flows)",
                               "ScenarioSet", body="ScenariosIn"), "403", "409")
                | {"deprecated": True}},
        } | _conversation_paths() | _directory_paths() | _console_paths()
        | openapi_messaging.messaging_paths() | desk_openapi.desk_paths()
        | flows_openapi.flows_paths() | openapi_live.live_paths(),
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "session": {"type": "apiKey", "in": "cookie",
                                            "name": "wabridge_session"}},
            "responses": {
                "Unauthenticated": {"description": "Missing or invalid API token or session",
                                    **err},
                "TooManyAttempts": {"description": "Too many failed sign-ins; see Retry-After",
                                    **err},
                "NotFound": {"description": "No such item", **err},
                "Invalid": {"description": "The body is not valid", **err},
                "BadRequest": {"description": "A query parameter out of its range, or a body "
                               "that is not JSON", **err},
                "Forbidden": {"description": "Your role may not do this (or the CSRF token of "
                              "the session is missing)", **err},
                "Conflict": {"description": "It clashes with the directory's state (the reason "
                             "names the other item)", **err},
            },
        },
    }
