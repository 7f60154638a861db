"""`luaurft roblox-api`: show and update the Roblox API facts the rules use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from luaurft.cli._options import FormatOption, HumanOrJson, JsonAlias, wants_json
from luaurft.roblox.api import (
    ROBLOX_SETUP_URL,
    download_api_dump,
    index_summary,
    load_index,
    resolve_dump_path,
)

roblox_api_app = typer.Typer(
    help="The Roblox API facts the API rules use: curated table and optional full dump.",
    no_args_is_help=True,
)


@roblox_api_app.command("info")
def info(
    api_dump: Annotated[
        Path | None,
        typer.Option("--api-dump", help="An API-Dump.json to merge over the curated table."),
    ] = None,
    output_format: FormatOption = HumanOrJson.TABLE,
    json_alias: JsonAlias = False,
) -> None:
    """Show what is loaded: the curated table, the dump merged over it, and counts."""
    as_json = wants_json(output_format, json_alias)
    path, origin = resolve_dump_path(api_dump)
    summary = index_summary(load_index(api_dump))
    summary["dump_origin"] = origin
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    console = Console()
    for source in summary["sources"]:
        if source["kind"] == "curated":
            console.print("curated table (package data)")
        else:
            version = f" version {source['version']}" if source["version"] else ""
            console.print(f"API dump {source['path']}{version} (from {origin})")
    if path is None:
        console.print(
            f"no API dump: run `luaurft roblox-api update` to cache one at {summary['cache_path']}"
        )
    table = Table("what", "count")
    for key, value in summary["counts"].items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


@roblox_api_app.command("update")
def update(
    dest: Annotated[
        Path | None,
        typer.Option("--dest", help="Where to write the dump (default: the user cache)."),
    ] = None,
    url: str = typer.Option(ROBLOX_SETUP_URL, "--url", help="Base URL of Roblox's setup CDN."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds to wait for each request."),
) -> None:
    """Download the current API dump from Roblox's setup CDN into the cache."""
    got = download_api_dump(dest, base_url=url, timeout=timeout)
    typer.echo(f"saved {got.version} API dump ({got.size:,} bytes) to {got.path}")


def register(app: typer.Typer) -> None:
    app.add_typer(roblox_api_app, name="roblox-api")
