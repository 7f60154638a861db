"""Supervised fine-tuning with TRL's `SFTTrainer` and a peft LoRA adapter.

Every hyper-parameter comes from `Settings` (`lora`, `training`,
`quantization`). On a CUDA machine the base model is loaded in 4 bits (NF4,
QLoRA) when `quantization.load_in_4bit` is set; on a CPU the model trains in
float32 with `use_cpu=True`, since bitsandbytes and bf16 autocast are GPU
features there.

Training data are TRL prompt/completion pairs (`luaurft.data.to_prompt_completion`):
the chat template renders the prompt and prompt+completion, and only the
completion's tokens carry loss. Mistral's template has no generation markers,
so assistant-only masking is impossible with it; the pair format is what makes
the loss completion-only. Chat rows (`messages`) are split into the same pair
format (the last assistant turn is the completion).

The same function trains each RFT round: `init_adapter` continues an existing
adapter instead of starting a fresh one.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luaurft.config import Settings
from luaurft.errors import ConfigError, LuaurftError
from luaurft.rft import distributed
from luaurft.rft.checkpoints import (
    checkpoints_dir,
    last_checkpoint,
    remove_checkpoints,
    save_args,
)

log = logging.getLogger(__name__)

# Written next to the adapter: what trained it, for reports and for resuming.
TRAIN_META_FILENAME = "luaurft_train.json"
ADAPTER_FILES = ("adapter_config.json",)


class TrainingError(LuaurftError):
    """Training data or a model that cannot be trained as asked."""


@dataclass
class TrainResult:
    """What a training run produced."""

    adapter_dir: Path
    base_model: str
    examples: int
    steps: int
    losses: list[float]
    target_modules: list[str]
    skipped_modules: list[str] = field(default_factory=list)
    quantized: bool = False
    precision: str = "fp32"
    init_adapter: str | None = None
    report_to: list[str] = field(default_factory=list)
    rewards: list[float] = field(default_factory=list)
    #: Processes that trained it together (`accelerate launch`), and with which engine.
    processes: int = 1
    engine: str = "single"

    @property
    def first_loss(self) -> float | None:
        return self.losses[0] if self.losses else None

    @property
    def final_loss(self) -> float | None:
        return self.losses[-1] if self.losses else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "adapter_dir": str(self.adapter_dir),
            "base_model": self.base_model,
            "examples": self.examples,
            "steps": self.steps,
            "losses": self.losses,
            "first_loss": self.first_loss,
            "final_loss": self.final_loss,
            "target_modules": self.target_modules,
            "skipped_modules": self.skipped_modules,
            "quantized": self.quantized,
            "precision": self.precision,
            "init_adapter": self.init_adapter,
            "report_to": self.report_to,
            "rewards": self.rewards,
            "processes": self.processes,
            "engine": self.engine,
        }

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> TrainResult:
        return cls(
            adapter_dir=Path(row["adapter_dir"]),
            base_model=str(row["base_model"]),
            examples=int(row["examples"]),
            steps=int(row["steps"]),
            losses=[float(x) for x in row.get("losses", [])],
            target_modules=list(row.get("target_modules", [])),
            skipped_modules=list(row.get("skipped_modules", [])),
            quantized=bool(row.get("quantized", False)),
            precision=str(row.get("precision", "fp32")),
            init_adapter=row.get("init_adapter"),
            report_to=list(row.get("report_to", [])),
            rewards=[float(x) for x in row.get("rewards", [])],
            processes=int(row.get("processes", 1)),
            engine=str(row.get("engine", "single")),
        )


def is_adapter_dir(path: str | Path) -> bool:
    """A folder holding a saved peft adapter."""
    p = Path(path)
    return p.is_dir() and all((p / name).is_file() for name in ADAPTER_FILES)


def import_trainers() -> None:
    """Import transformers' trainer integrations with stdout sent to stderr.

    With WANDB_MODE=offline, transformers prints a notice to stdout when they
    are first imported, which would corrupt a command's JSON output.
    """
    import contextlib
    import sys

    with contextlib.redirect_stdout(sys.stderr):
        import transformers.integrations.integration_utils  # noqa: F401


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:  # pragma: no cover - the train extra is missing
        return False
    return bool(torch.cuda.is_available())


# -- data -------------------------------------------------------------------------


def to_pair(row: Mapping[str, Any]) -> dict[str, Any]:
    """One training row as a conversational prompt/completion pair.

    Accepts pairs (`prompt`, `completion`: message lists or strings) and chat
    rows (`messages` ending with the assistant's answer).
    """
    if "prompt" in row and "completion" in row:
        prompt, completion = row["prompt"], row["completion"]
        if isinstance(prompt, str) != isinstance(completion, str):
            raise TrainingError(
                "a row's prompt and completion must both be text or both be message lists"
            )
        return {"prompt": prompt, "completion": completion}
    messages = row.get("messages")
    if isinstance(messages, list) and messages:
        last = messages[-1]
        if not isinstance(last, Mapping) or last.get("role") != "assistant":
            raise TrainingError("a chat row must end with the assistant's answer")
        return {
            "prompt": [dict(m) for m in messages[:-1]],
            "completion": [dict(last)],
        }
    raise TrainingError(
        f"a training row needs 'prompt' and 'completion' (or 'messages'); got keys {sorted(row)}"
    )


def load_rows(path: str | Path) -> list[dict[str, Any]]:
    """Training rows from a JSONL file (pairs or chat rows)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"training data {p} does not exist; build it with `luaurft data build`")
    rows: list[dict[str, Any]] = []
    with p.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{p}:{number} is not a JSON object: {exc}") from None
    return rows


