"""The port of customer records (who a task's customer is across identifiers, the links and
merges bot-router recorded), and its stand-in where no identity store is wired."""

from __future__ import annotations

from typing import Protocol

from shared.domain.identities import CustomerRecord, Identifier


class CustomerRecords(Protocol):
    async def record(self, conversation_id: str, scope: str, identifiers: list[Identifier]
                     ) -> CustomerRecord | None:
        """The customer of a task's conversation, else the one its identifiers name."""
        ...


class NoCustomerRecords:
    """No identity store wired (tests of other use cases): no customer is known."""

    async def record(self, conversation_id: str, scope: str, identifiers: list[Identifier]
                     ) -> CustomerRecord | None:
        return None
