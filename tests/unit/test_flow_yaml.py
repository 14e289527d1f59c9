"""Flow sets as YAML: lossless both ways, and a wrong document says where it is wrong."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.domain.calendar import BusinessCalendar, Hours
from shared.domain.flow_yaml import FlowFormatError, from_yaml, to_yaml
from shared.domain.flows import FlowAttachment, FlowSet, Node, Triggers
from tests.unit.flow_samples import big_flow, shop_buttons_flow, shop_flow, wild_flows

ADMIN_FILE = """
key: channel-42
unmatched: repeat
hours:
  timezone: Europe/Moscow
  hours:
    - {day: mon, start: "09:00", end: "18:00"}
  closed_dates: [2027-01-11]
root:
  id: main
  answer: "Здравствуйте!\\n1 — Доставка"
  children:
    - id: delivery
      triggers: {codes: [1], keywords: [доставка, привезти]}
      answer: Доставка за 1–2 дня.
    - id: order
      triggers: {codes: [2]}
      answer: "Номер заказа?"
      action: {type: ask, field: order_number, pattern: '\\d{6}', reask_text: Шесть цифр.}
"""


@pytest.mark.parametrize("flow", [shop_flow(), shop_buttons_flow(), big_flow()])
def test_sample_flows_round_trip(flow: FlowSet) -> None:
    assert from_yaml(to_yaml(flow)) == flow


def test_a_file_an_admin_writes_reads_with_bare_number_codes() -> None:
    flow = from_yaml(ADMIN_FILE)
    assert flow.key == "channel-42" and flow.unmatched == "repeat"
    assert flow.root.children[0].triggers == Triggers(codes=["1"],
                                                      keywords=["доставка", "привезти"])
    assert flow.hours is not None and flow.hours.closed_dates == [date(2027, 1, 11)]
    assert from_yaml(to_yaml(flow)) == flow


def test_yaml_leaves_russian_readable_and_defaults_out() -> None:
    text = to_yaml(shop_flow())
    assert "Доставка" in text and "\\u" not in text
    assert "waiting" not in text and "offer: text" not in text


def test_every_field_survives_the_round_trip() -> None:
    node = Node(id="n", title="Т", triggers=Triggers(codes=["007", "1.0"], keywords=["да "],
                                                     payloads=["yes"]),
                answer="  пробелы  \n", offer="list", hours="closed",
                attachment=FlowAttachment(file_id="f1", file_name="прайс.pdf",
                                          mime_type="application/pdf", size=12))
    flow = FlowSet(root=Node(id="r", answer="#", children=[node]), closed_text="null",
                   hours=BusinessCalendar(holidays_country="RU", hours=[
                       Hours(day="sat", start="10:00", end="24:00")]))
    assert from_yaml(to_yaml(flow)) == flow


@pytest.mark.parametrize(("document", "where"), [
    ("root: {id: r, children: [{id: a, action: {type: ask}}]}", "$.root.children[0].action"),
    ("root: {id: r, children: [{id: a, offer: buttonz}]}", "$.root.children[0].offer"),
    ("root: {id: r}\nhours: {timezone: Mars/Base}", "$.hours"),
    ("root: {id: r, children: [{id: a, action: {type: teleport}}]}", "teleport"),
    ("root: {id: 5}", "$.root.id"),
    ("root: {id: r, triggers: {codes: [yes]}}", "$.root.triggers.codes[0]"),
    ("key: x", "root"),
])
def test_a_wrong_document_names_where_it_is_wrong(document: str, where: str) -> None:
    with pytest.raises(FlowFormatError) as caught:
        from_yaml(document)
    assert where in str(caught.value)


@pytest.mark.parametrize("document", ["", "- 1\n- 2", "root: [", "a: *b", "\t\x00", "42",
                                      "root: !!python/object:os.system {}", "[" * 5000])
def test_what_is_no_flow_set_raises_flow_format_error_only(document: str) -> None:
    with pytest.raises(FlowFormatError):
        from_yaml(document)


def test_flow_format_error_is_a_value_error() -> None:
    assert issubclass(FlowFormatError, ValueError)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_flows())
def test_any_flow_round_trips(flow: FlowSet) -> None:
    assert from_yaml(to_yaml(flow)) == flow


@settings(deadline=None)
@given(st.text())
def test_any_text_is_a_flow_or_a_flow_format_error(text: str) -> None:
    try:
        from_yaml(text)
    except FlowFormatError:
        pass
