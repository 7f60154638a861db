from __future__ import annotations

import pytest

from luaurft.llm import GeneratorSpec, GeneratorSpecError, parse_generator_spec


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("anthropic:claude-sonnet-4-5", GeneratorSpec("anthropic", "claude-sonnet-4-5")),
        ("openai:gpt-4o", GeneratorSpec("openai", "gpt-4o")),
        (
            "openai:llama3:8b@http://localhost:11434/v1",
            GeneratorSpec("openai", "llama3:8b", base_url="http://localhost:11434/v1"),
        ),
        (
            "openai:roblox-lora@http://10.0.0.5:8000/v1",
            GeneratorSpec("openai", "roblox-lora", base_url="http://10.0.0.5:8000/v1"),
        ),
        ("transformers:/m/base", GeneratorSpec("transformers", "/m/base")),
        (
            "transformers:/m/base+/runs/a/adapter",
            GeneratorSpec("transformers", "/m/base", adapter="/runs/a/adapter"),
        ),
        ("vllm:mistralai/Mistral-7B", GeneratorSpec("vllm", "mistralai/Mistral-7B")),
        ("VLLM:m+a", GeneratorSpec("vllm", "m", adapter="a")),
    ],
)
def test_specs_parse(spec: str, expected: GeneratorSpec) -> None:
    assert parse_generator_spec(spec) == expected


@pytest.mark.parametrize(
    "spec", ["claude", "gemini:pro", "anthropic:", "openai:m@localhost:8000", "none", ""]
)
def test_bad_specs_say_what_is_expected(spec: str) -> None:
    with pytest.raises(GeneratorSpecError):
        parse_generator_spec(spec)
