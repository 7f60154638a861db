"""`luaurft fake-llm serve`: a local stand-in model, to try the LLM parts without a key."""

from __future__ import annotations

import json
import signal
import sys
import threading
from enum import StrEnum
from types import FrameType
from typing import Annotated

import typer

from luaurft.cli._options import HumanOrJson


class Answers(StrEnum):
    KEYLESS = "keyless"
    JUDGE = "judge"
    FIXED = "fixed"


fake_llm_app = typer.Typer(
    name="fake-llm",
    help="A local fake model speaking the OpenAI and Anthropic APIs (no key, no network).",
    no_args_is_help=True,
)


@fake_llm_app.command("serve")
def serve(
    port: Annotated[
        int, typer.Option("--port", "-p", help="Port on 127.0.0.1 (0 picks a free one).")
    ] = 8765,
    answers: Annotated[
        Answers,
        typer.Option(
            help="keyless: judge verdicts, a cut-off first draft then the full answer on "
            "rewrite (from the built-in tasks' solutions); judge: verdicts only; "
            "fixed: one short script for everything."
        ),
    ] = Answers.KEYLESS,
    fault_rate: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Share of requests that fail (429, 500, timeouts...)."),
    ] = 0.0,
    output_format: Annotated[
        HumanOrJson,
        typer.Option("--format", "-f", help="table for people; json: the URLs as one line."),
    ] = HumanOrJson.TABLE,
) -> None:
    """Serve a fake model on 127.0.0.1 until Ctrl-C; point --generator/--judge at it:
    openai:fake@http://127.0.0.1:PORT/v1 (any model name, any key)."""
    from luaurft.testing.fake_llm_server import (
        FakeLLMServer,
        FaultPlan,
        Responder,
        default_responder,
    )

    responder: Responder = default_responder
    if answers is Answers.KEYLESS:
        from luaurft.testing.keyless import keyless_responder

        responder = keyless_responder()
    elif answers is Answers.JUDGE:
        from luaurft.testing.fake_judge import judge_responder

        responder = judge_responder()
    server = FakeLLMServer(responder, faults=FaultPlan(rate=fault_rate), port=port)
    try:
        server.start()
    except OSError as exc:
        from luaurft.errors import LuaurftError

        raise LuaurftError(
            f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
            "another fake-llm may be running there: use it, or pick --port"
        ) from None
    if output_format is HumanOrJson.JSON:
        info = {
            "openai_base_url": server.openai_base_url,
            "anthropic_base_url": server.anthropic_base_url,
            "port": server.port,
        }
        sys.stdout.write(json.dumps(info) + "\n")
    else:
        sys.stdout.write(
            f"fake model ({answers.value}) on 127.0.0.1:{server.port}\n"
            f"  OpenAI-compatible: --generator openai:fake@{server.openai_base_url}\n"
            f"  Anthropic: ANTHROPIC_BASE_URL={server.anthropic_base_url} "
            "ANTHROPIC_API_KEY=any --generator anthropic:fake\n"
            "Ctrl-C stops it.\n"
        )
    sys.stdout.flush()
    stop = threading.Event()

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def register(app: typer.Typer) -> None:
    app.add_typer(fake_llm_app, name="fake-llm")
