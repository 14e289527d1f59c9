"""Phase lengths, offered loads and store sizes of the three modes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    mode: str
    baseline_s: float          # each baseline measurement
    ingest_s: float            # measured window of the ingest phase
    warmup_s: float            # before measured windows (closed loop) / excluded from latencies
    fixed_rate: float          # messages/s of the fixed-load latency phases
    fixed_s: float
    steps: tuple[float, ...]   # offered loads of the sustained-maximum search, ascending
    step_s: float
    comment_fixed_rate: float
    comment_steps: tuple[float, ...]
    pool: int                  # chats per pool (bot codes; manager comments)
    preopen_rate: float
    drain_s: float             # how long answers may lag behind the end of a phase
    console_tasks: int         # the console phase's seeded store (--console-scale: 100k/1M)
    console_comments: int
    console_samples: int       # requests per kind (each inbox view, search kind, chat page)
    console_posts: int         # comments posted to the connected event streams
    console_kind_budget_s: float  # a request kind stops sooner once its requests took this
    console_streams: int = 200
    concurrency: int = 50      # connections of the ingest and bare-aiohttp phases

    def as_dict(self) -> dict[str, object]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


PLANS = {
    "smoke": Plan(mode="smoke", baseline_s=1.0, ingest_s=2.0, warmup_s=0.3, fixed_rate=20,
                  fixed_s=3.0, steps=(20, 40), step_s=2.0, comment_fixed_rate=10,
                  comment_steps=(10, 20), pool=40, preopen_rate=40, drain_s=8.0,
                  console_tasks=2000, console_comments=20_000, console_samples=5,
                  console_posts=3, console_kind_budget_s=3.0),
    "quick": Plan(mode="quick", baseline_s=3.0, ingest_s=6.0, warmup_s=1.0, fixed_rate=100,
                  fixed_s=8.0, steps=(100, 200, 400, 800), step_s=6.0, comment_fixed_rate=100,
                  comment_steps=(100, 200, 400, 800), pool=300, preopen_rate=100, drain_s=8.0,
                  console_tasks=2000, console_comments=20_000, console_samples=20,
                  console_posts=20, console_kind_budget_s=15.0),
    "full": Plan(mode="full", baseline_s=8.0, ingest_s=15.0, warmup_s=2.0, fixed_rate=100,
                 fixed_s=30.0, steps=(100, 150, 225, 340, 500, 750, 1100), step_s=30.0,
                 comment_fixed_rate=100, comment_steps=(100, 150, 225, 340, 500, 750, 1100),
                 pool=400, preopen_rate=100, drain_s=10.0, console_tasks=10_000,
                 console_comments=100_000, console_samples=40, console_posts=50,
                 console_kind_budget_s=30.0),
}
