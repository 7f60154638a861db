"""Offline sampling with vLLM (`LLM.chat` + `SamplingParams` + `LoRARequest`).

vLLM is an optional extra (`luaurft[vllm]`, CUDA machines); it is imported
only when this backend is built. `max_tokens` is always set, because vLLM's
own default is 16 tokens - far too few for a script.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from luaurft.llm.completion import Completion
from luaurft.llm.errors import BackendUnavailableError
from luaurft.llm.types import Message, SamplingParams, normalise_conversation
from luaurft.llm.usage import Usage


def _import_vllm() -> tuple[Any, Any, Any]:
    try:
        import vllm
        from vllm.lora.request import LoRARequest
    except ImportError as exc:
        raise BackendUnavailableError(
            "the vllm backend needs vLLM, which runs on CUDA GPUs: "
            "pip install 'luaurft[vllm]' there, or use the transformers backend on CPU"
        ) from exc
    return vllm.LLM, vllm.SamplingParams, LoRARequest


class VLLMGenerator:
    """One vLLM engine for one base model; an adapter path turns on LoRA and is
    applied to every request (vLLM can serve several; one is enough here).

    `engine_options` go to `vllm.LLM` as is (gpu_memory_utilization,
    max_model_len, tensor_parallel_size, ...).
    """

    def __init__(
        self,
        model: str | Path,
        *,
        adapter: str | Path | None = None,
        max_lora_rank: int = 64,
        seed: int = 0,
        **engine_options: Any,
    ) -> None:
        llm_cls, self._sampling_cls, lora_cls = _import_vllm()
        options: dict[str, Any] = {"model": str(model), "seed": seed, **engine_options}
        if adapter is not None:
            options.setdefault("enable_lora", True)
            options.setdefault("max_lora_rank", max_lora_rank)
        self.llm = llm_cls(**options)
        self.lora_request = (
            lora_cls(Path(str(adapter)).name or "adapter", 1, str(adapter))
            if adapter is not None
            else None
        )
        self.usage = Usage()
        self.name = f"vllm:{model}" + (f"+{adapter}" if adapter else "")

    def sampling_params(self, sampling: SamplingParams, n: int) -> Any:
        """The vLLM `SamplingParams` for our settings (max_tokens always given)."""
        kwargs: dict[str, Any] = {
            "n": n,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            "max_tokens": sampling.max_new_tokens,
        }
        if sampling.seed is not None:
            kwargs["seed"] = sampling.seed
        if sampling.stop:
            kwargs["stop"] = list(sampling.stop)
        return self._sampling_cls(**kwargs)

    def generate(
        self,
        conversations: Sequence[Sequence[Message] | str],
        n: int | None = None,
        sampling: SamplingParams | None = None,
    ) -> list[list[Completion]]:
        sampling = sampling or SamplingParams()
        count = n if n is not None else sampling.n
        messages = [normalise_conversation(c) for c in conversations]
        outputs = self.llm.chat(
            messages,
            sampling_params=self.sampling_params(sampling, count),
            lora_request=self.lora_request,
            use_tqdm=False,
        )
        results: list[list[Completion]] = []
        for request_output in outputs:
            prompt_tokens = len(getattr(request_output, "prompt_token_ids", None) or [])
            row: list[Completion] = []
            for sample in request_output.outputs:
                produced = len(getattr(sample, "token_ids", None) or [])
                self.usage.record(prompt_tokens=prompt_tokens, completion_tokens=produced)
                row.append(
                    Completion(
                        text=sample.text,
                        finish_reason=str(sample.finish_reason or "stop"),
                        prompt_tokens=prompt_tokens,
                        completion_tokens=produced,
                        model=self.name,
                    )
                )
            results.append(row)
        return results
