"""task-sync's layers: the domain and the use cases reach I/O only through the ports."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import services.task_sync.application
import shared.domain
from deploy.stack import ROOT

_IO = ("aiohttp", "aio_pika", "aiormq", "pymongo", "shared.store", "shared.bus")


def _modules(package: object) -> list[str]:
    name: str = package.__name__  # type: ignore[attr-defined]
    paths: list[str] = list(package.__path__)  # type: ignore[attr-defined]
    return [name] + [f"{name}.{m.name}" for m in pkgutil.iter_modules(paths)]


def _io_imported_by(module: str) -> list[str]:
    """The I/O modules importing ``module`` loads, in a fresh interpreter."""
    probe = (f"import sys, {module}; "
             f"print(sorted(m for m in sys.modules if m.startswith({_IO!r})))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    found: list[str] = eval(result.stdout)  # a printed list of module names
    return found


@pytest.mark.parametrize("module", _modules(shared.domain)
                         + _modules(services.task_sync.application))
def test_module_imports_no_store_and_no_io_library(module: str) -> None:
    assert _io_imported_by(module) == []


def test_the_probe_sees_an_io_import() -> None:
    assert "aio_pika" in _io_imported_by("shared.worker")
