"""The desk's pure rules with an injected clock: business hours, who gets a task inside a
group, and a response clock that pauses and resumes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.domain import sla
from shared.domain.calendar import (
    BusinessCalendar,
    Hours,
    add_business_time,
    business_seconds,
    is_open,
)
from shared.domain.routing import Candidate, ChannelTargets, GroupPolicy, choose

WEEKDAYS = [Hours(day=d, start="09:00", end="18:00") for d in ("mon", "tue", "wed", "thu", "fri")]
MOSCOW = BusinessCalendar(timezone="Europe/Moscow", hours=WEEKDAYS, holidays_country="RU")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# ---- business hours -------------------------------------------------------------------------


def test_business_time_skips_the_night_and_the_weekend() -> None:
    friday_evening = at("2026-03-13T17:30:00+03:00")
    # 30 minutes left on Friday, the rest from Monday 09:00 Moscow time
    assert add_business_time(MOSCOW, friday_evening, 3600) == at("2026-03-16T09:30:00+03:00")
    assert business_seconds(MOSCOW, friday_evening, at("2026-03-16T09:30:00+03:00")) == 3600


def test_a_public_holiday_is_closed_all_day() -> None:
    # 9 March 2026 is a day off in Russia (8 March falls on a Sunday)
    assert not is_open(MOSCOW, at("2026-03-09T12:00:00+03:00"))
    assert add_business_time(MOSCOW, at("2026-03-06T17:00:00+03:00"), 7200) == at(
        "2026-03-10T10:00:00+03:00")


def test_company_closed_dates_close_the_day_too() -> None:
    cal = BusinessCalendar(timezone="UTC", closed_dates=[date(2026, 5, 4)])
    assert add_business_time(cal, at("2026-05-03T23:00:00+00:00"), 7200) == at(
        "2026-05-05T01:00:00+00:00")


def test_a_calendar_without_hours_is_open_around_the_clock() -> None:
    cal = BusinessCalendar()
    start = at("2026-06-06T03:00:00+00:00")  # a Saturday night
    assert add_business_time(cal, start, 90) == start + timedelta(seconds=90)


def test_an_unknown_zone_or_a_backwards_day_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="before end"):
        BusinessCalendar(hours=[Hours(day="mon", start="18:00", end="09:00")])


# ---- routing choices ------------------------------------------------------------------------


def people(*rows: tuple[str, str, int | None, int]) -> list[Candidate]:
    return [Candidate(user_id=u, availability=a, capacity=c, open_tasks=n)  # type: ignore[arg-type]
            for u, a, c, n in rows]


def test_round_robin_gives_the_next_member_after_the_last_one() -> None:
    team = people(("u1", "online", None, 0), ("u2", "online", None, 5), ("u3", "online", None, 1))
    assert choose("round_robin", team, last_user_id=None) == "u1"
    assert choose("round_robin", team, last_user_id="u1") == "u2"
    assert choose("round_robin", team, last_user_id="u3") == "u1"


def test_away_on_leave_and_full_members_are_skipped() -> None:
    team = people(("u1", "away", None, 0), ("u2", "on_leave", None, 0),
                  ("u3", "online", 2, 2), ("u4", "online", 3, 2))
    assert choose("round_robin", team, last_user_id=None) == "u4"
    assert choose("least_open", team[:3]) is None


def test_least_open_prefers_the_member_with_fewest_open_tasks() -> None:
    team = people(("u1", "online", None, 4), ("u2", "online", None, 1), ("u3", "online", None, 1))
    assert choose("least_open", team, last_user_id=None) == "u2"
    assert choose("least_open", team, last_user_id="u2") == "u3"


def test_claim_only_groups_leave_the_task_in_the_queue_and_exclusions_hold() -> None:
    team = people(("u1", "online", None, 0), ("u2", "online", None, 0))
    assert choose("claim", team) is None
    assert choose("round_robin", team, exclude=frozenset({"u1"})) == "u2"


# ---- the response clock ---------------------------------------------------------------------

POLICY = GroupPolicy(group_id="g", first_response_minutes=60, next_response_minutes=30,
                     calendar=MOSCOW)


def test_first_response_deadline_counts_business_hours_only() -> None:
    clock = sla.start_waiting(sla.Clock(task_id="t"), POLICY, at("2026-03-13T17:30:00+03:00"))
    assert (clock.state, clock.kind) == ("waiting", "first")
    assert clock.due_at == at("2026-03-16T09:30:00+03:00")


def test_a_channel_with_its_own_targets_gets_them_and_others_the_groups() -> None:
    policy = GroupPolicy(group_id="g", first_response_minutes=60, next_response_minutes=30,
                         calendar=MOSCOW, channels={"vip": ChannelTargets(
                             first_response_minutes=10)})
    start = at("2026-03-10T10:00:00+03:00")
    vip = sla.start_waiting(sla.Clock(task_id="t"), policy, start, "vip")
    other = sla.start_waiting(sla.Clock(task_id="t"), policy, start, "other")
    assert vip.due_at == at("2026-03-10T10:10:00+03:00") and vip.target_s == 600
    assert other.due_at == at("2026-03-10T11:00:00+03:00")
    # the channel sets no next-response target: the group's applies
    assert policy.target_seconds("next", "vip") == 1800


def test_a_channel_target_out_of_range_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match=r"channels\.vip\.first_response_minutes"):
        GroupPolicy(group_id="g", channels={"vip": ChannelTargets(first_response_minutes=0)})


def test_an_answer_stops_the_clock_and_the_next_word_starts_a_next_response() -> None:
    clock = sla.start_waiting(sla.Clock(task_id="t"), POLICY, at("2026-03-10T10:00:00+03:00"))
    answered, response = sla.answer(clock, POLICY, at("2026-03-10T10:20:00+03:00"))
    assert response is not None and response.met and response.business_s == 1200
    assert answered.state == "answered" and answered.due_at is None
    again = sla.start_waiting(answered, POLICY, at("2026-03-10T11:00:00+03:00"))
    assert again.kind == "next" and again.due_at == at("2026-03-10T11:30:00+03:00")


def test_closing_pauses_the_clock_and_reopening_resumes_with_what_is_left() -> None:
    clock = sla.start_waiting(sla.Clock(task_id="t"), POLICY, at("2026-03-10T10:00:00+03:00"))
    paused = sla.pause(clock, POLICY, at("2026-03-10T10:40:00+03:00"))
    assert paused.state == "paused" and paused.due_at is None and paused.used_s == 2400
    resumed = sla.resume(paused, POLICY, at("2026-03-10T15:00:00+03:00"))
    assert resumed.due_at == at("2026-03-10T15:20:00+03:00")
    _, response = sla.answer(resumed, POLICY, at("2026-03-10T15:10:00+03:00"))
    assert response is not None and response.business_s == 3000 and response.met


def test_a_deadline_passed_unanswered_is_a_breach_once() -> None:
    clock = sla.start_waiting(sla.Clock(task_id="t"), POLICY, at("2026-03-10T10:00:00+03:00"))
    assert not sla.is_breached(clock, at("2026-03-10T10:59:00+03:00"))
    assert sla.is_breached(clock, at("2026-03-10T11:00:00+03:00"))
    marked = sla.Clock(**{f: getattr(clock, f) for f in clock.__struct_fields__} | {
        "breached": True})
    assert not sla.is_breached(marked, at("2026-03-10T12:00:00+03:00"))
    _, response = sla.answer(marked, POLICY, at("2026-03-10T12:00:00+03:00"))
    assert response is not None and not response.met


def test_the_last_word_being_ours_keeps_the_clock_still() -> None:
    answered = sla.Clock(task_id="t", answered_first=True)
    assert sla.answer(answered, POLICY, at("2026-03-10T12:00:00+03:00")) == (answered, None)
    assert sla.pause(answered, POLICY, at("2026-03-10T12:00:00+03:00")) == answered


def test_idle_time_runs_from_the_later_of_waiting_and_assignment() -> None:
    policy = GroupPolicy(group_id="g", idle_forward_minutes=10, calendar=MOSCOW)
    due = sla.idle_due(policy, at("2026-03-10T10:00:00+03:00"), at("2026-03-10T10:05:00+03:00"))
    assert due == at("2026-03-10T10:15:00+03:00")
    assert sla.idle_due(GroupPolicy(group_id="g"), at("2026-03-10T10:00:00+03:00"),
                        at("2026-03-10T10:00:00+03:00")) is None
