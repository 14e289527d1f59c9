"""bot-router's layers: decisions and handlers reach I/O only through the ports."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deploy.stack import ROOT

_IO = ("aiohttp", "aio_pika", "aiormq", "pymongo", "shared.store", "shared.bus")


@pytest.mark.parametrize("module", [
    "services.bot_router.decide", "services.bot_router.flow_turn",
    "services.bot_router.flow_cache",
    "services.bot_router.handlers", "shared.domain.conversations", "shared.domain.scenarios",
])
def test_module_imports_no_store_and_no_io_library(module: str) -> None:
    probe = (f"import sys, {module}; "
             f"print(sorted(m for m in sys.modules if m.startswith({_IO!r})))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"
