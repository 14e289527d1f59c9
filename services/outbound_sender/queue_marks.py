"""Where each chat's queue stood when this process last looked: every place below the mark is
settled. A wake for the send at exactly the mark may take it without reading the queue.

A mark comes from what this process saw itself: a head it read (everything before it is
settled) or a head it settled (the next place is the head now). Places are numbered once and
never reused (a send put back goes at the end with a new number), so a mark can only be behind
the queue, never ahead of it: a wake whose place is not the mark reads the queue as before,
and a claim at the mark is still conditional on the send being untouched. Bounded: the chats
least recently seen are forgotten (their next wake reads the queue).
"""

from __future__ import annotations

from collections import OrderedDict

KEPT = 50_000


class QueueMarks:
    def __init__(self, size: int = KEPT) -> None:
        self._size = size
        self._next: OrderedDict[str, int] = OrderedDict()

    def is_next(self, chat_key: str, seq: int) -> bool:
        """Whether every place of the chat before ``seq`` is settled, as far as seen here."""
        return seq > 0 and self._next.get(chat_key) == seq

    def head_seen(self, chat_key: str, seq: int) -> None:
        """The chat's head (lowest open place) was read: everything before it is settled."""
        self._set(chat_key, seq)

    def settled(self, chat_key: str, seq: int) -> None:
        """The head at ``seq`` was settled (sent, or failed for good): the next place leads."""
        self._set(chat_key, seq + 1)

    def forget(self, chat_key: str) -> None:
        self._next.pop(chat_key, None)

    def _set(self, chat_key: str, seq: int) -> None:
        if seq <= 0:
            return
        self._next[chat_key] = seq
        self._next.move_to_end(chat_key)
        while len(self._next) > self._size:
            self._next.popitem(last=False)

    def __len__(self) -> int:
        return len(self._next)
