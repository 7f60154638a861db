"""Showing and saving what a run did to the mock world (`--diff`, `--save-world`),
the same for `luaurft run` and `luaurft assist`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.text import Text

from luaurft.roblox.files import save_xml
from luaurft.roblox.world_diff import WorldChange


def save_world_file(change: WorldChange | None, path: Path | None) -> str | None:
    """Write the world after the run to `path` (when asked and there is one); the
    path written, for the output."""
    if change is None or path is None:
        return None
    try:
        return str(save_xml(change.after, path))
    except OSError as exc:
        raise typer.BadParameter(
            f"{path}: {exc.strerror or exc}", param_hint="--save-world"
        ) from None


def print_world_change(change: WorldChange | None, console: Console) -> None:
    """The world diff for people, or why there is none."""
    if change is None:
        console.print(
            Text(
                "world diff: none, the world could not be read after the run "
                "(the run was stopped outside the VM or ran out of memory)",
                style="yellow",
            )
        )
        return
    console.print(Text(f"world diff of {change.script} ({change.status})", style="bold"))
    console.print(change.diff.to_text(), markup=False, highlight=False, soft_wrap=True)
