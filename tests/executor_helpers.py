"""Functions the executor tests run inside worker processes (pickled by name)."""

from __future__ import annotations

import os
import signal
import time


def add(a: int, b: int) -> int:
    return a + b


def pid() -> int:
    return os.getpid()


def die(sig: int = signal.SIGSEGV) -> None:
    os.kill(os.getpid(), sig)


def sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def refuse(message: str) -> None:
    raise ValueError(message)


def without_trip_room() -> None:
    """Warm hook: undo the in-VM fix for a memory trip at the heap's edge, so the
    heap-edge script crashes its worker as it crashed the host before the fix."""
    import luaurft.luau.sandbox as sandbox

    sandbox.make_room = lambda lua: None


def nested_pid() -> int:
    """The pid an isolated() call made from inside a worker runs in."""
    from luaurft.luau.executor import isolated

    result = isolated(pid, wall_seconds=30)
    assert isinstance(result, int)
    return result


def spin(seconds: float) -> str:
    """Burn CPU for `seconds` (as a long C call would)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "spun"


def say_and_die(words: str) -> None:
    """Write a line to stderr, then die by SIGABRT (as a failing native assert does)."""
    os.write(2, words.encode() + b"\n")
    os.kill(os.getpid(), signal.SIGABRT)
