"""Keeping machine-readable output clean.

pluau (the Luau VM) writes "Lua VM is being closed" straight to file
descriptor 1 whenever a VM is dropped, past Python's `sys.stdout`. While a
command produces JSON or SARIF, file descriptor 1 is pointed at stderr and the
document goes to a private copy of the real stdout.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import sys
from collections.abc import Iterator
from typing import TextIO


@contextlib.contextmanager
def machine_stdout() -> Iterator[TextIO]:
    """A stream to the real stdout, while anything native writing to fd 1 lands on stderr."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        # Not a real file (a test runner's buffer): nothing native can write into it.
        yield sys.stdout
        return
    sys.stdout.flush()
    try:
        sink = sys.stderr.fileno()
        devnull = None
    except (AttributeError, OSError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        sink = devnull
    saved = os.dup(fd)
    out = os.fdopen(os.dup(saved), "w", encoding="utf-8", closefd=True)
    os.dup2(sink, fd)
    if devnull is not None:
        os.close(devnull)
    try:
        yield out
    finally:
        out.flush()
        # VMs dropped late would print after the document: drop them while fd 1 is stderr.
        gc.collect()
        sys.stdout.flush()
        os.dup2(saved, fd)
        os.close(saved)
        out.close()


@contextlib.contextmanager
def answer_stream(as_json: bool) -> Iterator[TextIO]:
    """Where a command's answer goes, entered before the command works: for JSON the
    real stdout, with everything else written to stdout meanwhile (a library's log
    handler bound to `sys.stdout`, as DeepSpeed's is; a native write) on stderr."""
    if not as_json:
        yield sys.stdout
        return
    with machine_stdout() as out:
        yield out