def is_text_pair(row: Mapping[str, Any]) -> bool:
    """Whether a training row is a plain-text prompt/completion pair (not message lists,
    the form `luaurft data build` writes and RFT selections always have)."""
    return isinstance(to_pair(row)["prompt"], str)


def to_dataset(rows: Iterable[Mapping[str, Any]]) -> Any:
    """A `datasets.Dataset` of prompt/completion pairs (provenance columns dropped)."""
    import datasets

    pairs = [to_pair(r) for r in rows]
    if not pairs:
        raise TrainingError("no training rows; an SFT run needs at least one example")
    text = [is_text_pair(p) for p in pairs]
    if len(set(text)) > 1:
        # One dataset holds one column type.
        first_text, first_chat = text.index(True), text.index(False)
        raise TrainingError(
            f"training rows mix plain-text pairs (row {first_text + 1}) with message-list "
            f"rows (row {first_chat + 1}); write every row as messages (`luaurft data build` "
            "does, and RFT selections always are) or every row as text"
        )
    return datasets.Dataset.from_list(pairs)


# -- model ------------------------------------------------------------------------


def linear_module_names(model: Any) -> set[str]:
    """The last name component of every linear layer (what LoRA `target_modules` match)."""
    import torch

    names: set[str] = set()
    for name, module in model.named_modules():
        # bitsandbytes' 4-bit layers subclass nn.Linear, so quantised models match too.
        if isinstance(module, torch.nn.Linear) and name:
            names.add(name.rsplit(".", 1)[-1])
    return names


def resolve_target_modules(model: Any, wanted: Sequence[str]) -> tuple[list[str], list[str]]:
    """(present, skipped): the configured target modules this model has, and those it lacks.

    A tiny test model or another architecture may lack some of the reference
    system's projections; training the ones that exist (with a warning) beats
    refusing, but training none is an error.
    """
    available = linear_module_names(model)
    present = [m for m in wanted if m in available]
    skipped = [m for m in wanted if m not in available]
    if not present:
        raise ConfigError(
            f"none of lora.target_modules {list(wanted)} is a linear layer of this model; "
            f"it has {sorted(available)}"
        )
    if skipped:
        log.warning(
            "lora.target_modules %s are not layers of this model; training %s only",
            skipped,
            present,
        )
    return present, skipped


def training_precision(settings: Settings, cuda: bool) -> str:
    if not cuda:
        return "fp32"
    import torch

    if settings.training.bf16:
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def _dtype(name: str) -> Any:
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def quantization_config(settings: Settings) -> Any:
    """bitsandbytes 4-bit settings (QLoRA) from `settings.quantization`."""
    import torch
    from transformers import BitsAndBytesConfig

    from luaurft.rft.distributed import sharded_weights

    q = settings.quantization
    extra: dict[str, Any] = {}
    if sharded_weights():
        # FSDP and ZeRO-3 shard parameters of one dtype: store the 4-bit blocks in it.
        extra["bnb_4bit_quant_storage"] = getattr(torch, q.compute_dtype)
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type=q.quant_type,
        bnb_4bit_compute_dtype=getattr(torch, q.compute_dtype),
        bnb_4bit_use_double_quant=q.double_quant,
        **extra,
    )


def wants_quantization(settings: Settings, cuda: bool) -> bool:
    """4-bit loading needs CUDA (bitsandbytes' kernels); elsewhere the model loads unquantised."""
    if not settings.quantization.load_in_4bit:
        return False
    if not cuda:
        log.info("no CUDA device: loading the base model unquantised (QLoRA needs a GPU)")
        return False
    try:
        import bitsandbytes  # noqa: F401
    except ImportError:
        log.warning("bitsandbytes is not installed: loading the base model unquantised")
        return False
    return True


