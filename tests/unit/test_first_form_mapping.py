"""First Form's request and answer shapes (``reference/first-form-api.md``) and our mapping of
tasks and comments onto them: pure functions, no network."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from shared import events
from shared.config import ConfigError, TaskSyncSettings, load
from shared.domain.comments import Comment
from shared.domain.files import AttachmentRecord
from shared.domain.tasks import Task
from shared.first_form import requests, responses
from shared.first_form.mapping import (
    assignee_of,
    author_of,
    comment_text,
    people_comment,
    status_of,
    user_of,
)
from shared.first_form.options import Options, Paths, from_settings, parse_pairs
from shared.first_form.responses import AnswerShapeError, FeedComment, TaskState
from shared.first_form.text import marker_key, marker_of, plain, with_marker

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
OPTS = Options(base_url="https://ff.example", subcat_id=1001, robot_user_id=10,
               group_bot_user_id=11, users={"usr-ivanova": 101, "usr-petrov": 102},
               groups={"grp-cc": 7})
BASE_ENV = {"MONGODB_URL": "mongodb://db", "WABRIDGE_URL_SIGNING_KEY": "k" * 20}


def comment(**extra: Any) -> Comment:
    fields: dict[str, Any] = {"id": "0123456789abcdef0123456789abcdef", "task_id": "t1",
                              "order": 1, "at": NOW, "author_kind": "customer",
                              "direction": "in", "text": "Здравствуйте"}
    return Comment(**(fields | extra))


def task() -> Task:
    return Task(id="t1", title="WhatsApp: Сидоров Пётр", category="Общение WhatsApp",
                status="Диалог с ботом", conversation_id="cv", created_at=NOW, updated_at=NOW,
                chat=events.ChatRef(provider="wazzup", channel_id="ch", chat_type="whatsapp",
                                    chat_id="79011112233"))


# ---- requests -------------------------------------------------------------------------------


def test_login_v2_posts_login_and_password_without_a_token() -> None:
    made = requests.login("wabridge", "secret")
    assert (made.method, made.path, made.json, made.authenticated) == (
        "POST", "/api/auth/token-v2", {"login": "wabridge", "password": "secret"}, False)


def test_task_creation_uses_the_3_1_route_with_subcat_text_and_ext_params() -> None:
    made = requests.create_task(Paths(), subcat_id=1001, text="WhatsApp: Анна",
                                initiator_id=10, ext_params=[(502, "7901"), (501, "60001")])
    assert (made.method, made.path, made.idempotent) == ("POST", "/api/tasks/create", False)
    assert made.json == {"subcatId": 1001, "taskText": "WhatsApp: Анна", "priorityId": 1,
                         "initiatorUserId": 10,
                         "extParams": [{"id": 502, "value": "7901"},
                                       {"id": 501, "value": "60001"}]}


def test_the_search_is_an_ag_grid_body_on_the_categorys_data_source() -> None:
    made = requests.search(Paths(), subcat_id=1001, column="ExtParam503", value="7901",
                           columns=("ExtParam503",))
    assert made.path == "/api-core/datasource/subcat/1001/data"
    assert made.json["filterModel"] == {
        "ExtParam503": {"filterType": "text", "type": "equals", "filter": "7901"}}
    assert made.json["tasksState"] == "isOpened"
    assert {"startRow", "endRow", "select", "sortModel", "smartExpressionIds", "groupKeys",
            "valueCols", "aggregations", "context", "myTasks"} <= set(made.json)
    everywhere = requests.search(Paths(), subcat_id=1002, column="c", value="v",
                                 opened_only=False)
    assert "tasksState" not in everywhere.json


def test_a_comment_goes_to_our_publication_with_thread_and_files_only_when_given() -> None:
    plain_one = requests.post_comment(Paths(), task_id=5, author_id=10, text="t",
                                      thread_id=None, file_ids=[])
    assert plain_one.path == "/app/v1.2/api/publications/action/wa-comment"
    assert plain_one.json == {"taskId": 5, "authorId": 10, "text": "t"}
    assert not plain_one.idempotent
    reply = requests.post_comment(Paths(), task_id=5, author_id=10, text="t", thread_id=77,
                                  file_ids=["p1"])
    assert reply.json["threadCommentId"] == 77 and reply.json["preUploadedFileIds"] == ["p1"]


def test_a_file_is_preuploaded_as_base64_without_a_comment() -> None:
    made = requests.preupload("акт.pdf", b"%PDF", 10)
    assert (made.path, made.params) == ("/api/files/preupload/base64", {"initiatorUserId": "10"})
    assert made.json == {"fileName": "акт.pdf", "fileData": base64.b64encode(b"%PDF").decode(),
                         "writeComment": False, "comment": ""}


def test_routes_marked_unconfirmed_come_from_the_configuration() -> None:
    paths = Paths(feed="/api/v2/tasks/{task_id}/comments", comment="/api/comments")
    assert requests.feed(paths, 9).path == "/api/v2/tasks/9/comments"
    assert requests.post_comment(paths, task_id=9, author_id=1, text="", thread_id=None,
                                 file_ids=[]).path == "/api/comments"
    assert requests.download("42").binary


# ---- answers --------------------------------------------------------------------------------


def test_login_answers_are_read_for_the_access_token() -> None:
    assert responses.token({"data": {"token": "a", "accessToken": "b"}}) == "b"
    assert responses.token({"data": {"token": "a"}}) == "a"
    assert responses.token("legacy-token") == "legacy-token"
    with pytest.raises(AnswerShapeError):
        responses.token({"data": {}})


def test_the_new_task_id_is_data_value() -> None:
    answer = {"data": {"value": 70001, "performerId": None, "linkId": None, "massResult": None}}
    assert responses.created_task_id(answer) == 70001
    with pytest.raises(AnswerShapeError):
        responses.created_task_id({"data": {"performerId": 3}})


def test_states_and_fields_are_read_by_name() -> None:
    assert responses.states({"data": [{"id": 12, "name": "Диалог с ботом", "isActive": True}],
                             "total": 1}) == {"Диалог с ботом": 12}
    fields = [{"extParamId": 503, "extParamName": "ID чата", "extParamType": "Text",
               "isRequired": False}]
    assert responses.ext_params(fields) == {"ID чата": 503}
    assert responses.ext_params({"data": fields}) == {"ID чата": 503}


def test_a_preupload_answer_gives_its_file_id() -> None:
    assert responses.preupload_id({"data": [{"preUploadFileId": "abc"}]}) == "abc"
    with pytest.raises(AnswerShapeError):
        responses.preupload_id({"data": []})


def test_data_source_rows_are_found_in_either_wrapping() -> None:
    rows = [{"TaskId": 7, "ExtParam503": "7901"}]
    assert responses.rows({"data": {"rows": rows, "lastRow": 1}}) == rows
    assert responses.rows({"rows": rows}) == rows
    assert responses.row_task_id({"taskId": "8"}) == 8


def test_a_task_read_gives_its_state_and_performers() -> None:
    nested = {"data": {"mainParams": {"stateId": 13}, "performers": [{"userId": 101}]}}
    assert responses.task_state(nested) == TaskState(state_id=13, performer_ids=(101,))
    flat = {"data": {"stateId": "14", "performers": [102]}}
    assert responses.task_state(flat) == TaskState(state_id=14, performer_ids=(102,))


def test_the_feed_keeps_comments_oldest_first_with_author_thread_and_files() -> None:
    answer = {"data": {"items": [
        {"type": "comment", "id": 9002, "text": "ответ", "author": {"id": 101,
         "name": "Иванова Мария Сергеевна"}, "threadCommentId": 9001,
         "createdAt": "2026-11-20T10:00:00Z",
         "files": [{"id": 5, "name": "a.pdf", "size": 3, "contentType": "application/pdf"}]},
        {"type": "stateChange", "id": 0, "text": "Задача создана"},
        {"commentId": "9001", "commentText": "вопрос", "authorId": 10, "authorName": "Robot"},
    ]}}
    first, second = responses.feed(answer)
    assert (first.id, first.author_id, first.author_name, first.text) == (
        9001, 10, "Robot", "вопрос")
    assert (second.thread_id, second.author_name, second.at) == (
        9001, "Иванова Мария Сергеевна", NOW)
    assert second.files == (responses.FeedFile(id="5", name="a.pdf", size=3,
                                               mime_type="application/pdf"),)


# ---- texts ----------------------------------------------------------------------------------


def test_the_marker_names_the_comment_and_comes_off_again() -> None:
    marked = with_marker("Здравствуйте", "0123456789abcdef0123")
    assert marked == "Здравствуйте\n[wa:0123456789ab]"
    assert marker_of(marked) == "0123456789ab" == marker_key("0123456789abcdef0123")
    assert plain(marked) == "Здравствуйте"
    assert marker_of("no marker [wa:123]") is None
    assert marker_key("c1") == marker_key("c1") != marker_key("c2")


def test_html_from_the_feed_becomes_plain_text() -> None:
    assert plain("<p>Добрый день!</p><p>Цена: 5&nbsp;000 &amp; НДС<br>Итого</p>") == \
        "Добрый день!\nЦена: 5\xa0000 & НДС\nИтого"
    assert plain("a < b and c > d") == "a < b and c > d"


# ---- mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "expected"), [
    ({"author_kind": "customer"}, (10, "")),
    ({"author_kind": "bot"}, (10, "")),
    ({"author_kind": "participant", "sender_name": "Анна"}, (11, "Анна")),
    ({"author_kind": "participant", "author_user_id": "usr-petrov"}, (102, "")),
    ({"author_kind": "user", "author_user_id": "usr-ivanova"}, (101, "")),
    ({"author_kind": "user", "author_user_id": "usr-x", "author_name": "Иван"}, (10, "Иван")),
])
def test_each_author_is_posted_as_the_seeds_user(extra: dict[str, Any],
                                                   expected: tuple[int, str]) -> None:
    assert author_of(comment(**extra), OPTS) == expected


def test_the_posted_text_has_the_name_the_failed_files_and_the_marker() -> None:
    files = [AttachmentRecord(id="f1", comment_id="c", task_id="t1", file_name="a.jpg",
                              mime_type="image/jpeg", state="failed"),
             AttachmentRecord(id="f2", comment_id="c", task_id="t1", file_name="b.pdf",
                              mime_type="application/pdf", state="stored")]
    text = comment_text(comment(text="смотрите"), "Анна", files, file_names_in_text=True)
    assert text == ("Анна: смотрите\n(файл не получен: a.jpg)\n📎 b.pdf\n[wa:0123456789ab]")
    assert comment_text(comment(text="", content_type="sticker"), "", [],
                        file_names_in_text=False) == "[sticker]\n[wa:0123456789ab]"


def test_a_managers_feed_comment_becomes_a_queued_outgoing_comment() -> None:
    item = FeedComment(id=9002, text="<b>Ответ</b>\n[wa:aaaaaaaaaaaa]", author_id=101,
                       author_name="Иванова Мария Сергеевна", at=NOW)
    made = people_comment(item, task(), ff_task_id=70001, now=NOW, author_user_id="usr-ivanova",
                          reply_to="c1", parts=1)
    assert (made.text, made.author_kind, made.direction, made.delivery, made.outbox) == (
        "Ответ", "user", "out", "queued", True)
    assert made.id == people_comment(item, task(), ff_task_id=70001, now=NOW,
                                     author_user_id=None, reply_to=None, parts=1).id
    assert made.send_id and made.reply_to_comment_id == "c1"


def test_states_and_performers_map_back_to_our_statuses_and_users() -> None:
    names = {"bot": "Диалог с ботом", "manager": "Диалог с менеджером", "closed": "Закрыта"}
    ids = {"bot": 12, "manager": 13, "closed": 14}
    assert status_of(TaskState(state_id=14), ids, names) == "Закрыта"
    assert status_of(TaskState(state_id=99), ids, names) is None
    assert assignee_of(TaskState(state_id=13, performer_ids=(5, 102)), OPTS) == "usr-petrov"
    assert user_of(None, OPTS) is None


# ---- settings -------------------------------------------------------------------------------


def test_first_form_mode_reads_its_settings_into_options() -> None:
    settings = load(TaskSyncSettings, BASE_ENV | {
        "WABRIDGE_TASK_SYSTEM": "first_form", "FIRST_FORM_URL": "https://ff.example/",
        "FIRST_FORM_PAT": "pat", "FIRST_FORM_SUBCAT_ID": "1001",
        "FIRST_FORM_USERS": "usr-ivanova=101", "FIRST_FORM_FIELDS": "chat_id=503,phone=Телефон",
        "FIRST_FORM_STATE_IDS": "closed=14"})
    opts = from_settings(settings)
    assert (opts.base_url, opts.users, opts.fields, opts.state_ids) == (
        "https://ff.example", {"usr-ivanova": 101}, {"chat_id": "503", "phone": "Телефон"},
        {"closed": 14})
    assert opts.status_names["bot"] == "Диалог с ботом"


@pytest.mark.parametrize(("env", "named"), [
    ({}, "FIRST_FORM_URL"),
    ({"FIRST_FORM_URL": "https://ff"}, "FIRST_FORM_SUBCAT_ID"),
    ({"FIRST_FORM_URL": "https://ff", "FIRST_FORM_SUBCAT_ID": "5"}, "FIRST_FORM_PAT"),
])
def test_first_form_mode_without_what_it_needs_does_not_start(env: dict[str, str],
                                                                named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load(TaskSyncSettings, BASE_ENV | {"WABRIDGE_TASK_SYSTEM": "first_form"} | env)


def test_a_malformed_people_map_names_its_variable() -> None:
    with pytest.raises(ValueError, match="FIRST_FORM_USERS"):
        from_settings(load(TaskSyncSettings, BASE_ENV | {"FIRST_FORM_USERS": "usr-ivanova"}))
    assert parse_pairs(" a = 1 ,, b=x ", "X") == {"a": "1", "b": "x"}
