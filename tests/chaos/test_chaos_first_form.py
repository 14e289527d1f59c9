"""The short chaos run with First Form as the task system, in ``make test``: First Form down,
rate-limited, losing answers and forgetting its tokens, and task-sync killed, while customers
write and a manager answers inside First Form (text, a file, a quote). Every chat checked in
WhatsApp and in First Form. The full run is ``python -m tests.chaos --task-system first_form``."""

from __future__ import annotations

from tests.chaos.test_chaos import run_chaos


def test_with_first_form_nothing_is_lost_duplicated_reordered_or_stuck_whatever_it_does(
) -> None:
    report = run_chaos("--task-system", "first_form")
    (scenario,) = report["scenarios"]
    assert scenario["name"] == "first_form_faults"
    assert scenario["fault"]["task_sync_kills"] == 1
    # each chat is owed the bot's four answers and the manager's three comments and a file,
    # so the manager's part in First Form ran for every chat
    assert scenario["owed_sends"] == 8 * scenario["chats"] > 0
