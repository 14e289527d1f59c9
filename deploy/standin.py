"""Run the nx-27017 MongoDB stand-in with its per-command INFO logging turned down to warnings
(it otherwise writes a line per database command, which costs CPU and disk under load)."""

from __future__ import annotations

import logging
import sys


def main() -> None:
    from nx_27017 import nx_27017

    original = logging.basicConfig

    def quiet(**kwargs: object) -> None:
        original(**{**kwargs, "level": logging.WARNING})  # type: ignore[arg-type]

    logging.basicConfig = quiet  # type: ignore[assignment]
    sys.argv = ["nx-27017", *sys.argv[1:]]
    nx_27017.main()


if __name__ == "__main__":
    main()
