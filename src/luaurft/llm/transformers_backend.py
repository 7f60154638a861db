"""Local sampling with Hugging Face transformers (+ an optional peft adapter).

Works on CPU (the tests and the demo) and on a GPU. Conversations go through
the tokenizer's chat template, are left-padded into batches, and each batch
draws all `n` samples per prompt in one `generate` call. A seed makes the run
reproducible: the same seed, prompts and batch size give the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from luaurft.llm.completion import Completion
from luaurft.llm.errors import BackendUnavailableError, ModelNotFoundError
from luaurft.llm.types import Message, SamplingParams, normalise_conversation
from luaurft.llm.usage import Usage


class TransformersGenerator:
    """Samples a local checkpoint (directory or hub id already in the local cache).

    `model` may also be an already loaded model, with `tokenizer`; that is how
    a trainer samples the model it is training without a reload.
    `batch_size` is the number of prompts per `generate` call (each with its
    `n` samples).
    """

    def __init__(
        self,
        model: str | Path | Any,
        *,
        adapter: str | Path | None = None,
        tokenizer: Any = None,
        device: str | None = None,
        dtype: str | None = None,
        batch_size: int = 8,
    ) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - the train extra is missing
            raise BackendUnavailableError(
                "the transformers backend needs the train extra: pip install 'luaurft[train]'"
            ) from exc
        self.batch_size = max(1, batch_size)
        self.usage = Usage()
        if isinstance(model, str | Path):
            path = str(model)
            self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
            torch_dtype = getattr(torch, dtype) if dtype else None
            try:
                loaded = AutoModelForCausalLM.from_pretrained(path, dtype=torch_dtype)
                self.tokenizer = tokenizer or AutoTokenizer.from_pretrained(path)
            except OSError as exc:
                raise ModelNotFoundError(
                    f"cannot load a model from {path!r} ({exc}); give a local checkpoint "
                    "directory (or a hub id already in the local cache)"
                ) from exc
            self.model_name = path
            self.model = loaded.to(self.device)  # type: ignore[arg-type]
        else:
            if tokenizer is None:
                raise ValueError("a loaded model needs its tokenizer")
            self.model = model
            self.tokenizer = tokenizer
            self.device = str(next(model.parameters()).device)
            self.model_name = (
                getattr(getattr(model, "config", None), "_name_or_path", "") or "model"
            )
        if adapter is not None:
            from peft import PeftModel

            self.model = PeftModel.from_pretrained(self.model, str(adapter)).to(self.device)
        self.model.eval()
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.name = f"transformers:{self.model_name}" + (f"+{adapter}" if adapter else "")

    def _prompt_ids(self, conversation: list[Message]) -> list[int]:
        if getattr(self.tokenizer, "chat_template", None):
            rendered = self.tokenizer.apply_chat_template(
                conversation, tokenize=False, add_generation_prompt=True
            )
        else:
            # A base model without a template: the turns as plain text.
            rendered = "\n\n".join(m["content"] for m in conversation) + "\n"
        # The template already carries BOS; encoding must not add a second one.
        return list(self.tokenizer(rendered, add_special_tokens=False)["input_ids"])

    def generate(
        self,
        conversations: Sequence[Sequence[Message] | str],
        n: int | None = None,
        sampling: SamplingParams | None = None,
    ) -> list[list[Completion]]:
        import torch
        from transformers import set_seed

        sampling = sampling or SamplingParams()
        count = n if n is not None else sampling.n
        prompts = [self._prompt_ids(normalise_conversation(c)) for c in conversations]
        results: list[list[Completion]] = []
        pad_id = int(self.tokenizer.pad_token_id)
        eos_ids = self._eos_ids()
        for start in range(0, len(prompts), self.batch_size):
            batch = prompts[start : start + self.batch_size]
            width = max(len(p) for p in batch)
            # Left padding: every prompt ends where generation starts.
            input_ids = torch.tensor([[pad_id] * (width - len(p)) + p for p in batch])
            attention = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in batch])
            greedy = sampling.temperature == 0
            # Greedy decoding gives one answer per prompt; its n copies are that answer.
            per_prompt = 1 if greedy else count
            kwargs: dict[str, Any] = {
                "max_new_tokens": sampling.max_new_tokens,
                "num_return_sequences": per_prompt,
                "pad_token_id": pad_id,
                "eos_token_id": eos_ids,
            }
            if greedy:
                kwargs.update(do_sample=False)
            else:
                kwargs.update(
                    do_sample=True, temperature=sampling.temperature, top_p=sampling.top_p
                )
            if sampling.seed is not None:
                # Per batch, so a batch's samples do not depend on earlier batches.
                set_seed(sampling.seed + start)
            with torch.no_grad():
                output = self.model.generate(
                    input_ids=input_ids.to(self.device),
                    attention_mask=attention.to(self.device),
                    **kwargs,
                )
            generated = output[:, width:].tolist()
            for k, prompt in enumerate(batch):
                row = [
                    self._completion(
                        generated[k * per_prompt + (0 if greedy else j)],
                        len(prompt),
                        sampling,
                        eos_ids,
                    )
                    for j in range(count)
                ]
                results.append(row)
        return results

    def _eos_ids(self) -> list[int]:
        ids = getattr(self.model.generation_config, "eos_token_id", None)
        found = ids if isinstance(ids, list) else ([ids] if ids is not None else [])
        if self.tokenizer.eos_token_id is not None and self.tokenizer.eos_token_id not in found:
            found.append(self.tokenizer.eos_token_id)
        return [int(i) for i in found]

    def _completion(
        self, tokens: list[int], prompt_len: int, sampling: SamplingParams, eos_ids: list[int]
    ) -> Completion:
        pad_id = self.tokenizer.pad_token_id
        finish = "length"
        kept: list[int] = []
        produced = 0
        for token in tokens:
            if token in eos_ids:
                finish = "stop"
                produced += 1
                break
            if token == pad_id:
                continue
            kept.append(token)
            produced += 1
        text = str(self.tokenizer.decode(kept, skip_special_tokens=True))
        for stop in sampling.stop:
            cut = text.find(stop)
            if cut >= 0:
                text, finish = text[:cut], "stop"
        self.usage.record(prompt_tokens=prompt_len, completion_tokens=produced)
        return Completion(
            text=text,
            finish_reason=finish,
            prompt_tokens=prompt_len,
            completion_tokens=produced,
            model=self.name,
        )
