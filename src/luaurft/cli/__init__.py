"""The `luaurft` command line: a thin layer over the library.

Each module in this package defines `register(app)` and adds its commands; the
app finds them by import, so adding a command is adding a module. Errors a user
can cause (`LuaurftError`) are printed without a traceback and exit 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from luaurft import __version__
from luaurft.errors import LuaurftError

app = typer.Typer(
    name="luaurft",
    help="Write, score, run and train models for production-ready Roblox Luau.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"luaurft {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """luaurft: production-ready Roblox Luau, scored, run and learned."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `luaurft` script."""
    try:
        app(args=argv, standalone_mode=True)
    except LuaurftError as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        sys.exit(2)
