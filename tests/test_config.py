"""configs/reference.toml and the embedded defaults hold the reference system's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from luaurft.config import REFERENCE_SYSTEM_PROMPT, Settings, load_config
from luaurft.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

# The published system's hyper-parameters (DESIGN.md), written out independently.
REFERENCE = {
    ("model", "base_model"): "mistralai/Mistral-7B-Instruct-v0.3",
    ("quantization", "load_in_4bit"): True,
    ("quantization", "quant_type"): "nf4",
    ("lora", "r"): 64,
    ("lora", "alpha"): 128,
    ("lora", "dropout"): 0.05,
    ("lora", "target_modules"): [
        "q_proj",
        "k_proj",
        "v_proj",
        "o_proj",
        "gate_proj",
        "up_proj",
        "down_proj",
    ],
    ("training", "epochs"): 2,
    ("training", "per_device_batch_size"): 1,
    ("training", "gradient_accumulation_steps"): 8,
    ("training", "learning_rate"): 1.5e-4,
    ("training", "max_length"): 8192,
    ("training", "bf16"): True,
    ("training", "gradient_checkpointing"): True,
    ("sampling", "n"): 4,
    ("sampling", "temperature"): 0.8,
    ("sampling", "top_p"): 0.95,
    ("rft", "tasks_per_round"): 50,
    ("rft", "keep_threshold"): 0.70,
    ("agent", "rewrite_threshold"): 0.85,
    ("reward", "weights"): {"syntax": 0.1, "api": 0.1, "bug": 0.1, "quality": 0.1, "judge": 0.6},
}


@pytest.mark.parametrize(
    "settings",
    [load_config(ROOT / "configs" / "reference.toml"), Settings()],
    ids=["toml", "defaults"],
)
def test_reference_hyperparameters(settings: Settings) -> None:
    for (section, key), expected in REFERENCE.items():
        assert getattr(getattr(settings, section), key) == expected, f"{section}.{key}"
    assert (
        settings.model.system_prompt
        == (
            "You are an expert Roblox Luau programmer. Generate complete, production-ready Luau "
            "scripts. Output only code, no markdown."
        )
        == REFERENCE_SYSTEM_PROMPT
    )


def test_bad_config_says_what_is_wrong(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[lora]\nr = -1\nbogus = 3\n")
    with pytest.raises(ConfigError, match=r"lora\.r"):
        load_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
