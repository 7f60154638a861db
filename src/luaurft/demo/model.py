"""The demo's model: a tokenizer and a tiny Mistral, both built and trained from nothing.

`build_tokenizer` trains a byte-level BPE on the training split's text. Two
pre-tokenizer rules keep it compositional: digits are one token each, and a
capitalised word piece ("Sky" of "SkyBridge", "Storage" of
"ReplicatedStorage") is never merged with its neighbours. Without them BPE
learns every frequent training name as one token, and a held-out name (a new
combination of known pieces) becomes bytes the model has never had to copy.
The chat template is the tiny Mistral one (`luaurft.llm.tiny`): system prompt
before the first user turn, `[INST] ... [/INST]`, the answer ends with `</s>`.

`pretrain` is full-parameter training of the randomly initialised model on
the rendered training conversations (a plain PyTorch loop: at this size the
Trainer's overhead would be a large share of each step). A model that starts
from random weights must learn Luau, the request format and copying values
from a request into code all at once; LoRA on random weights cannot do that
in a CPU budget, so the base is trained in full and the library's LoRA SFT
path runs on top of it. Copy drills (`luaurft.demo.drills`) share each step
with the batch of tasks: without them the model learns the templates and
guesses the values. It checkpoints every `checkpoint_every` steps and a
rerun continues from the newest checkpoint with the same data order (the
drills of a step are drawn from a seed of that step).
"""

from __future__ import annotations

import json
import math
import random
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from luaurft.demo.drills import copy_drill

ProgressFn = Callable[[int, int], None]
PRETRAIN_META = "luaurft_pretrain.json"
CHECKPOINT = "pretrain-checkpoint.pt"


class ModelSpec(BaseModel):
    """Sizes of the tiny Mistral and its tokenizer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vocab_size: int = Field(2048, ge=300, description="Upper bound; BPE stops when merges run out.")
    hidden_size: int = Field(128, gt=0)
    layers: int = Field(3, gt=0)
    heads: int = Field(8, gt=0)
    kv_heads: int = Field(4, gt=0)
    intermediate_size: int = Field(256, gt=0)
    max_positions: int = Field(1024, gt=0)
    seed: int = 0


class PretrainSpec(BaseModel):
    """The full-parameter training of the base model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: int = Field(1000, ge=1)
    batch_size: int = Field(16, ge=1)
    learning_rate: float = Field(3e-3, gt=0)
    warmup_steps: int = Field(20, ge=0)
    weight_decay: float = Field(0.01, ge=0)
    loss: Literal["completion", "all"] = Field(
        "completion", description="Loss on the answer's tokens only, or on every token."
    )
    drills_per_step: int = Field(
        24, ge=0, description="Copy drills (luaurft.demo.drills) trained next to each batch."
    )
    checkpoint_every: int = Field(100, ge=1)
    seed: int = 0


# -- tokenizer ----------------------------------------------------------------------------


def build_tokenizer(texts: Sequence[str], *, vocab_size: int = 2048) -> Any:
    """A byte-level BPE `PreTrainedTokenizerFast` (digits and capitalised word pieces kept
    apart, see the module docstring) with the tiny Mistral chat template."""
    from luaurft.llm.tiny import build_tiny_tokenizer

    return build_tiny_tokenizer(texts, vocab_size=vocab_size, seed_corpus=False, compositional=True)


def build_model(tokenizer: Any, spec: ModelSpec) -> Any:
    """A randomly initialised `MistralForCausalLM` of `spec`'s sizes (seeded)."""
    import torch
    from transformers import GenerationConfig, MistralConfig, MistralForCausalLM

    config = MistralConfig(
        vocab_size=len(tokenizer),
        hidden_size=spec.hidden_size,
        intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.layers,
        num_attention_heads=spec.heads,
        num_key_value_heads=spec.kv_heads,
        head_dim=spec.hidden_size // spec.heads,
        max_position_embeddings=spec.max_positions,
        sliding_window=None,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(spec.seed)
    model = MistralForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    return model


# -- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One training conversation, tokenized: `prompt_len` tokens of request, then the answer."""

    ids: tuple[int, ...]
    prompt_len: int


def encode_rows(
    tokenizer: Any, rows: Sequence[Mapping[str, Any]], max_length: int
) -> list[Example]:
    """Prompt/completion rows (message lists) rendered with the chat template."""
    out: list[Example] = []
    for row in rows:
        prompt = list(row["prompt"])
        completion = list(row["completion"])
        prompt_text = tokenizer.apply_chat_template(prompt, tokenize=False)
        full_text = tokenizer.apply_chat_template([*prompt, *completion], tokenize=False)
        if not full_text.startswith(prompt_text):
            raise ValueError("the chat template renders the prompt differently inside the chat")
        prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
        full_ids = tokenizer(full_text, add_special_tokens=False)["input_ids"]
        out.append(Example(tuple(full_ids[:max_length]), min(len(prompt_ids), max_length)))
    return out


def batch_order(count: int, batch_size: int, steps: int, seed: int) -> list[list[int]]:
    """The example indices of every step: seeded shuffled epochs, cut into batches.

    Plain shuffling on purpose: grouping by length would group by family (a
    family's solutions have similar lengths), and steps that each see one
    family train far worse than mixed ones.
    """
    rng = random.Random(seed)
    flat: list[int] = []
    while len(flat) < steps * batch_size:
        order = list(range(count))
        rng.shuffle(order)
        flat += order
    return [flat[i * batch_size : (i + 1) * batch_size] for i in range(steps)]


# -- training -----------------------------------------------------------------------------------


@dataclass
class PretrainResult:
    model_dir: Path
    steps: int
    examples: int
    parameters: int
    seconds: float
    losses: list[float] = field(default_factory=list)
    resumed_from: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_dir": str(self.model_dir),
            "steps": self.steps,
            "examples": self.examples,
            "parameters": self.parameters,
            "seconds": round(self.seconds, 2),
            "first_loss": self.losses[0] if self.losses else None,
            "final_loss": self.losses[-1] if self.losses else None,
            "losses": [round(x, 4) for x in self.losses],
            "resumed_from": self.resumed_from,
        }


