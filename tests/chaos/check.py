"""What the suite checks, chat by chat, once the system is quiet: customer messages recorded once
and in order, every owed answer sent once and in order, every comment's delivery state true,
one task per chat; and nothing left stuck or dead-lettered without an explanation."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.chaos.load import Chat, digits

MARKER = re.compile(r"#\d{7}-\d")
SENT_OR_LATER = frozenset({"sent", "delivered", "read", "played"})
SEND_PATHS = ("/v3/message", "/sendMessage", "/sendFile")


def token_of(body: dict[str, Any]) -> str:
    """What a send carried, as the chat's owed list names it."""
    uri = body.get("contentUri") or (body.get("body") if "filename" in body else None)
    if isinstance(uri, str) and "/files/" in uri:
        return "file:" + uri.split("/files/", 1)[1].split("?", 1)[0]
    text = str(body.get("text") or body.get("body") or body.get("caption") or "")
    found = MARKER.search(text)
    return found.group(0) if found else text


def deliveries(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The sandbox's accepted sends, per chat (digits), in the order it accepted them."""
    by_chat: dict[str, list[str]] = {}
    for record in sorted(records, key=lambda r: int(r["seq"])):
        body = record.get("json")
        if not record.get("delivered") or not isinstance(body, dict) \
                or not record["path"].endswith(SEND_PATHS):
            continue
        chat = digits(str(body.get("chatId") or body.get("to") or ""))
        by_chat.setdefault(chat, []).append(token_of(body))
    return by_chat


@dataclass
class Findings:
    lost: int = 0
    duplicated: int = 0
    reordered: int = 0
    untrue_comments: int = 0
    stuck: int = 0
    unexplained_dead_letters: int = 0
    second_tasks: int = 0
    customer_lost: int = 0
    customer_duplicated: int = 0
    customer_reordered: int = 0
    details: list[str] = field(default_factory=list)

    def failures(self) -> int:
        return sum(v for k, v in vars(self).items() if isinstance(v, int))


def compare(owed: list[str], got: list[str]) -> tuple[int, int, bool]:
    """(missing, extra copies or unexpected sends, out of order) of ``got`` against ``owed``."""
    counts = Counter(got)
    missing = sum(1 for token in owed if counts[token] == 0)
    extra = sum(n - 1 for n in counts.values() if n > 1) + sum(
        1 for token in got if token not in owed)
    first_seen = list(dict.fromkeys(t for t in got if t in owed))
    return missing, extra, first_seen != [t for t in owed if counts[t]]


def outgoing_complete(chats: list[Chat], sent: dict[str, list[str]]) -> bool:
    return all(chat.done and set(chat.owed) <= set(sent.get(digits(chat.chat_id), []))
               for chat in chats)


def check_sends(chat: Chat, sent: dict[str, list[str]], found: Findings) -> None:
    got = sent.get(digits(chat.chat_id), [])
    missing, extra, reordered = compare(chat.owed, got)
    found.lost += missing
    found.duplicated += extra
    found.reordered += int(reordered)
    if missing or extra or reordered:
        found.details.append(f"{chat.provider} chat {chat.chat_id}: owed {chat.owed}, "
                             f"sent {got}")


def check_comments(chat: Chat, comments: list[dict[str, Any]], sent: dict[str, list[str]],
                   found: Findings) -> None:
    """Customer messages once and in order; each outgoing comment's state matches the gateway."""
    said = [c["text"] for c in comments if c.get("direction") == "in"]
    missing, extra, reordered = compare(chat.customer, said)
    found.customer_lost += missing
    found.customer_duplicated += extra
    found.customer_reordered += int(reordered)
    got = set(sent.get(digits(chat.chat_id), []))
    for comment in comments:
        if comment.get("direction") != "out":
            continue
        text = str(comment.get("text") or "")
        marker = MARKER.search(text)
        token = marker.group(0) if marker else text
        delivery = comment.get("delivery")
        reached = token in got
        if (reached and delivery not in SENT_OR_LATER) or (
                not reached and delivery in SENT_OR_LATER) or (
                not reached and delivery == "failed" and not comment.get("failure_reason")):
            found.untrue_comments += 1
            found.details.append(f"comment {comment['id']} of {chat.chat_id} says {delivery} "
                                 f"({comment.get('failure_code')}), gateway got it: {reached}")
        elif delivery in ("queued", "waiting"):
            found.stuck += 1
            found.details.append(f"comment {comment['id']} of {chat.chat_id} still {delivery}")
