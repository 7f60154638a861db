"""Rich progress bars on stderr for `progress(stage, done, total)` callbacks."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
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


class StageLines:
    """Progress for a stderr that is not a terminal (a file, a CI log): one line when a
    stage starts, a line every `every` seconds while it runs, one when it is done."""

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self._every = every
        self._clock = clock
        self._started = clock()
        self._stages: dict[str, list[float]] = {}  # stage: [started, last line]
        self._finished: set[str] = set()

    def _line(self, stage: str, text: str) -> None:
        elapsed = int(self._clock() - self._started)
        self._write(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {stage}: {text}\n")

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self._clock()
        if stage not in self._stages:
            self._stages[stage] = [now, now]
            self._line(stage, f"started ({done}/{total})")
        times = self._stages[stage]
        if total > 0 and done >= total:
            if stage not in self._finished:
                self._finished.add(stage)
                self._line(stage, f"done {done}/{total} in {now - times[0]:.0f} s")
        elif now - times[1] >= self._every:
            times[1] = now
            self._line(stage, f"{done}/{total}")


@contextmanager
def stage_bars(*, quiet: bool = False) -> Iterator[StageBars | StageLines]:
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
    if not quiet and not console.is_terminal:
        yield StageLines(_stderr_line)
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        yield StageBars(bar)


def _stderr_line(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


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


PERIODIC_SECONDS = 10.0
"""How often a run whose stderr is not a terminal (a CI log, a file) says how far it is."""


class PeriodicLines:
    """Progress for a stderr that is not a terminal: one plain line every
    `every` seconds (`label: done/total`), nothing for runs shorter than that."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        every: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        write: Callable[[str], object] | None = None,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._every = PERIODIC_SECONDS if every is None else every
        self._clock = clock
        self._write = write or _stderr_write
        self._last = clock()

    def advance(self) -> None:
        self.done += 1
        now = self._clock()
        if now - self._last >= self._every and self.done < self.total:
            self._last = now
            self._write(f"{self.label}: {self.done}/{self.total}\n")


def _stderr_write(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


@contextmanager
def file_progress(label: str, total: int) -> Iterator[Callable[[], None]]:
    """`advance()` once per item: a transient rich bar when stderr is a terminal,
    `PeriodicLines` otherwise."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        lines = PeriodicLines(label, total)
        yield lines.advance
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda: bar.advance(task)