def _lr(spec: PretrainSpec, step: int) -> float:
    warm = min(1.0, (step + 1) / max(1, spec.warmup_steps)) if spec.warmup_steps else 1.0
    return spec.learning_rate * warm * 0.5 * (1.0 + math.cos(math.pi * step / spec.steps))


def pretrain(
    model_dir: str | Path,
    rows: Sequence[Mapping[str, Any]],
    *,
    model_spec: ModelSpec,
    spec: PretrainSpec,
    work_dir: str | Path,
    max_length: int = 1024,
    progress: ProgressFn | None = None,
) -> PretrainResult:
    """Build the tokenizer and model, train every parameter, save both to `model_dir`.

    `rows`: prompt/completion message rows (the SFT split). `work_dir` holds the
    checkpoint a killed run resumes from; it is removed once the model is saved.
    """
    import torch

    started = time.perf_counter()
    out, work = Path(model_dir), Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    texts = [m["content"] for r in rows for m in (*r["prompt"], *r["completion"])]
    tokenizer = build_tokenizer(texts, vocab_size=model_spec.vocab_size)
    model = build_model(tokenizer, model_spec)
    examples = encode_rows(tokenizer, rows, max_length)
    if not examples:
        raise ValueError("pre-training needs at least one example")
    batches = batch_order(len(examples), spec.batch_size, spec.steps, spec.seed)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": spec.weight_decay},
         {"params": no_decay, "weight_decay": 0.0}],
        lr=spec.learning_rate, betas=(0.9, 0.95),
    )  # fmt: skip
    losses: list[float] = []
    first = 0
    checkpoint = work / CHECKPOINT
    if checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        first, losses = int(state["step"]), list(state["losses"])
    pad = int(tokenizer.pad_token_id)

    def batch_loss(batch: Sequence[Example]) -> Any:
        width = max(len(e.ids) for e in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        for row, example in enumerate(batch):
            n = len(example.ids)
            ids[row, :n] = torch.tensor(example.ids)
            mask[row, :n] = 1
            start = example.prompt_len if spec.loss == "completion" else 0
            labels[row, start:n] = ids[row, start:n]
        return model(input_ids=ids, attention_mask=mask, labels=labels).loss

    model.train()
    for step in range(first, spec.steps):
        for group in optimizer.param_groups:
            group["lr"] = _lr(spec, step)
        loss = batch_loss([examples[i] for i in batches[step]])
        if spec.drills_per_step:
            rng = random.Random(spec.seed * 1_000_003 + step)
            drills = [copy_drill(rng) for _ in range(spec.drills_per_step)]
            loss = loss + batch_loss(encode_rows(tokenizer, drills, max_length))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss.item()))
        done = step + 1
        if done % spec.checkpoint_every == 0 and done < spec.steps:
            tmp = checkpoint.with_suffix(".tmp")
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "step": done, "losses": losses}, tmp)  # fmt: skip
            tmp.replace(checkpoint)
        if progress is not None:
            progress(done, spec.steps)
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    result = PretrainResult(
        model_dir=out,
        steps=spec.steps,
        examples=len(examples),
        parameters=sum(p.numel() for p in model.parameters()),
        seconds=time.perf_counter() - started,
        losses=losses,
        resumed_from=first,
    )
    (out / PRETRAIN_META).write_text(json.dumps(result.to_dict(), indent=2) + "\n", "utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return result


def is_model_dir(path: str | Path) -> bool:
    p = Path(path)
    return (p / "config.json").is_file() and (p / "tokenizer_config.json").is_file()


__all__ = [
    "ModelSpec",
    "PretrainResult",
    "PretrainSpec",
    "batch_order",
    "build_model",
    "build_tokenizer",
    "encode_rows",
    "is_model_dir",
    "pretrain",
]
