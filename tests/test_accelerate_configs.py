"""Training under `accelerate launch`: the shipped configs, where QLoRA goes on each
process, and real 2-process CPU (gloo) runs of `luaurft sft` and `luaurft rft` on the
tiny model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
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


@pytest.fixture
def fresh_engine_state() -> Iterator[None]:
    """Each config's trainer in a process of its own: accelerate keeps its state in
    class-level singletons and transformers a global DeepSpeed config, so without this
    an FSDP trainer built after a ZeRO-3 one would start DeepSpeed's distributed setup."""
    saved = dict(os.environ)
    yield
    from accelerate.state import AcceleratorState
    from transformers.integrations.deepspeed import unset_hf_deepspeed_config

    AcceleratorState._reset_state(reset_partial_state=True)
    unset_hf_deepspeed_config()
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.usefixtures("fresh_engine_state")
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
        pytest.importorskip(
            "deepspeed", reason="the deepspeed extra is not installed (uv sync --extra deepspeed)"
        )
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


def _launch_two_cpu_processes(*luaurft_args: str) -> subprocess.CompletedProcess[str]:
    """`accelerate launch` of `luaurft ARGS` in 2 CPU processes (gloo). Its exit status
    is 0 only when every process exited 0."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCELERATE_", "FSDP_"))}
    env.update(OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "accelerate.commands.launch",
         "--config_file", str(CONFIGS / "cpu_gloo.yaml"), "-m", "luaurft", *luaurft_args],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


def test_two_process_cpu_launch_trains_one_adapter(tiny_model: Path, tmp_path: Path) -> None:
    """`accelerate launch` (2 processes, gloo) of `luaurft sft`: both train, rank 0 writes
    the adapter and its metadata, and one report is printed."""
    config = tmp_path / "tiny.toml"
    config.write_text(_TINY_TOML.format(model=tiny_model))
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    out = tmp_path / "adapter"
    launched = _launch_two_cpu_processes(
        "sft", "--config", str(config), "--data", str(data), "--out", str(out),
        "--max-steps", "1", "--json",
    )  # fmt: skip
    assert launched.returncode == 0, launched.stderr[-3000:]
    assert launched.stdout.count('"adapter_dir"') == 1  # only the main process reports
    meta = json.loads((out / "luaurft_train.json").read_text())
    assert meta["processes"] == 2 and meta["engine"] == "ddp" and meta["steps"] == 1
    assert (out / "adapter_model.safetensors").is_file()


_RFT_TOML = """
[sampling]
n = 2
max_new_tokens = 12
[reward]
judge = "none"
[rft]
tasks_per_round = 2
keep_threshold = 0.0
rounds = 1
"""
TASKS = [{"id": "hello", "prompt": "Print hello."}, {"id": "part", "prompt": "Make a part."}]
CHAT_ROWS = [
    {
        "prompt": [{"role": "user", "content": f"Print {i}."}],
        "completion": [{"role": "assistant", "content": f"print({i})"}],
    }
    for i in range(3)
]


def _rft_files(tiny_model: Path, folder: Path) -> tuple[Path, Path, Path]:
    config = folder / "tiny.toml"
    config.write_text(_TINY_TOML.format(model=tiny_model) + _RFT_TOML)
    tasks = folder / "tasks.jsonl"
    tasks.write_text("".join(json.dumps(row) + "\n" for row in TASKS))
    sft = folder / "sft.jsonl"
    sft.write_text("".join(json.dumps(row) + "\n" for row in CHAT_ROWS))
    return config, tasks, sft


@pytest.mark.slow
def test_two_process_cpu_launch_of_rft_stores_once_and_trains_every_round_on_both(
    tiny_model: Path, tmp_path: Path
) -> None:
    """`accelerate launch` (2 processes, gloo) of `luaurft rft`: rank 0 alone samples,
    scores, selects and writes the store; both train SFT and the round; a resumed launch
    retrains a lost adapter on both ranks and samples nothing again."""
    from luaurft.config import load_config
    from luaurft.rft.run import run_identity
    from luaurft.runs.store import RunStore, Status

    config, tasks, sft = _rft_files(tiny_model, tmp_path)
    run_dir = tmp_path / "run"
    args = ["rft", "--config", str(config), "--run-dir", str(run_dir),
            "--generator", "transformers", "--reward", "deterministic", "--max-steps", "2",
            "--format", "json"]  # fmt: skip
    first = _launch_two_cpu_processes(*args, "--tasks", str(tasks), "--sft-data", str(sft))
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stdout.count('"run_id"') == 1  # one report: the main process's
    result = json.loads(first.stdout)
    assert result["final_adapter"] == str(run_dir / "adapters" / "round-1")
    assert result["rounds"][0]["selection"]["kept"] == 2
    for name in ("sft", "round-1"):
        meta = json.loads((run_dir / "adapters" / name / "luaurft_train.json").read_text())
        assert meta["processes"] == 2 and meta["engine"] == "ddp"
    assert (run_dir / "adapters" / "round-1" / "adapter_model.safetensors").is_file()

    def stored() -> tuple[int, int, dict[tuple[str, int], int]]:
        settings = load_config(config)
        with RunStore.in_dir(run_dir, kind="rft", config=run_identity(settings)) as store:
            assert store.status == "done"
            assert all(stage.status is Status.DONE for stage in store.stages())
            attempts = {(stage.name, stage.round): stage.attempts for stage in store.stages()}
            return (
                store.count_candidates(1),
                len(store.rewards(1, result["reward_key"])),
                attempts,
            )

    candidates, rewards, attempts = stored()
    # Written once: a second writer would have stored more samples or rerun a stage.
    assert (candidates, rewards) == (len(TASKS) * 2, len(TASKS) * 2)
    assert set(attempts.values()) == {1}

    # A resumed launch: round 1's adapter is lost, so rank 0 trains it again, with rank 1.
    shutil.rmtree(run_dir / "adapters" / "round-1")
    again = _launch_two_cpu_processes(*args)
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["final_adapter"] == result["final_adapter"]
    meta = json.loads((run_dir / "adapters" / "round-1" / "luaurft_train.json").read_text())
    assert meta["processes"] == 2
    candidates_after, rewards_after, attempts_after = stored()
    assert (candidates_after, rewards_after) == (candidates, rewards)
    # Sampling and SFT are not redone; scoring and selection always run again (they
    # only add what is missing); round 1 is trained a second time.
    for stage in (("train", 0), ("candidates", 1)):
        assert attempts_after[stage] == 1
    assert attempts_after[("train", 1)] == 2


def test_rft_stops_every_process_when_the_main_one_fails(tiny_model: Path, tmp_path: Path) -> None:
    """Rank 0's error reaches the rank waiting for its next round: both stop at once
    (the launch has a timeout), and the waiting one says why."""
    config, _, _ = _rft_files(tiny_model, tmp_path)
    launched = _launch_two_cpu_processes(
        "rft", "--config", str(config), "--run-dir", str(tmp_path / "run"), "--format", "json"
    )
    assert launched.returncode != 0
    assert "the main process (rank 0) stopped: ConfigError: a new run needs its tasks" in (
        launched.stderr
    )
