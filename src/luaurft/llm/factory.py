"""`make_generator(spec)`: one string names a backend and a model.

anthropic:MODEL                  Claude (ANTHROPIC_API_KEY)
openai:MODEL                     OpenAI (OPENAI_API_KEY)
openai:MODEL@BASE_URL            any OpenAI-compatible server (vLLM, Ollama, ...)
transformers:PATH[+ADAPTER]      a local checkpoint, optionally with a peft adapter
vllm:MODEL[+ADAPTER]             vLLM offline engine (CUDA), optionally with LoRA
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from luaurft.llm.errors import GeneratorSpecError
from luaurft.llm.types import Generator

BACKENDS = ("anthropic", "openai", "transformers", "vllm")


@dataclass(frozen=True)
class GeneratorSpec:
    backend: str
    model: str
    base_url: str | None = None
    adapter: str | None = None


def parse_generator_spec(spec: str) -> GeneratorSpec:
    """Split a spec into its parts (see module docstring); raise a clear error otherwise."""
    backend, sep, rest = spec.strip().partition(":")
    backend = backend.lower()
    if not sep or backend not in BACKENDS or not rest.strip():
        raise GeneratorSpecError(
            f"cannot read generator spec {spec!r}: expected one of anthropic:MODEL, "
            "openai:MODEL[@BASE_URL], transformers:PATH[+ADAPTER], vllm:MODEL[+ADAPTER]"
        )
    rest = rest.strip()
    if backend == "openai":
        model, at, base_url = rest.partition("@")
        if at and not base_url.startswith(("http://", "https://")):
            raise GeneratorSpecError(
                f"the base URL in {spec!r} must start with http:// or https://"
            )
        return GeneratorSpec(backend, model.strip(), base_url=base_url.strip() or None)
    if backend in ("transformers", "vllm"):
        model, _plus, adapter = rest.partition("+")
        return GeneratorSpec(backend, model.strip(), adapter=adapter.strip() or None)
    return GeneratorSpec(backend, rest)


def make_generator(spec: str, **options: Any) -> Generator:
    """Build the generator a spec names; `options` go to its constructor
    (api_key, concurrency, retry, budget, prices, timeout, batch_size, ...)."""
    parsed = parse_generator_spec(spec)
    if parsed.backend == "anthropic":
        from luaurft.llm.anthropic_backend import AnthropicGenerator

        return AnthropicGenerator(parsed.model, **options)
    if parsed.backend == "openai":
        from luaurft.llm.openai_backend import OpenAIGenerator

        return OpenAIGenerator(parsed.model, base_url=parsed.base_url, **options)
    if parsed.backend == "transformers":
        from luaurft.llm.transformers_backend import TransformersGenerator

        return TransformersGenerator(parsed.model, adapter=parsed.adapter, **options)
    from luaurft.llm.vllm_backend import VLLMGenerator

    return VLLMGenerator(parsed.model, adapter=parsed.adapter, **options)
