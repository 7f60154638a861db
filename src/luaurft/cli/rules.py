"""`luaurft rules`: list every scoring rule, or print the markdown reference."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.table import Table

from luaurft.scoring.reference import rules_markdown, rules_table


class RulesFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("rules")(rules)


def rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
    ] = RulesFormat.TABLE,
    markdown: Annotated[
        bool,
        typer.Option("--markdown", help="Print the full reference (the text of docs/rules.md)."),
    ] = False,
) -> None:
    """List the scoring rules: id, scorer, severity, cost and summary."""
    if markdown:
        typer.echo(rules_markdown(), nl=False)
        return
    table_rows = rules_table()
    if output_format is RulesFormat.JSON:
        typer.echo(json.dumps(table_rows, indent=2))
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=140)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("id", "scorer", "severity", "cost"):
        table.add_column(column, no_wrap=True)
    table.add_column("summary", ratio=1)
    for row in table_rows:
        table.add_row(row["id"], row["scorer"], row["severity"], f"{row['cost']:g}", row["summary"])
    console.print(table)
