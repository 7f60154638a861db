"""`luaurft mcp`: serve luaurft's tools to MCP clients over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from luaurft.cli._generator import (
    AdapterOption,
    BackendOption,
    BaseUrlOption,
    GeneratorOption,
    ModelOption,
    generator_spec,
)


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp_command)


def mcp_command(
    generator: GeneratorOption = None,
    backend: BackendOption = None,
    model: ModelOption = None,
    adapter: AdapterOption = None,
    base_url: BaseUrlOption = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="A settings preset (TOML).")
    ] = None,
    studio: Annotated[
        bool,
        typer.Option(
            "--studio",
            help="Use the Studio bridge `luaurft studio serve` runs (else start one) so the "
            "Studio tools work.",
        ),
    ] = False,
    port: Annotated[int | None, typer.Option("--port", help="Bridge port for --studio.")] = None,
) -> None:
    """Run the MCP server (stdio): generate_luau, score_luau, run_luau, insert_into_studio,
    get_studio_selection. Without a generator, generate_luau explains how to configure one."""
    from luaurft.agent.mcp_server import build_server, serve_stdio
    from luaurft.config import Settings, load_config
    from luaurft.llm import Generator, make_generator

    settings = load_config(config) if config else Settings()
    spec = (
        generator_spec(generator, backend, model, adapter, base_url)
        if generator or backend or model
        else None
    )

    def factory() -> Generator:
        assert spec is not None
        return make_generator(spec)

    err = Console(stderr=True)
    bridge = None
    remote = None
    if studio:
        from luaurft.studio import StudioBridge
        from luaurft.studio.bridge import DEFAULT_PORT
        from luaurft.studio.client import find_running_bridge

        chosen = DEFAULT_PORT if port is None else port
        # stdout carries the protocol: everything for people goes to stderr.
        remote = find_running_bridge(chosen)
        if remote is not None:
            err.print(f"using the luaurft Studio bridge running on {remote.url} (same token)")
        else:
            bridge = StudioBridge(chosen, log=lambda m: err.print(m)).start()
            err.print(f"luaurft Studio bridge on {bridge.url}; pairing token {bridge.token}")
    try:
        serve_stdio(
            build_server(
                generator=factory if spec else None,
                bridge=remote if remote is not None else bridge,
                settings=settings,
            )
        )
    finally:
        if bridge is not None:
            bridge.stop()
