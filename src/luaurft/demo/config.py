"""The demo preset: the library's `Settings` for SFT/RFT plus the demo's own `[demo]` table.

`demo_preset()` is the embedded default (what `luaurft demo` runs with no
`--config`); `configs/demo.toml` spells out the same values, and a test pins
that the two agree. What differs from the reference system (configs/reference.toml)
and why:

- **model**: a tiny Mistral built in the run folder instead of Mistral-7B;
  QLoRA's 4-bit loading, bf16 and gradient checkpointing are GPU features.
- **LoRA** r=32, alpha=64 on every projection: the reference's r=64 would be
  full rank for a 128-wide model.
- **training**: batch 16, lr 1e-3, max length 512; steps are capped in `[demo]`.
- **reward**: the judge is off (no network); the execution scorer joins the
  deterministic scorers with weight 0.2, so code that errors when run in the
  mock world is not kept, and the RFT task's own checks (`checks`, the share
  passed) take the judge's 0.6: they say whether the code does what was asked,
  which the scorers cannot. `require_checks` bars any candidate that fails a
  check: without it, a kill brick that names another part scores as high as
  the right one, and rejection sampling would train on its own mistakes.
- **RFT tasks**: 156 (4 + 8 per family, the 8 with key values no SFT example
  has, and 12 per combination request, which no SFT example shows): tasks the
  SFT model solves only sometimes, so best-of-N has something to choose.
- **sampling** N = 8 at temperature 1.0: diverse enough candidates that a task
  the SFT model usually fails often has one right answer among them.
- **the RFT round** (ReST-EM style) trains a fresh adapter from the base on all
  the SFT data plus the selections (mix ratio 1.0, `retrain_from_base`), 60
  steps like SFT: continuing the SFT adapter on a small mix (the former
  preset) drifted and lost held-out tasks.

These were chosen on a validation split (`configs/demo-validation.toml`),
never on the held-out split the demo reports; docs/demo.md has the runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from luaurft.config import Settings, invalid_config, read_toml
from luaurft.demo.model import ModelSpec, PretrainSpec


class SuiteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    train_per_family: int = Field(120, ge=1)
    rft_per_family: int = Field(4, ge=1)
    eval_per_family: int = Field(3, ge=1)
    eval_per_combination: int = Field(3, ge=0)
    seed: int = 0
    families: list[str] = Field(default_factory=list, description="Empty: every family.")
    combinations: list[str] | None = Field(None, description="None: every combination.")
    rft_more_per_family: int = Field(
        8, ge=0, description="RFT tasks per family beyond rft_per_family (a second stream)."
    )
    rft_per_combination: int = Field(
        12, ge=0, description="RFT tasks per combination family (open values; no SFT data)."
    )
    validation_per_family: int = Field(
        0, ge=0, description="Validation tasks per family (reserved values, not the eval's)."
    )
    validation_per_combination: int = Field(0, ge=0)
    rft_unseen_values: bool = Field(
        True, description="Added RFT tasks use key values no train task has, where any are left."
    )
    rft_fresh_keys: bool = Field(
        False,
        description="Added RFT tasks of a family with fresh key values (outside its pool: "
        "remote-event names) take those instead.",
    )
    practice_combinations: int = Field(
        0,
        ge=0,
        description="SFT tasks per practice combination (other pairs than the held-out "
        "combinations; open key values no rft, validation or eval task has). Not in the "
        "base's pre-training corpus.",
    )


class EvalSettings(BaseModel):
    """How the held-out split is evaluated (the same sampling as the candidates)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    samples: int = Field(4, ge=1)
    temperature: float = Field(0.8, ge=0.0)
    top_p: float = Field(0.95, gt=0.0, le=1.0)
    max_new_tokens: int = Field(320, ge=1)
    seed: int = 0


class DemoSettings(BaseModel):
    """The `[demo]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threads: int = Field(2, ge=1, description="torch.set_num_threads.")
    suite: SuiteSettings = Field(default_factory=SuiteSettings)
    model: ModelSpec = Field(default_factory=ModelSpec)
    pretrain: PretrainSpec = Field(default_factory=PretrainSpec)
    sft_steps: int = Field(60, ge=1, description="Optimizer steps of the LoRA SFT run.")
    rft_steps: int = Field(60, ge=1, description="Optimizer steps of each RFT round's run.")
    eval: EvalSettings = Field(default_factory=EvalSettings)
    generation_batch: int = Field(16, ge=1, description="Prompts per generate call.")
    base: str = Field(
        "shipped",
        description="The base model: 'shipped' (the package's, built by `luaurft demo "
        "build-base` and checked against its recipe), 'pretrain' (pre-train it in the run "
        "folder), or a folder build-base wrote.",
    )
    evaluate_on: Literal["eval", "validation"] = Field(
        "eval",
        description="The split SFT and RFT are compared on: the held-out eval split, or the "
        "validation split that settings are chosen on.",
    )


class DemoPreset(BaseModel):
    """Everything a demo run is configured by."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    settings: Settings
    demo: DemoSettings

    def fingerprint(self) -> dict[str, Any]:
        """What a run folder is opened with (a resumed run must match it); the base model
        path is filled in per run folder, so it is left out."""
        data = self.settings.model_dump(mode="json")
        data["model"].pop("base_model", None)
        return {"settings": data, "demo": self.demo.model_dump(mode="json")}


DEMO_SETTINGS: dict[str, Any] = {
    "name": "demo",
    "model": {"base_model": "base"},
    "quantization": {"load_in_4bit": False},
    "lora": {"r": 32, "alpha": 64, "dropout": 0.0},
    "training": {
        "epochs": 1,
        "per_device_batch_size": 16,
        "gradient_accumulation_steps": 1,
        "learning_rate": 1e-3,
        "max_length": 512,
        "bf16": False,
        "gradient_checkpointing": False,
        "warmup_ratio": 0.0,
        "seed": 0,
        "report_to": ["none"],
    },
    "sampling": {"n": 8, "temperature": 1.0, "top_p": 0.95, "max_new_tokens": 320, "seed": 0},
    "reward": {
        "weights": {
            "syntax": 0.1,
            "api": 0.1,
            "bug": 0.1,
            "quality": 0.1,
            "exec": 0.2,
            "checks": 0.6,
            "judge": 0.6,
        },
        "judge": "none",
        "require_checks": True,
    },
    "rft": {
        "tasks_per_round": 156,
        "keep_threshold": 0.7,
        "rounds": 1,
        "mix_ratio": 1.0,
        "retrain_from_base": True,
    },
}


def demo_preset(**demo_overrides: Any) -> DemoPreset:
    """The embedded demo preset (`configs/demo.toml` holds the same values)."""
    return DemoPreset(
        settings=Settings.model_validate(DEMO_SETTINGS),
        demo=DemoSettings.model_validate(demo_overrides),
    )


def load_demo_config(path: str | Path) -> DemoPreset:
    """A demo preset from TOML: the `Settings` sections plus a `[demo]` table."""
    data = read_toml(path, see="configs/demo.toml")
    demo = data.pop("demo", {})
    try:
        return DemoPreset(settings=Settings.model_validate(data),
                          demo=DemoSettings.model_validate(demo))  # fmt: skip
    except ValidationError as exc:
        raise invalid_config(path, exc) from None


__all__ = [
    "DemoPreset",
    "DemoSettings",
    "EvalSettings",
    "SuiteSettings",
    "demo_preset",
    "load_demo_config",
]
