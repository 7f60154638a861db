"""Typed settings for every stage, with documented defaults.

The defaults are the reference system's settings (see DESIGN.md); a preset in
`configs/*.toml` overrides any subset of them. `load_config(path)` reads a
preset, `Settings()` is the embedded reference configuration.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from luaurft.errors import ConfigError

REFERENCE_SYSTEM_PROMPT = (
    "You are an expert Roblox Luau programmer. Generate complete, production-ready Luau "
    "scripts. Output only code, no markdown."
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSettings(_Section):
    """The base model and how prompts are framed."""

    base_model: str = Field(
        "mistralai/Mistral-7B-Instruct-v0.3", description="Hub id or local path of the base model."
    )
    system_prompt: str = Field(REFERENCE_SYSTEM_PROMPT, description="System prompt of every task.")


class QuantizationSettings(_Section):
    """4-bit loading for QLoRA; used only where CUDA is present."""

    load_in_4bit: bool = True
    quant_type: Literal["nf4", "fp4"] = "nf4"
    compute_dtype: Literal["bfloat16", "float16", "float32"] = "bfloat16"
    double_quant: bool = Field(True, description="Quantise the quantisation constants too.")


class LoraSettings(_Section):
    """The LoRA adapter."""

    r: int = Field(64, gt=0)
    alpha: int = Field(128, gt=0)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: list[str] = Field(
        default_factory=lambda: [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ]
    )


class TrainingSettings(_Section):
    """Supervised fine-tuning; also each RFT round's training run, and GRPO's."""

    epochs: float = Field(2, gt=0)
    per_device_batch_size: int = Field(1, gt=0)
    gradient_accumulation_steps: int = Field(8, gt=0)
    learning_rate: float = Field(1.5e-4, gt=0)
    max_length: int = Field(8192, gt=0, description="Set explicitly: TRL's default is 1024.")
    bf16: bool = True
    gradient_checkpointing: bool = True
    lr_scheduler_type: str = "cosine"
    warmup_ratio: float = Field(0.03, ge=0.0, lt=1.0)
    seed: int = 42
    report_to: list[str] = Field(default_factory=lambda: ["wandb"])
    checkpoint_steps: int | None = Field(
        None,
        gt=0,
        description="Save a trainer checkpoint every N optimizer steps (SFT, each RFT round's "
        "training, GRPO); a run called again on the same output folder resumes from the "
        "newest one, and the checkpoints are removed once the adapter is saved. None: no "
        "checkpoints (a killed training run starts over).",
    )


class SamplingSettings(_Section):
    """How candidates are sampled."""

    n: int = Field(4, gt=0, description="Candidates per task.")
    temperature: float = Field(0.8, ge=0.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    max_new_tokens: int = Field(2048, gt=0)
    seed: int | None = 0


class RewardSettings(_Section):
    """Weights of the hybrid reward's components; they need not sum to 1 (they are normalised).

    Components: syntax, api, bug, quality, exec (the code run in the mock world),
    checks (the share of the task's own checks passed; only tasks that have checks)
    and judge. The default is the reference blend.
    """

    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "syntax": 0.1,
            "api": 0.1,
            "bug": 0.1,
            "quality": 0.1,
            "judge": 0.6,
        }
    )
    judge: str = Field(
        "none",
        description="Judge spec: 'anthropic:MODEL', 'openai:MODEL@BASE_URL' or 'none'.",
    )
    require_checks: bool = Field(
        False,
        description="Bar from selection any candidate that fails one of its task's checks "
        "(tasks without checks are never barred).",
    )

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        if any(w < 0 for w in value.values()) or not any(w > 0 for w in value.values()):
            raise ValueError("reward weights must be >= 0 with at least one > 0")
        return value


class RFTSettings(_Section):
    """Best-of-N rejection sampling fine-tuning."""

    tasks_per_round: int = Field(50, gt=0)
    keep_threshold: float = Field(0.70, ge=0.0, le=1.0)
    rounds: int = Field(1, gt=0)
    mix_ratio: float = Field(
        1.0,
        ge=0.0,
        description="Share of the SFT data in each round's training mix, next to the selected "
        "candidates (1.0 = all SFT data plus the selections, as the reference system; 0.5 a "
        "seeded half; 2.0 all of it twice; 0 the selections alone).",
    )
    retrain_from_base: bool = Field(
        False, description="ReST-EM style: each round trains from the base model."
    )
    selection_repeats: int = Field(
        1,
        ge=1,
        description="How many times each selected candidate appears in a round's training mix: "
        "more weight for the model's own verified answers next to the SFT data, at the same "
        "number of training steps.",
    )
    skip_solved: bool = Field(
        False,
        description="Curriculum: a task whose every candidate clears the keep threshold is not "
        "kept (selection reason 'solved'); the model already answers it every time, so it "
        "teaches nothing new.",
    )
    cumulative_selections: bool = Field(
        False,
        description="Each round trains on the selections of every round so far (the newest "
        "one for a task that several rounds kept), not only its own.",
    )
    unsolved_samples: int = Field(
        0,
        ge=0,
        description="Adaptive sampling: a task none of whose first `sampling.n` candidates can "
        "be kept (each barred or below the keep threshold) is sampled again, before "
        "selection, until it has this many candidates in all; the budget goes to the tasks "
        "the model rarely solves. 0 (or at most `sampling.n`) turns it off.",
    )
    unsolved_temperature: float | None = Field(
        None,
        gt=0.0,
        description="Temperature of those extra samples (default: `sampling.temperature`).",
    )
    dedup_jaccard: float = Field(0.7, gt=0.0, le=1.0)


class AgentSettings(_Section):
    """The self-correcting assistant."""

    rewrite_threshold: float = Field(0.85, ge=0.0, le=1.0)
    max_rounds: int = Field(3, ge=0)


class VLLMSettings(_Section):
    """vLLM's own parallelism, for sampling (RFT, eval, `luaurft serve`) and GRPO."""

    tensor_parallel_size: int = Field(
        1, gt=0, description="GPUs one model copy is split across (vLLM tensor parallelism)."
    )
    data_parallel_size: int = Field(
        1, gt=0, description="Model copies that sample side by side (vLLM data parallelism)."
    )
    gpu_memory_utilization: float = Field(
        0.9, gt=0.0, le=1.0, description="Share of each GPU's memory vLLM may take."
    )
    grpo_mode: Literal["colocate", "server"] = Field(
        "colocate",
        description="GRPO sampling: colocate (vLLM inside the training processes) or server "
        "(a separate `trl vllm-serve` on other GPUs, at server_host:server_port).",
    )
    server_host: str = "127.0.0.1"
    server_port: int = Field(8000, gt=0, lt=65536)

    def engine_options(self) -> dict[str, Any]:
        """What `vllm.LLM` takes from these settings (only the non-default sizes)."""
        options: dict[str, Any] = {"gpu_memory_utilization": self.gpu_memory_utilization}
        if self.tensor_parallel_size > 1:
            options["tensor_parallel_size"] = self.tensor_parallel_size
        if self.data_parallel_size > 1:
            options["data_parallel_size"] = self.data_parallel_size
        return options

    def serve_args(self) -> list[str]:
        """The `vllm serve` arguments for these sizes."""
        args: list[str] = []
        if self.tensor_parallel_size > 1:
            args += ["--tensor-parallel-size", str(self.tensor_parallel_size)]
        if self.data_parallel_size > 1:
            args += ["--data-parallel-size", str(self.data_parallel_size)]
        return args


class Settings(_Section):
    """Every setting of a run. `Settings()` is the reference system."""

    name: str = "reference"
    model: ModelSettings = Field(default_factory=ModelSettings)
    quantization: QuantizationSettings = Field(default_factory=QuantizationSettings)
    lora: LoraSettings = Field(default_factory=LoraSettings)
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    sampling: SamplingSettings = Field(default_factory=SamplingSettings)
    reward: RewardSettings = Field(default_factory=RewardSettings)
    rft: RFTSettings = Field(default_factory=RFTSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    vllm: VLLMSettings = Field(default_factory=VLLMSettings)


def read_toml(path: str | Path, *, see: str = "configs/ for presets") -> dict[str, Any]:
    """A TOML config file's tables; a missing or malformed file is a `ConfigError`."""
    p = Path(path)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {p} does not exist; see {see}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p} is not valid TOML: {exc}") from None


def invalid_config(path: str | Path, exc: ValidationError) -> ConfigError:
    """One error naming every invalid key of `path` (`training.learning_rate: ...`)."""
    problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
    return ConfigError(f"{Path(path)}: {problems}")


def load_config(path: str | Path, **overrides: Any) -> Settings:
    """Read a TOML preset; every key not in it keeps its documented default."""
    data = read_toml(path)
    data.update(overrides)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise invalid_config(path, exc) from None
