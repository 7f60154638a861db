"""exec/runtime-error: an uncaught error while the script ran, at the user's line.

Errors in the main chunk, in event handlers, in spawned threads and while a
module loaded all count; each distinct (line, message) once. Assigning a
property a class does not have is the classic case: Roblox (and the mock
world) answers `Colour is not a valid member of Part "Workspace.Part"`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from luaurft.luau.sandbox import USER_CHUNK
from luaurft.scoring.execution import execute
from luaurft.scoring.rule import Finding, Rule, RuleContext, Severity

_QUOTED = re.compile(r'"[^"]*"')


def describe_context(context: str) -> str:
    """Where in the run an error happened, in words."""
    if context == "main":
        return "while the script ran"
    if context.startswith("handler:"):
        return f"in a {context.removeprefix('handler:')} handler"
    if context.startswith("module:"):
        return "while the module loaded"
    if context.startswith("BindToRenderStep:"):
        return "in a BindToRenderStep callback"
    if context in ("task.spawn", "task.defer", "task.delay", "spawn", "delay"):
        return f"in a thread started by {context}"
    return f"in {context}"


class RuntimeErrorRule(Rule):
    id = "exec/runtime-error"
    scorer = "exec"
    severity = Severity.ERROR
    summary = "The script raised an uncaught error when it ran in the mock Roblox world."
    bad = 'local part = Instance.new("Part")\npart.Colour = Color3.new(1, 0, 0)\npart.Parent = workspace\n'
    good = 'local part = Instance.new("Part")\npart.Color = Color3.new(1, 0, 0)\npart.Parent = workspace\n'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        run = execute(ctx)
        if run is None:
            return
        seen: set[tuple[int, str]] = set()
        last_line = max(len(ctx.source.lines), 1)
        for error in run.errors:
            if error.chunk != USER_CHUNK:
                continue
            line = min(max(error.line or 1, 1), last_line)
            # One finding per line and error: the same handler failing for two
            # players differs only in the instance path it names.
            key = (line, _QUOTED.sub('"…"', error.message))
            if key in seen:
                continue
            seen.add(key)
            yield self.at(
                ctx,
                (line, _first_column(ctx, line)),
                f"{error.message} ({describe_context(error.context)}, at {error.time:.2f} s)",
            )


def _first_column(ctx: RuleContext, line: int) -> int:
    text = ctx.source.line(line)
    return len(text) - len(text.lstrip()) + 1
