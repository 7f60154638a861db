"""Serving trained adapters with vLLM's OpenAI-compatible server, and merging an adapter
into its base model for serving without LoRA.

`vllm_serve_command` builds the command line (`vllm serve BASE --enable-lora
--lora-modules sft=PATH rft=PATH --max-lora-rank 64 ...`); each adapter is
then a model name the server answers to, so `openai:rft@http://HOST:PORT/v1`
samples the RFT adapter. `adapters_of_run` finds a run's SFT and newest
adapters in its `RunStore`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from luaurft.errors import ConfigError

log = logging.getLogger(__name__)

# The ranks vLLM accepts for --max-lora-rank.
VLLM_LORA_RANKS = (1, 8, 16, 32, 64, 128, 256, 320, 512)
DEFAULT_MAX_LORA_RANK = 64
_ADAPTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
EXPORT_META_FILENAME = "luaurft_export.json"


def adapter_config(path: str | Path) -> dict[str, Any]:
    config = Path(path) / "adapter_config.json"
    if not config.is_file():
        raise ConfigError(f"{path} is not a LoRA adapter folder (no adapter_config.json)")
    return dict(json.loads(config.read_text(encoding="utf-8")))


def max_lora_rank(adapters: Mapping[str, str | Path], at_least: int = DEFAULT_MAX_LORA_RANK) -> int:
    """The smallest rank vLLM accepts that covers every adapter's `r` (and `at_least`)."""
    needed = max([at_least, *(int(adapter_config(p).get("r", 0)) for p in adapters.values())])
    for rank in VLLM_LORA_RANKS:
        if rank >= needed:
            return rank
    raise ConfigError(f"LoRA rank {needed} is above what vLLM serves ({VLLM_LORA_RANKS[-1]})")


def parse_adapters(specs: Sequence[str]) -> dict[str, Path]:
    """`NAME=PATH` pairs as given on the command line."""
    adapters: dict[str, Path] = {}
    for spec in specs:
        name, sep, path = spec.partition("=")
        if not sep or not name or not path:
            raise ConfigError(
                f"adapter {spec!r} must be NAME=PATH, e.g. rft=runs/x/adapters/round-1"
            )
        if name in adapters:
            raise ConfigError(f"adapter name {name!r} is given twice")
        adapters[name] = Path(path)
    return adapters


def vllm_serve_command(
    base_model: str,
    adapters: Mapping[str, str | Path] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    rank: int | None = None,
    max_model_len: int | None = None,
    served_name: str | None = None,
    extra_args: Sequence[str] = (),
    executable: str = "vllm",
) -> list[str]:
    """The argv of `vllm serve` for `base_model` with named LoRA adapters.

    Every adapter must be a saved peft adapter; its name is what clients ask
    for as the model. `rank`: --max-lora-rank (default: 64, or more if an
    adapter's r is larger).
    """
    named = dict(adapters or {})
    for name, path in named.items():
        if not _ADAPTER_NAME.match(name):
            raise ConfigError(f"adapter name {name!r}: use letters, digits, '.', '_' or '-'")
        config = adapter_config(path)
        trained_on = config.get("base_model_name_or_path")
        if trained_on and trained_on != base_model:
            log.warning("adapter %s was trained on %s, not %s", name, trained_on, base_model)
    argv = [executable, "serve", base_model, "--host", host, "--port", str(port)]
    if served_name:
        argv += ["--served-model-name", served_name]
    if max_model_len:
        argv += ["--max-model-len", str(max_model_len)]
    if named:
        argv += ["--enable-lora", "--lora-modules"]
        argv += [f"{name}={Path(path).resolve()}" for name, path in named.items()]
        argv += ["--max-lora-rank", str(rank or max_lora_rank(named))]
        argv += ["--max-loras", str(len(named))]
    return argv + list(extra_args)


