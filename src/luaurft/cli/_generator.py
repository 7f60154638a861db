"""Choosing a generator on the command line: one spec, or backend + model (+ adapter)."""

from __future__ import annotations

from typing import Annotated

import typer

from luaurft.errors import LuaurftError
from luaurft.llm import Generator, make_generator

GeneratorOption = Annotated[
    str | None,
    typer.Option(
        "--generator",
        "-g",
        help="anthropic:MODEL, openai:MODEL[@BASE_URL], transformers:PATH[+ADAPTER] or "
        "vllm:MODEL[+ADAPTER].",
    ),
]
BackendOption = Annotated[
    str | None,
    typer.Option("--backend", help="transformers, vllm, openai or anthropic (with --model)."),
]
ModelOption = Annotated[
    str | None, typer.Option("--model", "-m", help="Model id or local checkpoint path.")
]
AdapterOption = Annotated[
    str | None, typer.Option("--adapter", help="A peft (LoRA) adapter directory.")
]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible server URL (openai backend).")
]


def generator_spec(
    spec: str | None,
    backend: str | None,
    model: str | None,
    adapter: str | None = None,
    base_url: str | None = None,
) -> str:
    """One generator spec from either form of the options."""
    if spec:
        if backend or model or adapter or base_url:
            raise LuaurftError("give either --generator or --backend/--model/--adapter, not both")
        return spec
    if not backend or not model:
        raise LuaurftError(
            "no model chosen: pass --generator SPEC (e.g. openai:MODEL@http://127.0.0.1:8000/v1) "
            "or --backend and --model"
        )
    backend = backend.lower()
    if adapter and backend not in {"transformers", "vllm"}:
        raise LuaurftError("--adapter works with the transformers and vllm backends only")
    if base_url and backend != "openai":
        raise LuaurftError("--base-url works with the openai backend only")
    if backend == "openai" and base_url:
        return f"openai:{model}@{base_url}"
    if adapter:
        return f"{backend}:{model}+{adapter}"
    return f"{backend}:{model}"


def build_generator(
    spec: str | None,
    backend: str | None,
    model: str | None,
    adapter: str | None = None,
    base_url: str | None = None,
) -> Generator:
    return make_generator(generator_spec(spec, backend, model, adapter, base_url))
