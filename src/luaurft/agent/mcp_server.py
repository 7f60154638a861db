"""The MCP server: luaurft's assistant as tools for any MCP client (Claude Desktop,
Cursor, an IDE agent), over stdio.

Tools:

- ``generate_luau(task, rounds?, threshold?, insert?)`` — the self-correcting
  loop with the configured generator; returns the best version's files, its
  score and the score history (``insert`` also pushes it into Studio and feeds
  Studio's errors back);
- ``score_luau(code, kind?, path?)`` — the score card;
- ``run_luau(code)`` — run the code in the sandboxed Luau VM;
- ``insert_into_studio(files, title?)`` — write scripts into the open place
  through the Studio bridge (one undo step, reviewed in Studio first);
- ``get_studio_selection()`` — what is selected in Studio's Explorer.

Studio tools need ``luaurft mcp --studio`` (which starts the bridge and prints
its pairing token on stderr) and a connected plugin; otherwise they fail fast
with a message that says what to do.

The stdio transport points file descriptor 1 at stderr while it serves, so the
Luau VM's own writes to stdout cannot corrupt the protocol stream.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, Field

from luaurft import __version__
from luaurft.agent.assist import assist
from luaurft.agent.execution import run_code
from luaurft.agent.studio_push import StudioSession
from luaurft.config import Settings
from luaurft.errors import LuaurftError
from luaurft.llm.types import Generator, SamplingParams
from luaurft.luau.executor import WorkerFailure, isolated, shared_executor
from luaurft.scoring import SCORE_JOB_SECONDS, score_job
from luaurft.studio.bridge import StudioBridge
from luaurft.studio.client import RemoteBridge
from luaurft.studio.errors import StudioError
from luaurft.studio.protocol import ScriptFile, apply_scripts_payload

INSTRUCTIONS = (
    "luaurft writes, scores and runs Roblox Luau. Use generate_luau to write code for a "
    "request (it self-corrects with the scorers' feedback), score_luau to check code, "
    "run_luau to execute it in a sandbox, and insert_into_studio / get_studio_selection "
    "to work with the place open in Roblox Studio."
)


class StudioScript(BaseModel):
    """One script to write into Studio."""

    path: str = Field(
        description="Slash-separated; the suffix picks the class: Name.server.luau (Script), "
        "Name.client.luau (LocalScript), Name.luau (ModuleScript). A first segment naming a "
        "service (ServerScriptService, ReplicatedStorage, ...) places it there."
    )
    source: str = Field(description="The Luau source.")
    className: str | None = Field(
        default=None, description="Script, LocalScript or ModuleScript; overrides the suffix."
    )


def _tool_error(message: str) -> Exception:
    from mcp.server.mcpserver.exceptions import ToolError

    return ToolError(message)


class _Tools:
    """The tool bodies, separate from the SDK so they stay plain functions."""

    def __init__(
        self,
        *,
        generator: Generator | Callable[[], Generator] | None,
        bridge: StudioBridge | RemoteBridge | None,
        settings: Settings,
        sampling: SamplingParams | None,
        studio_timeout: float,
        studio_logs_wait: float,
    ) -> None:
        self._generator_source = generator
        self._generator: Generator | None = None
        self._generator_lock = threading.Lock()
        self.bridge = bridge
        self.settings = settings
        self.sampling = sampling
        self.studio_timeout = studio_timeout
        self.studio_logs_wait = studio_logs_wait
        self._session: StudioSession | None = None

    def generator(self) -> Generator:
        with self._generator_lock:
            if self._generator is None:
                source = self._generator_source
                if source is None:
                    raise _tool_error(
                        "no generator configured: start the server with "
                        "`luaurft mcp --generator SPEC` (e.g. anthropic:MODEL or "
                        "openai:MODEL@http://127.0.0.1:8000/v1)"
                    )
                # A factory defers loading a local model until code is first asked for.
                self._generator = source if isinstance(source, Generator) else source()
            return self._generator

    def connected_bridge(self) -> StudioBridge | RemoteBridge:
        bridge = self.bridge
        if bridge is None or not bridge.running:
            raise _tool_error(
                "Roblox Studio is not connected: start the server with `luaurft mcp --studio`, "
                "then connect the luaurft plugin in Studio with the pairing token it prints"
            )
        if bridge.plugin is None or not bridge.connected():
            raise _tool_error(
                f"no Studio plugin is connected to {bridge.url}: open Studio, open the luaurft "
                "panel (Plugins tab), paste the pairing token and press Connect"
            )
        return bridge

    def session(self) -> StudioSession:
        if self._session is None:
            self._session = StudioSession(
                self.connected_bridge(),
                apply_timeout=self.studio_timeout,
                logs_wait=self.studio_logs_wait,
            )
        else:
            self.connected_bridge()
        return self._session

    # -- tools -------------------------------------------------------------------------

    def generate_luau(
        self,
        task: Annotated[str, Field(description="What to build, in plain words.")],
        rounds: Annotated[
            int | None, Field(ge=0, le=10, description="Rewrites after the first answer.")
        ] = None,
        threshold: Annotated[
            float | None, Field(ge=0.0, le=1.0, description="Rewrite while below this score.")
        ] = None,
        insert: Annotated[
            bool,
            Field(description="Also push the result into Studio and fix errors Studio reports."),
        ] = False,
    ) -> dict[str, Any]:
        """Write Roblox Luau for a request, self-correcting with the scorers' feedback.

        Returns the best version's files (path, kind, source, score), its score,
        whether it passed, and the score of every round.
        """
        generator = self.generator()
        session = self.session() if insert else None
        try:
            result = assist(
                task,
                generator,
                settings=self.settings,
                threshold=threshold,
                max_rounds=rounds,
                sampling=self.sampling,
                studio=session,
            )
        except LuaurftError as exc:
            raise _tool_error(str(exc)) from exc
        return {
            "score": result.score,
            "passed": result.passed,
            "threshold": result.threshold,
            "stop_reason": result.stop_reason,
            "files": [
                {
                    "path": f.path,
                    "kind": f.kind.value,
                    "score": f.card.composite,
                    "source": f.source,
                    "findings": [x.to_dict() for x in f.card.findings],
                }
                for f in result.files
            ],
            "history": [
                {
                    "round": r.index,
                    "purpose": r.purpose,
                    "score": r.score,
                    "findings": len(r.findings),
                    "studio_errors": len(r.studio_errors),
                }
                for r in result.rounds
            ],
            "studio": [p.to_dict() for p in result.pushes],
        }

    def score_luau(
        self,
        code: Annotated[str, Field(description="Luau source to score.")],
        kind: Annotated[
            str | None, Field(description="Script, LocalScript or ModuleScript (else inferred).")
        ] = None,
        path: Annotated[
            str | None, Field(description="File name; .server.luau / .client.luau set the kind.")
        ] = None,
        exec: Annotated[
            bool,
            Field(description="Also run it in the mock Roblox world (the exec score); default on."),
        ] = True,
    ) -> dict[str, Any]:
        """Score Luau with luaurft's scorers: per-scorer scores in [0, 1], the composite,
        whether it compiles, and every finding (rule, line, message, fix); with `exec`
        (the default, as in `luaurft score`) also the exec score from a run in the mock world."""
        try:
            # In a worker: a huge or hostile input slows that worker, never the server.
            card = isolated(score_job, (code, kind, path, exec), wall_seconds=SCORE_JOB_SECONDS)
        except LuaurftError as exc:
            raise _tool_error(str(exc)) from exc
        if isinstance(card, WorkerFailure):
            raise _tool_error(f"scoring did not finish: {card.message}")
        return card.to_dict()

    def run_luau(
        self,
        code: Annotated[str, Field(description="Luau source to run.")],
        kind: Annotated[
            str | None,
            Field(description="Script, LocalScript or ModuleScript; inferred when omitted."),
        ] = None,
        seconds: Annotated[
            float, Field(gt=0.0, le=60.0, description="Virtual seconds to simulate.")
        ] = 1.0,
        cpu_seconds: Annotated[
            float, Field(gt=0.0, le=10.0, description="CPU time budget for the run.")
        ] = 2.0,
    ) -> dict[str, Any]:
        """Run Luau in luaurft's sandboxed VM inside a mock Roblox world (no file, network or
        OS access; memory and CPU capped): a player joins, parts are touched, remotes fire.
        Returns status (ok, error, timeout, memory, output-limit, crashed), the error with its line,
        printed output, what the script did (effects), a module's value and resources used."""
        try:
            return run_code(code, kind=kind, seconds=seconds, cpu_seconds=cpu_seconds)
        except LuaurftError as exc:
            raise _tool_error(str(exc)) from exc

    def insert_into_studio(
        self,
        files: Annotated[list[StudioScript], Field(min_length=1, description="Scripts to write.")],
        title: Annotated[str, Field(description="Name of the undo step in Studio.")] = "luaurft",
    ) -> dict[str, Any]:
        """Write scripts into the place open in Roblox Studio, as one undo step. The developer
        sees a diff and accepts or rejects it in Studio; existing scripts are never
        overwritten without that review. Returns the plugin's report per file."""
        bridge = self.connected_bridge()
        try:
            payload = apply_scripts_payload(
                [ScriptFile(f.path, f.source, class_name=f.className) for f in files], title=title
            )
            return bridge.request("apply_scripts", payload, timeout=self.studio_timeout)
        except StudioError as exc:
            raise _tool_error(str(exc)) from exc

    def get_studio_selection(self) -> dict[str, Any]:
        """The instances selected in Roblox Studio's Explorer (name, class, path)."""
        bridge = self.connected_bridge()
        try:
            return bridge.request("get_selection", {}, timeout=30.0)
        except StudioError as exc:
            raise _tool_error(str(exc)) from exc


def build_server(
    *,
    generator: Generator | Callable[[], Generator] | None = None,
    bridge: StudioBridge | RemoteBridge | None = None,
    settings: Settings | None = None,
    sampling: SamplingParams | None = None,
    studio_timeout: float = 600.0,
    studio_logs_wait: float = 2.0,
) -> Any:
    """An `MCPServer` with luaurft's tools. `generator` may be a factory, called on first use."""
    from mcp.server.mcpserver import MCPServer

    tools = _Tools(
        generator=generator,
        bridge=bridge,
        settings=settings or Settings(),
        sampling=sampling,
        studio_timeout=studio_timeout,
        studio_logs_wait=studio_logs_wait,
    )
    # Workers ready before the first call: one tool call can run while another waits.
    shared_executor().prestart()
    server = MCPServer(
        name="luaurft", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )
    for fn in (
        tools.generate_luau,
        tools.score_luau,
        tools.run_luau,
        tools.insert_into_studio,
        tools.get_studio_selection,
    ):
        server.add_tool(fn)
    return server


def serve_stdio(server: Any) -> None:
    """Serve over stdin/stdout until the client closes the stream."""
    server.run("stdio")


__all__ = ["INSTRUCTIONS", "StudioScript", "build_server", "serve_stdio"]
