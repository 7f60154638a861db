"""The vLLM backend's wiring, against a stand-in `vllm` module (no engine starts)."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from luaurft.llm import BackendUnavailableError, SamplingParams, make_generator
from luaurft.llm.vllm_backend import VLLMGenerator


@dataclass
class FakeSampleOutput:
    text: str
    token_ids: list[int]
    finish_reason: str


@dataclass
class FakeRequestOutput:
    prompt_token_ids: list[int]
    outputs: list[FakeSampleOutput] = field(default_factory=list)


class FakeSamplingParams:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs


class FakeLoRARequest:
    def __init__(self, name: str, int_id: int, path: str) -> None:
        self.name, self.int_id, self.path = name, int_id, path


class FakeLLM:
    instances: ClassVar[list[FakeLLM]] = []

    def __init__(self, **kwargs: Any) -> None:
        self.init_kwargs = kwargs
        self.calls: list[dict[str, Any]] = []
        FakeLLM.instances.append(self)

    def chat(self, messages: list[list[dict[str, str]]], **kwargs: Any) -> list[FakeRequestOutput]:
        self.calls.append({"messages": messages, **kwargs})
        n = kwargs["sampling_params"].kwargs["n"]
        return [
            FakeRequestOutput(
                prompt_token_ids=list(range(len(conv[-1]["content"]))),
                outputs=[
                    FakeSampleOutput(f"print({i}, {j})", [7] * (j + 1), "length" if j else "stop")
                    for j in range(n)
                ],
            )
            for i, conv in enumerate(messages)
        ]


@pytest.fixture
def fake_vllm(monkeypatch: pytest.MonkeyPatch) -> type[FakeLLM]:
    FakeLLM.instances = []
    vllm = types.ModuleType("vllm")
    vllm.LLM = FakeLLM  # type: ignore[attr-defined]
    vllm.SamplingParams = FakeSamplingParams  # type: ignore[attr-defined]
    lora = types.ModuleType("vllm.lora")
    request = types.ModuleType("vllm.lora.request")
    request.LoRARequest = FakeLoRARequest  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vllm", vllm)
    monkeypatch.setitem(sys.modules, "vllm.lora", lora)
    monkeypatch.setitem(sys.modules, "vllm.lora.request", request)
    return FakeLLM


def test_generate_wires_sampling_params_and_lora(fake_vllm: type[FakeLLM]) -> None:
    gen = make_generator("vllm:/models/base+/runs/r1/adapter", gpu_memory_utilization=0.5)
    assert isinstance(gen, VLLMGenerator)
    engine = fake_vllm.instances[0]
    assert engine.init_kwargs == {
        "model": "/models/base",
        "seed": 0,
        "gpu_memory_utilization": 0.5,
        "enable_lora": True,
        "max_lora_rank": 64,
    }
    sampling = SamplingParams(
        temperature=0.8, top_p=0.95, max_new_tokens=900, seed=3, stop=["</s>"]
    )
    rows = gen.generate(["one", [{"role": "user", "content": "two!"}]], n=3, sampling=sampling)
    call = engine.calls[0]
    assert call["sampling_params"].kwargs == {
        "n": 3,
        "temperature": 0.8,
        "top_p": 0.95,
        "max_tokens": 900,
        "seed": 3,
        "stop": ["</s>"],
    }
    assert call["lora_request"].path == "/runs/r1/adapter"
    assert call["lora_request"].name == "adapter" and call["lora_request"].int_id == 1
    assert call["messages"][0] == [{"role": "user", "content": "one"}]
    assert [len(r) for r in rows] == [3, 3]
    assert rows[1][2].text == "print(1, 2)" and rows[1][2].finish_reason == "length"
    assert rows[1][0].prompt_tokens == 4 and rows[1][2].completion_tokens == 3
    assert gen.usage.snapshot().requests == 6


def test_max_tokens_is_always_set_even_with_default_sampling(fake_vllm: type[FakeLLM]) -> None:
    gen = VLLMGenerator("base")
    gen.generate(["x"])
    engine = fake_vllm.instances[0]
    assert "enable_lora" not in engine.init_kwargs
    assert engine.calls[0]["lora_request"] is None
    assert (
        engine.calls[0]["sampling_params"].kwargs["max_tokens"] == SamplingParams().max_new_tokens
    )


def test_missing_vllm_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)
    with pytest.raises(BackendUnavailableError, match=r"luaurft\[vllm\]"):
        make_generator("vllm:base")
