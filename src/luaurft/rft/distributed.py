"""Training under `accelerate launch`: which process this is, where its model goes.

`luaurft sft|rft|grpo` run unchanged as `accelerate launch --config_file
configs/accelerate/<ddp|deepspeed_zero2|deepspeed_zero3|fsdp>.yaml luaurft ...`:
accelerate starts one process per GPU and tells each, through the environment,
its rank and the engine; the Hugging Face trainer reads the same environment.
What luaurft itself decides from it:

- where QLoRA's 4-bit model is loaded: on this process's own GPU
  (`{"": LOCAL_RANK}`) under DDP and ZeRO-2; with no `device_map` and the
  4-bit blocks stored in the compute dtype under ZeRO-3 and FSDP, which shard
  the weights themselves;
- who writes: only the main process (global rank 0) writes the adapter's
  tokenizer and metadata, the run store and the reports; every process takes
  part in saving the adapter (the engines gather sharded weights).

Read from the environment only, so it costs nothing (and imports nothing) in
a single-process run.
"""

from __future__ import annotations

import os


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def world_size() -> int:
    """Processes in this launch (1 outside `accelerate launch`/`torchrun`)."""
    return max(1, _env_int("WORLD_SIZE", 1))


def rank() -> int:
    """This process's global rank (0 outside a launch)."""
    return _env_int("RANK", 0)


def local_rank() -> int:
    """This process's rank on its machine: the GPU it owns."""
    return _env_int("LOCAL_RANK", 0)


def is_main_process() -> bool:
    return rank() == 0


def _true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def sharded_weights() -> bool:
    """Whether the engine shards the weights (FSDP, DeepSpeed ZeRO-3): then no device_map."""
    return _true("ACCELERATE_USE_FSDP") or (
        _true("ACCELERATE_USE_DEEPSPEED")
        and os.environ.get("ACCELERATE_DEEPSPEED_ZERO_STAGE", "").strip() == "3"
    )


def engine() -> str:
    """`fsdp`, `deepspeed-zeroN`, `ddp` or `single` (for logs and the training metadata)."""
    if _true("ACCELERATE_USE_FSDP"):
        return "fsdp"
    if _true("ACCELERATE_USE_DEEPSPEED"):
        return f"deepspeed-zero{os.environ.get('ACCELERATE_DEEPSPEED_ZERO_STAGE', '?')}"
    return "ddp" if world_size() > 1 else "single"


def quantized_device_map() -> dict[str, int] | None:
    """Where `from_pretrained` puts a 4-bit model: this process's GPU, or nowhere (the
    sharding engine places it)."""
    return None if sharded_weights() else {"": local_rank()}


__all__ = [
    "engine",
    "is_main_process",
    "local_rank",
    "quantized_device_map",
    "rank",
    "sharded_weights",
    "world_size",
]
