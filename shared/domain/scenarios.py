"""The bot's scenarios: a trigger (codes and/or keywords) and an answer (pure types)."""

from __future__ import annotations

from typing import Literal

import msgspec

ScenarioAction = Literal["hand_over", "close"]


class Scenario(msgspec.Struct, kw_only=True, frozen=True, omit_defaults=True):
    """A trigger (codes and/or keywords) and the bot's answer, with an optional follow-up action."""

    id: str
    answer: str
    title: str = ""
    codes: list[str] = []
    keywords: list[str] = []
    action: ScenarioAction | None = None

    def __post_init__(self) -> None:
        if not self.codes and not self.keywords:
            raise ValueError(f"scenario {self.id!r} needs at least one code or keyword")
        if not self.answer.strip():
            raise ValueError(f"scenario {self.id!r} needs an answer text")


class ScenarioSet(msgspec.Struct, kw_only=True, frozen=True):
    """The whole current set, as admins last saved it; ``version`` grows with each save."""

    version: int
    items: list[Scenario]

    def __post_init__(self) -> None:
        if len({s.id for s in self.items}) != len(self.items):
            raise ValueError("scenario ids must be unique")
