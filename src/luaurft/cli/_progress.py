"""Rich progress bars on stderr for `progress(stage, done, total)` callbacks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class StageBars:
    """One bar per stage label; `done` is absolute (a resumed stage starts part-way)."""

    def __init__(self, bar: Any) -> None:
        self._bar = bar
        self._tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(stage, total=max(total, 0))
        self._bar.update(self._tasks[stage], completed=done, total=max(total, 0))


@contextmanager
def stage_bars(*, quiet: bool = False) -> Iterator[StageBars]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True, quiet=quiet)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        yield StageBars(bar)


def setup_logging(verbose: bool) -> None:
    """Library warnings (and with --verbose, info) to stderr, rendered by rich."""
    import logging

    from rich.console import Console
    from rich.logging import RichHandler

    handler = RichHandler(console=Console(stderr=True), show_path=False, show_time=False)
    root = logging.getLogger("luaurft")
    root.handlers = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False