def adapters_of_run(run_dir: str | Path) -> dict[str, Path]:
    """A run's adapters for serving: `sft` (round 0) and `rft` (the newest round's)."""
    from luaurft.rft.loop import ADAPTER, SFT_ROUND
    from luaurft.rft.sft import is_adapter_dir
    from luaurft.runs.store import STORE_FILENAME, RunStore

    path = Path(run_dir) / STORE_FILENAME
    if not path.is_file():
        raise ConfigError(f"{run_dir} holds no run (no {STORE_FILENAME})")
    with RunStore(path, kind="rft") as store:
        rows = [a for a in store.artifacts(kind="adapter") if a.name == ADAPTER]
    rows = [a for a in rows if is_adapter_dir(a.path)]
    found: dict[str, Path] = {}
    sft = [a for a in rows if a.round == SFT_ROUND]
    if sft:
        found["sft"] = Path(sft[0].path)
    later = sorted((a for a in rows if (a.round or 0) > SFT_ROUND), key=lambda a: a.round or 0)
    if later and Path(later[-1].path) != found.get("sft"):
        found["rft"] = Path(later[-1].path)
    if not found:
        raise ConfigError(f"the run in {run_dir} has no trained adapter yet")
    return found


def base_model_of_run(run_dir: str | Path) -> str:
    """The base model a run's adapters were trained on, as its store records it: the
    newest adapter's `base_model`, else the run's `model.base_model` setting, else
    the adapter's own `adapter_config.json`."""
    from luaurft.rft.loop import ADAPTER
    from luaurft.runs.store import STORE_FILENAME, RunStore

    path = Path(run_dir) / STORE_FILENAME
    if not path.is_file():
        raise ConfigError(f"{run_dir} holds no run (no {STORE_FILENAME})")
    with RunStore(path, kind="rft") as store:
        rows = [a for a in store.artifacts(kind="adapter") if a.name == ADAPTER]
        config = store.config
    rows.sort(key=lambda a: a.round or 0, reverse=True)
    for row in rows:
        base = row.meta.get("base_model") if isinstance(row.meta, dict) else None
        if isinstance(base, str) and base:
            return base
    model = config.get("model") if isinstance(config, dict) else None
    base = model.get("base_model") if isinstance(model, dict) else None
    if isinstance(base, str) and base:
        return base
    for row in rows:
        try:
            named = adapter_config(row.path).get("base_model_name_or_path")
        except ConfigError:
            continue
        if isinstance(named, str) and named:
            return named
    raise ConfigError(
        f"the run in {run_dir} does not record its base model; give it: luaurft serve BASE"
    )


def serve(argv: Sequence[str], *, dry_run: bool = False) -> str:
    """Print (dry run) or replace this process with the server; returns the shell line."""
    line = shlex.join(argv)
    if dry_run:
        return line
    if shutil.which(argv[0]) is None:
        raise ConfigError(
            f"{argv[0]!r} is not on PATH: install vLLM (pip install vllm) on a CUDA machine, or "
            "use --dry-run to print the command"
        )
    sys.stdout.flush()
    # exec, not a child: signals (Ctrl-C, a supervisor's stop) reach the server itself.
    os.execvp(argv[0], list(argv))
    return line  # pragma: no cover - execvp does not return


def merge_adapter(
    adapter_dir: str | Path,
    out_dir: str | Path,
    *,
    base_model: str | None = None,
    dtype: str | None = None,
) -> Path:
    """Merge a LoRA adapter into its base model and save a plain checkpoint.

    The base loads unquantised (merging into 4-bit weights would lose the
    adapter's precision); `dtype` (e.g. "bfloat16") defaults to the base's own.
    The tokenizer saved with the adapter is used when there is one.
    """
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = Path(adapter_dir)
    config = adapter_config(adapter)
    base = base_model or config.get("base_model_name_or_path")
    if not base:
        raise ConfigError(f"{adapter} does not name its base model; pass --base")
    out = Path(out_dir)
    if out.resolve() == adapter.resolve():
        raise ConfigError("export to another folder than the adapter's")
    torch_dtype = getattr(torch, dtype) if dtype else "auto"
    try:
        model = AutoModelForCausalLM.from_pretrained(base, dtype=torch_dtype)
    except OSError as exc:
        raise ConfigError(f"cannot load base model {base!r}: {exc}") from None
    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tokenizer_source = adapter if (adapter / "tokenizer_config.json").is_file() else Path(base)
    AutoTokenizer.from_pretrained(str(tokenizer_source)).save_pretrained(out)
    (out / EXPORT_META_FILENAME).write_text(
        json.dumps(
            {"base_model": str(base), "adapter": str(adapter.resolve()), "dtype": dtype or "auto",
             "lora_r": config.get("r"), "target_modules": config.get("target_modules")},
            indent=2,
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    return out
