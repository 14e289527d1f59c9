"""Message templates: parameters read from the gateways' lists, and sends checked against
them before the gateway sees them."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from shared.domain.templates import Template, parameters_of, send_problem, sent_text
from shared.providers.meta_cloud import META
from shared.providers.wazzup import WAZZUP

NOW = datetime(2026, 6, 1, tzinfo=UTC)
META_LIST = {"data": [
    {"id": "1", "name": "order_update", "language": "en_US", "status": "APPROVED",
     "category": "UTILITY", "components": [
         {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}",
          "example": {"header_text": ["#4411"]}},
         {"type": "BODY", "text": "Hello {{1}}, your order {{2}} is {{3}}.",
          "example": {"body_text": [["Ana", "#4411", "on its way"]]}}]},
    {"id": "2", "name": "napominanie", "language": "ru", "status": "APPROVED",
     "category": "MARKETING", "components": [
         {"type": "BODY", "text": "Здравствуйте, {{1}}!", "example": {"body_text": [["Анна"]]}},
         {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Да"}]}]},
    {"id": "3", "name": "hello_named", "language": "en", "status": "REJECTED",
     "category": "MARKETING", "rejected_reason": "INVALID_FORMAT",
     "components": [{"type": "BODY", "text": "Hi {{first_name}}"}]}]}


def meta_templates() -> dict[str, Template]:
    listed = META.interpret_template_list(200, msgspec.json.encode(META_LIST), {}, "meta", NOW)
    return {t.name: t for t in listed}


def test_meta_list_gives_name_language_category_status_and_parameters() -> None:
    update = meta_templates()["order_update"]
    assert (update.send_as, update.language, update.category, update.status) == (
        "order_update", "en_US", "utility", "approved")
    assert [(p.component, p.name, p.example) for p in update.parameters] == [
        ("header", "1", "#4411"), ("body", "1", "Ana"), ("body", "2", "#4411"),
        ("body", "3", "on its way")]
    assert update.text == "Hello {{1}}, your order {{2}} is {{3}}."


def test_named_parameters_and_rejection_reasons_are_kept() -> None:
    named = meta_templates()["hello_named"]
    assert [p.name for p in named.parameters] == ["first_name"]
    assert (named.status, named.reason) == ("rejected", "INVALID_FORMAT")


def test_wazzup_list_is_named_by_guid_for_sending() -> None:
    body = msgspec.json.encode([{"templateGuid": "g-1", "title": "reminder", "language": "ru",
                                 "status": "APPROVED", "components": [
                                     {"type": "BODY", "text": "{{1}}, до встречи {{2}}"}]}])
    [listed] = WAZZUP.interpret_template_list(200, body, {}, "wazzup", NOW)
    assert (listed.send_as, listed.name, len(listed.body_parameters)) == ("g-1", "reminder", 2)


def test_a_send_that_fits_the_template_passes() -> None:
    assert send_problem(meta_templates()["napominanie"], ["Анна"]) is None


def test_a_sent_template_reads_as_its_body_with_the_values_filled_in() -> None:
    listed = meta_templates()
    assert sent_text(listed["order_update"], "order_update", ["Ana", "#7", "ready"]) == (
        "Hello Ana, your order #7 is ready.")
    assert sent_text(listed["hello_named"], "hello_named", ["Oleg"]) == "Hi Oleg"
    # a template no list holds keeps its name and values
    assert sent_text(None, "order_ready", ["Олег", "12"]) == "[template order_ready: Олег, 12]"


def test_wrong_number_of_values_is_refused_naming_the_parameters() -> None:
    problem = send_problem(meta_templates()["napominanie"], ["Анна", "лишнее"])
    assert problem == "template 'napominanie' takes 1 value(s) ({{1}}); 2 given"


def test_empty_values_templates_not_approved_and_header_values_are_refused() -> None:
    templates = meta_templates()
    assert "empty" in (send_problem(templates["napominanie"], [" "]) or "")
    assert "rejected, not approved" in (send_problem(templates["hello_named"], ["x"]) or "")
    assert "header values" in (send_problem(templates["order_update"], ["a", "b", "c"]) or "")


def test_meta_needs_the_business_account_id_to_list() -> None:
    from shared.providers.base import GatewayAccount
    account = GatewayAccount(api_url="https://graph.facebook.com/v21.0", api_key="t",
                             webhook_token="w")
    assert META.build_template_list(account) is None
    request = META.build_template_list(msgspec.structs.replace(account, account_id="waba1"))
    assert request is not None and "/waba1/message_templates?" in request.url


def test_components_without_parameters_have_none() -> None:
    assert parameters_of([{"type": "BODY", "text": "Welcome back!"}]) == (
        "Welcome back!", [])
