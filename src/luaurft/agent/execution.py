"""Running a piece of Luau for a tool call, in the sandboxed VM.

This is the one place the assistant reaches for execution. Until the mock
Roblox world is merged (`luaurft run`), code runs as plain Luau: `game`,
`workspace` and the Roblox datatypes are nil, and the report says so with
``world: false``. Wiring the world in is a change here only.
"""

from __future__ import annotations

from typing import Any

from luaurft.luau.sandbox import Limits, run_luau


def run_code(code: str, *, cpu_seconds: float = 2.0) -> dict[str, Any]:
    """Run `code` in a fresh sandbox; a JSON-ready report of how it ended
    (status, error with line, output lines, returned values, resources, world)."""
    result = run_luau(code, limits=Limits(cpu_seconds=cpu_seconds))
    report = result.to_dict()
    report["world"] = False
    return report


__all__ = ["run_code"]
