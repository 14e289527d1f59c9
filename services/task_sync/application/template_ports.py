"""The port of the template cache, and an in-memory implementation (the default where no
store is wired, and the tests' fake)."""

from __future__ import annotations

from typing import Protocol

import msgspec

from shared.domain.templates import Template


class Templates(Protocol):
    """Message templates as the gateways last listed them."""

    async def replace(self, provider: str, connection: str,
                      templates: list[Template]) -> None: ...

    async def listed(self, provider: str | None = None) -> list[Template]: ...

    async def set_status(self, provider: str, name: str, language: str, status: str,
                         reason: str | None) -> None: ...


class MemoryTemplates:
    """``Templates`` in a dictionary (one process; lost on restart)."""

    def __init__(self) -> None:
        self.items: dict[str, Template] = {}

    async def replace(self, provider: str, connection: str, templates: list[Template]) -> None:
        self.items = {k: t for k, t in self.items.items()
                      if (t.provider, t.connection) != (provider, connection)}
        self.items |= {t.id: t for t in templates}

    async def listed(self, provider: str | None = None) -> list[Template]:
        return sorted((t for t in self.items.values() if not provider or t.provider == provider),
                      key=lambda t: (t.name, t.language))

    async def set_status(self, provider: str, name: str, language: str, status: str,
                         reason: str | None) -> None:
        for key, t in self.items.items():
            if (t.provider, t.name) == (provider, name) and language in ("", t.language):
                self.items[key] = msgspec.structs.replace(
                    t, status=status, reason=reason if reason and reason != "NONE" else t.reason)
