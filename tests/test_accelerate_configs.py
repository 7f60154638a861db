"""Training under `accelerate launch`: the shipped configs, where QLoRA goes on each
process, and a real 2-process CPU (gloo) SFT run of the tiny model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accelerate_helpers import CONFIGS, launch_env
from luaurft.config import Settings
from luaurft.rft import distributed

ENGINES = {
    "ddp": ("ddp", False),
    "deepspeed_zero2": ("deepspeed-zero2", False),
    "deepspeed_zero3": ("deepspeed-zero3", True),
    "fsdp": ("fsdp", True),
    "cpu_gloo": ("ddp", False),
}
ROWS = [
    {"prompt": "Make a red part", "completion": 'local p = Instance.new("Part")\np.Color = red\n'},
    {"prompt": "Print hello", "completion": 'print("hello")\n'},
] * 4


def _clear(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("ACCELERATE_", "FSDP_")) or key in {"RANK", "LOCAL_RANK", "WORLD_SIZE"}:
            monkeypatch.delenv(key, raising=False)


def tiny_settings() -> Settings:
    s = Settings(name="tiny-launch")
    return s.model_copy(
        update={
            "quantization": s.quantization.model_copy(update={"load_in_4bit": False}),
            "lora": s.lora.model_copy(update={"r": 8, "alpha": 16, "dropout": 0.0}),
            "training": s.training.model_copy(
                update={
                    "bf16": False,
                    "max_length": 128,
                    "per_device_batch_size": 2,
                    "gradient_accumulation_steps": 1,
                    "gradient_checkpointing": False,
                    "report_to": ["none"],
                }
            ),
        }
    )


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from luaurft.llm.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", seed=0)


def test_every_shipped_config_is_tested() -> None:
    assert {p.stem for p in CONFIGS.glob("*.yaml")} == set(ENGINES)


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_config_parses_places_qlora_and_builds_the_trainer(
    name: str, tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accelerate.commands.config.config_args import load_config_from_file

    config = load_config_from_file(str(CONFIGS / f"{name}.yaml"))
    assert config.num_processes >= 2
    _clear(monkeypatch)
    env = launch_env(CONFIGS / f"{name}.yaml")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # What one process of the launch sees: its ranks, from torchrun.
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("LOCAL_RANK", "1")
    engine, sharded = ENGINES[name]
    assert distributed.engine() == engine
    assert distributed.sharded_weights() is sharded
    assert not distributed.is_main_process()
    # QLoRA: on this process's own GPU, not GPU 0; no device map where the engine shards.
    assert distributed.quantized_device_map() == (None if sharded else {"": 1})
    from luaurft.rft.sft import quantization_config

    storage = quantization_config(Settings()).bnb_4bit_quant_storage
    assert (str(storage) == "torch.bfloat16") is sharded

    if engine.startswith("deepspeed"):
        pytest.importorskip("deepspeed", reason="DeepSpeed is not a luaurft dependency")
    # The trainer builds under the launch's environment (one process here: no peers).
    for key in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("ACCELERATE_MIXED_PRECISION", "no")  # bf16 needs a GPU
    from luaurft.rft.sft import prepare_sft

    prepared = prepare_sft(
        tiny_settings(), ROWS, tmp_path / "adapter", base_model=str(tiny_model), max_steps=1
    )
    assert type(prepared.trainer).__name__ == "SFTTrainer"
    assert prepared.trainer.args.max_length == 128


_TINY_TOML = """
name = "tiny-launch"
[model]
base_model = "{model}"
[quantization]
load_in_4bit = false
[lora]
r = 8
alpha = 16
dropout = 0.0
[training]
per_device_batch_size = 2
gradient_accumulation_steps = 1
max_length = 128
bf16 = false
gradient_checkpointing = false
report_to = ["none"]
"""


def test_two_process_cpu_launch_trains_one_adapter(tiny_model: Path, tmp_path: Path) -> None:
    """`accelerate launch` (2 processes, gloo) of `luaurft sft`: both train, rank 0 writes
    the adapter and its metadata, and one report is printed."""
    config = tmp_path / "tiny.toml"
    config.write_text(_TINY_TOML.format(model=tiny_model))
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    out = tmp_path / "adapter"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCELERATE_", "FSDP_"))}
    env.update(OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    launched = subprocess.run(
        [sys.executable, "-m", "accelerate.commands.launch",
         "--config_file", str(CONFIGS / "cpu_gloo.yaml"), "-m", "luaurft",
         "sft", "--config", str(config), "--data", str(data), "--out", str(out),
         "--max-steps", "1", "--json"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert launched.returncode == 0, launched.stderr[-3000:]
    assert launched.stdout.count('"adapter_dir"') == 1  # only the main process reports
    meta = json.loads((out / "luaurft_train.json").read_text())
    assert meta["processes"] == 2 and meta["engine"] == "ddp" and meta["steps"] == 1
    assert (out / "adapter_model.safetensors").is_file()


def test_rft_refuses_a_multi_process_launch_and_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from luaurft.cli import app
    from luaurft.errors import ConfigError

    monkeypatch.setenv("WORLD_SIZE", "2")
    result = CliRunner().invoke(app, ["rft", "--config", str(CONFIGS.parent / "tiny.toml")])
    assert isinstance(result.exception, ConfigError)
    assert "accelerate launch" in str(result.exception) and "--ray" in str(result.exception)
