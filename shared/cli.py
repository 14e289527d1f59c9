"""The ``wabridge`` command: dead letters and Wazzup administration.

    wabridge dlq list [QUEUE] [--limit N]       what is dead-lettered, with the reasons
    wabridge dlq replay QUEUE [--limit N] [--id MESSAGE_ID]
    wabridge dlq purge QUEUE                    drop every dead letter of a work queue
    wabridge wazzup channels
    wabridge wazzup webhooks show
    wabridge wazzup webhooks set URL [--subscriptions messagesAndStatuses,channelsUpdates]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from shared.config import ConfigError, load
from shared.dead_letters import list_dead_letters, purge_dead_letters, replay_dead_letters
from shared.wazzup_admin import WazzupAdmin, WazzupAdminSettings, WazzupError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wabridge", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    top = parser.add_subparsers(dest="area", required=True)
    dlq = top.add_parser("dlq", help="list and replay dead-lettered messages").add_subparsers(
        dest="action", required=True)
    listing = dlq.add_parser("list", help="show dead letters and why they failed")
    listing.add_argument("queue", nargs="?", help="work queue, e.g. outbound_sender.sends")
    listing.add_argument("--limit", type=int, default=20)
    replay = dlq.add_parser("replay", help="put dead letters back on their work queue")
    replay.add_argument("queue")
    replay.add_argument("--limit", type=int, default=1_000_000)
    replay.add_argument("--id", dest="message_id", help="only the message with this id")
    purge = dlq.add_parser("purge", help="drop every dead letter of a work queue (for good)")
    purge.add_argument("queue")
    wazzup = top.add_parser("wazzup", help="the Wazzup account").add_subparsers(
        dest="action", required=True)
    wazzup.add_parser("channels", help="list the account's channels and their states")
    hooks = wazzup.add_parser("webhooks", help="read or set the webhook address").add_subparsers(
        dest="hook_action", required=True)
    hooks.add_parser("show")
    setting = hooks.add_parser("set")
    setting.add_argument("url")
    setting.add_argument("--subscriptions", default="messagesAndStatuses,channelsUpdates",
                         help="comma-separated: messagesAndStatuses, contactsAndDealsCreation, "
                              "channelsUpdates, templateStatus")
    return parser


def _print(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


async def _run(args: argparse.Namespace) -> int:
    if args.area == "dlq":
        if args.action == "list":
            _print(await list_dead_letters(args.queue, args.limit))
        elif args.action == "purge":
            _print({"purged": await purge_dead_letters(args.queue)})
        else:
            moved = await replay_dead_letters(args.queue, args.limit, args.message_id)
            _print({"replayed": moved})
        return 0
    admin = WazzupAdmin(load(WazzupAdminSettings))
    try:
        if args.action == "channels":
            _print(await admin.channels())
        elif args.hook_action == "show":
            _print(await admin.webhooks())
        else:
            subscriptions = [s.strip() for s in args.subscriptions.split(",") if s.strip()]
            _print(await admin.set_webhooks(args.url, subscriptions))
    except WazzupError as exc:
        print(f"Wazzup refused: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        sys.exit(asyncio.run(_run(args)))
    except ConfigError as exc:
        print(f"wabridge: configuration error: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
