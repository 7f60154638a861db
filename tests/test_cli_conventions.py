"""One convention across commands: `--format json` for programs (snake_case keys),
`--json` only as a hidden deprecated alias, execution on by default everywhere."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

import luaurft
from conftest import EXAMPLES
from luaurft.cli import app

runner = CliRunner()


def _commands() -> dict[str, Any]:
    root = typer.main.get_command(app)
    found: dict[str, Any] = {}

    def walk(command: Any, name: str) -> None:
        subcommands = getattr(command, "commands", None)  # a group (typer's own click)
        if subcommands is not None:
            for sub_name, sub in subcommands.items():
                walk(sub, f"{name} {sub_name}".strip())
            # A group that runs on its own (`luaurft demo`, besides `demo build-base`).
            if name and getattr(command, "invoke_without_command", False):
                found[name] = command
        else:
            found[name] = command

    walk(root, "")
    return found


def _option(command: Any, flag: str) -> Any:
    for param in command.params:
        if flag in getattr(param, "opts", ()):
            return param
    return None


def test_every_json_output_is_asked_for_with_format_json() -> None:
    commands = _commands()
    with_json_alias = []
    for name, command in commands.items():
        alias = _option(command, "--json")
        if alias is None:
            continue
        with_json_alias.append(name)
        assert alias.hidden, f"{name}: --json should be a hidden, deprecated alias"
        fmt = _option(command, "--format")
        assert fmt is not None, f"{name}: --json without --format"
        assert "json" in (fmt.help or ""), name
    assert {"demo", "data build", "sft", "rft", "grpo", "export", "studio serve"} <= set(
        with_json_alias
    )


def test_the_deprecated_json_alias_still_works_and_says_so() -> None:
    old = runner.invoke(app, ["roblox-api", "info", "--json"])
    new = runner.invoke(app, ["roblox-api", "info", "--format", "json"])
    assert old.exit_code == 0 and new.exit_code == 0
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert "deprecated" in old.stderr and "--format json" in old.stderr


def _keys(value: object, skip_inside: frozenset[str], path: str = "") -> list[str]:
    keys: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            keys.append(f"{path}/{key}")
            if key not in skip_inside:
                keys.extend(_keys(child, skip_inside, f"{path}/{key}"))
    elif isinstance(value, list):
        for child in value:
            keys.extend(_keys(child, skip_inside, f"{path}[]"))
    return keys


def test_run_format_json_keys_are_snake_case() -> None:
    result = runner.invoke(app, ["run", str(EXAMPLES / "leaderstats.server.luau"), "-f", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    # Inside these, keys are Roblox names (class names, Service.Event), not ours.
    roblox_named = frozenset({"instances_created", "connections", "remote_fires"})
    keys = _keys(document, roblox_named)
    camel = [k for k in keys if re.search(r"[a-z][A-Z]", k.rsplit("/", 1)[-1])]
    assert camel == []
    assert document["effects"]["instances_created"] == {"Folder": 2, "IntValue": 4}


def test_luaurft_score_runs_the_code_like_the_cli() -> None:
    code = Path(EXAMPLES / "leaderstats.server.luau").read_text()
    assert luaurft.score(code).scores.get("exec") is not None
    assert "exec" not in luaurft.score(code, exec=False).scores


def test_the_mcp_score_tool_runs_the_code_by_default() -> None:
    from luaurft.agent.mcp_server import _Tools
    from luaurft.config import Settings

    tools = _Tools(
        generator=None,
        bridge=None,
        settings=Settings(),
        sampling=None,
        studio_timeout=1.0,
        studio_logs_wait=0.0,
    )
    code = Path(EXAMPLES / "leaderstats.server.luau").read_text()
    card = tools.score_luau(code, path="leaderstats.server.luau")
    assert card["scores"].get("exec") is not None
    assert "exec" not in tools.score_luau(code, exec=False)["scores"]
