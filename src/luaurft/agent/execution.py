"""Running a piece of Luau for a tool call, in the sandboxed VM and the mock Roblox world.

This is the one place the assistant reaches for execution: the code runs as its
script kind in a fresh mock world (`luaurft.roblox.mock.run_script`) with the
standard stimulus, exactly as `luaurft run` does.
"""

from __future__ import annotations

from typing import Any

from luaurft.luau.sandbox import Limits
from luaurft.roblox.mock import DEFAULT_SECONDS, run_script


def run_code(
    code: str,
    *,
    kind: str | None = None,
    path: str | None = None,
    seconds: float = DEFAULT_SECONDS,
    cpu_seconds: float = 2.0,
) -> dict[str, Any]:
    """Run `code` in a fresh mock world; a JSON-ready report of how it ended
    (status, error with line, output lines, effects, a module's value, resources)."""
    result = run_script(
        code, kind=kind, path=path, seconds=seconds, limits=Limits(cpu_seconds=cpu_seconds)
    )
    report = result.to_dict()
    report["world"] = True
    return report


__all__ = ["run_code"]
