"""`luaurft studio`: run the Studio bridge, build and install the Studio plugin."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from luaurft.cli._options import HumanOrJson, JsonAlias, wants_json
from luaurft.errors import LuaurftError
from luaurft.studio.bridge import DEFAULT_PORT

studio_app = typer.Typer(
    name="studio",
    help="Connect Roblox Studio to luaurft: the bridge server and the companion plugin.",
    no_args_is_help=True,
)


@studio_app.command("serve")
def serve(
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port on 127.0.0.1 (0 picks a free one).")
    ] = DEFAULT_PORT,
    poll_timeout: Annotated[
        float, typer.Option("--poll-timeout", help="Long-poll wait in seconds (at most 15).")
    ] = 15.0,
    output_format: Annotated[
        HumanOrJson,
        typer.Option(
            "--format", "-f", help="table for people; json: the address and token as one line."
        ),
    ] = HumanOrJson.TABLE,
    json_alias: JsonAlias = False,
) -> None:
    """Run the bridge the Studio plugin connects to; prints the pairing token. Ctrl-C stops it."""
    as_json = wants_json(output_format, json_alias)
    from luaurft.studio import BridgeLimits, StudioBridge

    err = Console(stderr=True)
    bridge = StudioBridge(
        port, limits=BridgeLimits(poll_timeout_s=poll_timeout), log=lambda m: err.print(m)
    )
    bridge.start()
    # Other luaurft commands (assist --studio, mcp --studio) find this bridge and its token
    # here and use it, so Studio stays paired with one token.
    from luaurft.studio.client import clear_bridge_state, write_bridge_state

    write_bridge_state(bridge.url, bridge.port, bridge.token, bridge.session_id)
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    try:
        if as_json:
            info = {
                "url": bridge.url,
                "port": bridge.port,
                "token": bridge.token,
                "session_id": bridge.session_id,
            }
            sys.stdout.write(json.dumps(info) + "\n")
            sys.stdout.flush()
        else:
            out = Console()
            out.print(f"luaurft Studio bridge listening on [bold]{bridge.url}[/bold]")
            out.print(f"Pairing token: [bold green]{bridge.token}[/bold green]")
            out.print(
                "In Studio open the luaurft panel (Plugins tab), paste the token, keep the address "
                f"{bridge.url}, press Connect. Ctrl-C stops the bridge."
            )
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        clear_bridge_state(bridge.port, bridge.token)
        bridge.stop()


@studio_app.command("plugin")
def plugin(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write the plugin file (.rbxmx or a folder)."),
    ] = None,
    install: Annotated[
        bool, typer.Option("--install", help="Copy the plugin into Roblox Studio's Plugins folder.")
    ] = False,
    plugins_dir: Annotated[
        Path | None,
        typer.Option(
            "--plugins-dir", help="Install into this folder instead of Studio's default one."
        ),
    ] = None,
) -> None:
    """Build the Studio plugin file (.rbxmx) and optionally install it."""
    from luaurft.studio.plugin_file import (
        PLUGIN_FILE_NAME,
        build_plugin,
        install_plugin,
        studio_plugins_dir,
    )

    if out is None and not install:
        raise LuaurftError("say where the plugin goes: --out PATH, --install, or both")
    console = Console()
    built: Path | None = None
    if out is not None:
        built = build_plugin(out)
        console.print(f"Plugin written to [bold]{built}[/bold]")
    if install:
        folder = plugins_dir or studio_plugins_dir()
        if built is None:
            installed = build_plugin(folder / PLUGIN_FILE_NAME)
        else:
            installed = install_plugin(built, plugins_dir=folder)
        console.print(
            f"Installed into [bold]{installed}[/bold]; restart Studio or reload plugins to load it."
        )


def register(app: typer.Typer) -> None:
    app.add_typer(studio_app, name="studio")