def load_base_model(settings: Settings, base_model: str, *, cuda: bool) -> tuple[Any, bool, str]:
    """(model, quantized, precision) for training."""
    from transformers import AutoModelForCausalLM

    precision = training_precision(settings, cuda)
    quantized = wants_quantization(settings, cuda)
    kwargs: dict[str, Any] = {"dtype": _dtype(precision)}
    if quantized:
        from luaurft.rft.distributed import quantized_device_map

        kwargs["quantization_config"] = quantization_config(settings)
        # Each process of a launch on its own GPU (not all on GPU 0); none under FSDP/ZeRO-3.
        device_map = quantized_device_map()
        if device_map is not None:
            kwargs["device_map"] = device_map
    try:
        model = AutoModelForCausalLM.from_pretrained(base_model, **kwargs)
    except OSError as exc:
        raise ConfigError(
            f"cannot load base model {base_model!r} ({exc}); set model.base_model to a local "
            "checkpoint or a hub id that is downloaded"
        ) from None
    if quantized:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(
            model,
            use_gradient_checkpointing=settings.training.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    return model, quantized, precision


def load_tokenizer(base_model: str, init_adapter: str | Path | None = None) -> Any:
    from transformers import AutoTokenizer

    # An adapter saved by `train_sft` carries the tokenizer it was trained with.
    source = str(init_adapter) if init_adapter and _has_tokenizer(init_adapter) else base_model
    tokenizer = AutoTokenizer.from_pretrained(source)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


@dataclass
class TrainableModel:
    """A base model ready for a trainer: with `init_adapter` loaded trainable onto
    it, or else with the `peft_config` the trainer should wrap it in."""

    model: Any
    tokenizer: Any
    peft_config: Any
    targets: list[str]
    skipped: list[str]
    quantized: bool
    precision: str


def load_trainable_model(
    settings: Settings, base_model: str, init_adapter: str | Path | None, *, cuda: bool
) -> TrainableModel:
    """The base model, its tokenizer and the LoRA adapter to train (fresh or continued)."""
    model, quantized, precision = load_base_model(settings, base_model, cuda=cuda)
    tokenizer = load_tokenizer(base_model, init_adapter)
    peft_config = None
    skipped: list[str] = []
    if init_adapter is not None:
        from peft import PeftModel

        if not is_adapter_dir(init_adapter):
            raise TrainingError(f"{init_adapter} is not a saved adapter (no adapter_config.json)")
        model = PeftModel.from_pretrained(model, str(init_adapter), is_trainable=True)
        loaded = model.peft_config["default"]
        targets = sorted(set(getattr(loaded, "target_modules", None) or []))
    else:
        targets, skipped = resolve_target_modules(model, settings.lora.target_modules)
        peft_config = lora_config(settings, targets)
    return TrainableModel(
        model=model,
        tokenizer=tokenizer,
        peft_config=peft_config,
        targets=list(targets),
        skipped=skipped,
        quantized=quantized,
        precision=precision,
    )


def _has_tokenizer(path: str | Path) -> bool:
    p = Path(path)
    return (p / "tokenizer_config.json").is_file()


# -- reporting ---------------------------------------------------------------------


def _wandb_logged_in() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    netrc = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    try:
        return "api.wandb.ai" in netrc.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def resolve_report_to(report_to: Sequence[str]) -> list[str]:
    """The integrations to report to, made safe to run unattended.

    W&B without a login would stop for an interactive prompt; it logs offline
    instead (`wandb sync` uploads later), and is dropped if not installed.
    """
    wanted = [r for r in report_to if r and r != "none"]
    if "wandb" in wanted:
        try:
            import wandb  # noqa: F401
        except ImportError:
            log.warning("report_to includes wandb but wandb is not installed; not reporting to it")
            wanted.remove("wandb")
        else:
            mode = os.environ.get("WANDB_MODE", "")
            if mode not in ("offline", "disabled", "dryrun") and not _wandb_logged_in():
                log.warning("W&B is not logged in: logging offline (upload with `wandb sync`)")
                os.environ["WANDB_MODE"] = "offline"
            os.environ.setdefault("WANDB_PROJECT", "luaurft")
    return wanted or ["none"]


# -- training -----------------------------------------------------------------------


def lora_config(settings: Settings, target_modules: Sequence[str]) -> Any:
    from peft import LoraConfig

    lora = settings.lora
    return LoraConfig(
        r=lora.r,
        lora_alpha=lora.alpha,
        lora_dropout=lora.dropout,
        target_modules=list(target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )


def trainer_args(
    settings: Settings,
    output_dir: str | Path,
    *,
    cuda: bool,
    precision: str,
    report_to: Sequence[str],
    max_steps: int | None,
    run_name: str | None,
    checkpoint_steps: int | None = None,
) -> dict[str, Any]:
    """The TrainingArguments that SFT and GRPO both take from `settings.training`, with
    a checkpoint every `checkpoint_steps` (see `luaurft.rft.checkpoints`)."""
    t = settings.training
    return {
        "output_dir": str(output_dir),
        "num_train_epochs": float(t.epochs),
        "max_steps": max_steps if max_steps is not None else -1,
        "per_device_train_batch_size": t.per_device_batch_size,
        "gradient_accumulation_steps": t.gradient_accumulation_steps,
        "learning_rate": t.learning_rate,
        "lr_scheduler_type": t.lr_scheduler_type,
        "warmup_steps": t.warmup_ratio,
        "seed": t.seed,
        "bf16": precision == "bf16",
        "fp16": precision == "fp16",
        "use_cpu": not cuda,
        "gradient_checkpointing": t.gradient_checkpointing,
        "gradient_checkpointing_kwargs": {"use_reentrant": False},
        "report_to": list(report_to),
        "run_name": run_name,
        "disable_tqdm": True,
        **save_args(checkpoint_steps),
    }


def sft_config(
    settings: Settings,
    output_dir: str | Path,
    *,
    cuda: bool,
    precision: str,
    report_to: Sequence[str],
    max_steps: int | None = None,
    run_name: str | None = None,
    checkpoint_steps: int | None = None,
    logging_steps: int = 1,
) -> Any:
    """TRL `SFTConfig` from `settings.training` (every value explicit; see module docstring)."""
    from trl import SFTConfig

    return SFTConfig(
        **trainer_args(
            settings,
            output_dir,
            cuda=cuda,
            precision=precision,
            report_to=report_to,
            max_steps=max_steps,
            run_name=run_name,
            checkpoint_steps=checkpoint_steps,
        ),
        # TRL truncates at 1024 tokens unless told otherwise.
        max_length=settings.training.max_length,
        completion_only_loss=True,
        packing=False,
        logging_steps=logging_steps,
        dataloader_pin_memory=cuda,
    )


ProgressFn = Callable[[int, int], None]


def quiet(trainer: Any) -> None:
    """Stop the trainer printing log dicts to stdout (our callback logs them instead)."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)


def reporting_callback(progress: ProgressFn | None) -> Any:
    """Progress and loss to our callers and logger instead of the trainer's stdout prints
    (stdout may carry JSON for programs)."""
    from transformers import TrainerCallback

    class _Report(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            if progress is not None:
                progress(int(state.global_step), int(state.max_steps))

        def on_log(
            self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any
        ) -> None:
            if logs and "loss" in logs:
                log.info("step %d: loss %.4f", state.global_step, float(logs["loss"]))

    return _Report()


@dataclass
class PreparedSFT:
    """A trainer ready to run, and what `train_sft` records about it."""

    trainer: Any
    tokenizer: Any
    output_dir: Path
    base_model: str
    targets: list[str]
    skipped: list[str]
    quantized: bool
    precision: str
    report_to: list[str]
    init_adapter: str | None
    checkpoint_steps: int | None


def prepare_sft(
    settings: Settings,
    rows: Iterable[Mapping[str, Any]] | Any,
    output_dir: str | Path,
    *,
    base_model: str | None = None,
    init_adapter: str | Path | None = None,
    max_steps: int | None = None,
    report_to: Sequence[str] | None = None,
    run_name: str | None = None,
    checkpoint_steps: int | None = None,
    progress: ProgressFn | None = None,
) -> PreparedSFT:
    """Load the model, wrap it with LoRA and build the `SFTTrainer` (see `train_sft`).

    The trainer's `train_dataset` is tokenized already: its `labels` are -100
    on every prompt token, which is how completion-only loss can be checked.
    """
    import datasets

    import_trainers()
    from trl import SFTTrainer

    base = base_model or settings.model.base_model
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    dataset = rows if isinstance(rows, datasets.Dataset) else to_dataset(rows)
    if checkpoint_steps is None:
        checkpoint_steps = settings.training.checkpoint_steps
    cuda = cuda_available()
    reporting = resolve_report_to(
        settings.training.report_to if report_to is None else list(report_to)
    )

    loaded = load_trainable_model(settings, base, init_adapter, cuda=cuda)

    args = sft_config(
        settings,
        checkpoints_dir(out),
        cuda=cuda,
        precision=loaded.precision,
        report_to=reporting,
        max_steps=max_steps,
        run_name=run_name or settings.name,
        checkpoint_steps=checkpoint_steps,
    )
    trainer = SFTTrainer(
        model=loaded.model,
        args=args,
        train_dataset=dataset,
        processing_class=loaded.tokenizer,
        peft_config=loaded.peft_config,
        callbacks=[reporting_callback(progress)],
    )
    quiet(trainer)
    return PreparedSFT(
        trainer=trainer,
        tokenizer=loaded.tokenizer,
        output_dir=out,
        base_model=base,
        targets=loaded.targets,
        skipped=loaded.skipped,
        quantized=loaded.quantized,
        precision=loaded.precision,
        report_to=[r for r in reporting if r != "none"],
        init_adapter=str(init_adapter) if init_adapter is not None else None,
        checkpoint_steps=checkpoint_steps,
    )


def run_prepared(prepared: PreparedSFT) -> TrainResult:
    """Train (from the newest checkpoint where there is one), save the adapter and
    tokenizer, and write `luaurft_train.json`."""
    trainer, out = prepared.trainer, prepared.output_dir
    resume = last_checkpoint(out, prepared.checkpoint_steps)
    trainer.train(resume_from_checkpoint=str(resume) if resume is not None else None)
    # Every process takes part (the engines gather sharded weights); the main one writes.
    trainer.save_model(str(out))
    main = trainer.accelerator.is_main_process
    if main:
        prepared.tokenizer.save_pretrained(str(out))
    if "wandb" in prepared.report_to:
        _finish_wandb()

    losses = [float(e["loss"]) for e in trainer.state.log_history if "loss" in e]
    result = TrainResult(
        adapter_dir=out,
        base_model=prepared.base_model,
        examples=len(trainer.train_dataset),
        steps=int(trainer.state.global_step),
        losses=losses,
        target_modules=prepared.targets,
        skipped_modules=prepared.skipped,
        quantized=prepared.quantized,
        precision=prepared.precision,
        init_adapter=prepared.init_adapter,
        report_to=prepared.report_to,
        processes=trainer.accelerator.num_processes,
        engine=distributed.engine(),
    )
    if main:
        (out / TRAIN_META_FILENAME).write_text(
            json.dumps(result.to_dict(), indent=2) + "\n", encoding="utf-8"
        )
        remove_checkpoints(out)
    trainer.accelerator.wait_for_everyone()
    return result


def train_sft(
    settings: Settings,
    rows: Iterable[Mapping[str, Any]] | Any,
    output_dir: str | Path,
    *,
    base_model: str | None = None,
    init_adapter: str | Path | None = None,
    max_steps: int | None = None,
    report_to: Sequence[str] | None = None,
    run_name: str | None = None,
    checkpoint_steps: int | None = None,
    progress: ProgressFn | None = None,
) -> TrainResult:
    """Train a LoRA adapter on prompt/completion rows and save it to `output_dir`.

    `rows`: dicts (pairs or chat rows) or a `datasets.Dataset` of pairs.
    `base_model`: defaults to `settings.model.base_model`.
    `init_adapter`: continue this adapter (an RFT round) instead of a fresh one.
    `max_steps`: stop after that many optimizer steps (default: the configured epochs).
    `report_to`: overrides `settings.training.report_to` (e.g. `["none"]`).
    `checkpoint_steps`: save a trainer checkpoint every that many steps, and
    resume from the newest one when called again on the same `output_dir`
    (default: `settings.training.checkpoint_steps`; see `luaurft.rft.checkpoints`).
    """
    prepared = prepare_sft(
        settings,
        rows,
        output_dir,
        base_model=base_model,
        init_adapter=init_adapter,
        max_steps=max_steps,
        report_to=report_to,
        run_name=run_name,
        checkpoint_steps=checkpoint_steps,
        progress=progress,
    )
    return run_prepared(prepared)


def _finish_wandb() -> None:
    try:
        import wandb

        if wandb.run is not None:
            wandb.finish()
    except Exception as exc:  # pragma: no cover - reporting must not fail a finished run
        log.warning("could not close the W&B run: %s", exc)


def read_train_result(adapter_dir: str | Path) -> TrainResult | None:
    """The `TrainResult` saved next to an adapter, if any."""
    meta = Path(adapter_dir) / TRAIN_META_FILENAME
    if not meta.is_file():
        return None
    return TrainResult.from_dict(json.loads(meta.read_text(encoding="utf-8")))
