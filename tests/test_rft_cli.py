"""`luaurft rft` end to end on the tiny model: SFT, candidates, selection, one RFT round, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from luaurft.cli import app
from luaurft.config import load_config
from luaurft.rft.run import run_identity
from luaurft.runs.store import RunStore, Status

pytest.importorskip("trl")


def write_config(path: Path, base: Path) -> Path:
    path.write_text(
        f"""
name = "tiny-cli"
[model]
base_model = "{base}"
[lora]
r = 4
alpha = 8
[training]
epochs = 1
per_device_batch_size = 2
gradient_accumulation_steps = 1
learning_rate = 1e-2
max_length = 256
report_to = ["none"]
[sampling]
n = 2
max_new_tokens = 12
[rft]
tasks_per_round = 2
keep_threshold = 0.0
rounds = 1
""",
        encoding="utf-8",
    )
    return path


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.slow
def test_rft_command_runs_a_round_on_the_tiny_model_and_resumes_without_recomputing(
    tmp_path: Path,
) -> None:
    from luaurft.llm.tiny import build_tiny_model

    base = build_tiny_model(tmp_path / "base", seed=3)
    config = write_config(tmp_path / "tiny.toml", base)
    tasks = write_jsonl(
        tmp_path / "tasks.jsonl",
        [{"id": "hello", "prompt": "Print hello."}, {"id": "part", "prompt": "Make a part."}],
    )
    sft = write_jsonl(
        tmp_path / "sft.jsonl",
        [
            {
                "prompt": [{"role": "user", "content": f"Print {i}."}],
                "completion": [{"role": "assistant", "content": f"print({i})"}],
            }
            for i in range(3)
        ],
    )
    run_dir = tmp_path / "run"
    args = ["rft", "--config", str(config), "--run-dir", str(run_dir), "--generator",
            "transformers", "--reward", "deterministic", "--max-steps", "2", "--format", "json"]  # fmt: skip
    first = CliRunner().invoke(app, [*args, "--tasks", str(tasks), "--sft-data", str(sft)])
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout)
    assert result["sft_adapter"] == str(run_dir / "adapters" / "sft")
    assert result["final_adapter"] == str(run_dir / "adapters" / "round-1")
    round1 = result["rounds"][0]
    assert round1["candidates"]["stored"] == 4 and round1["selection"]["kept"] == 2
    assert (run_dir / "adapters" / "round-1" / "adapter_model.safetensors").is_file()
    assert (run_dir / "data" / "sft.jsonl").read_bytes() == sft.read_bytes()
    mix = (run_dir / "data" / "round-1.jsonl").read_text().splitlines()
    assert len(mix) == 3 + 2

    # Resuming a finished run (no --tasks/--sft-data needed) recomputes nothing.
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["final_adapter"] == result["final_adapter"]
    settings = load_config(config)
    with RunStore.in_dir(run_dir, kind="rft", config=run_identity(settings)) as store:
        assert store.status == "done"
        for name, round_ in (("train", 0), ("candidates", 1), ("train", 1)):
            stage = store.stage(name, round_)
            assert stage is not None and stage.status is Status.DONE and stage.attempts == 1
        assert store.count_candidates(1) == 4


def test_rft_command_needs_tasks_on_a_new_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from luaurft.cli import main

    config = write_config(tmp_path / "tiny.toml", tmp_path / "no-model")
    with pytest.raises(SystemExit) as exit_info:
        main(["rft", "--config", str(config), "--run-dir", str(tmp_path / "run")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--tasks" in err and "Traceback" not in err


def test_rft_command_refuses_other_sft_data_on_resume(tmp_path: Path) -> None:
    from luaurft.rft.run import run_from_files

    config = write_config(tmp_path / "tiny.toml", tmp_path / "no-model")
    settings = load_config(config)
    first = write_jsonl(tmp_path / "a.jsonl", [{"prompt": "p", "completion": "c"}])
    other = write_jsonl(tmp_path / "b.jsonl", [{"prompt": "p", "completion": "d"}])
    (tmp_path / "run" / "data").mkdir(parents=True)
    (tmp_path / "run" / "data" / "sft.jsonl").write_bytes(first.read_bytes())
    from luaurft.errors import ConfigError

    with pytest.raises(ConfigError, match="other SFT data"):
        run_from_files(settings, tmp_path / "run", sft_data=other)


def test_factories_build_the_configured_reward_and_follow_the_newest_adapter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import luaurft.llm
    from luaurft.config import Settings
    from luaurft.reward import HybridReward
    from luaurft.rft.factories import generator_factory, make_reward
    from luaurft.rft.loop import ModelRef
    from luaurft.rft.select import DeterministicReward

    settings = Settings()
    hybrid = make_reward(settings, "auto")
    assert isinstance(hybrid, HybridReward) and hybrid.judge is None  # reward.judge = "none"
    assert isinstance(make_reward(settings, "deterministic"), DeterministicReward)

    specs: list[str] = []
    monkeypatch.setattr(luaurft.llm, "make_generator", lambda spec, **kw: specs.append(spec))
    local = generator_factory("transformers", batch_size=2)
    local(ModelRef("base", None, 0))
    local(ModelRef("base", Path("runs/x/adapters/round-1"), 1))
    fixed = generator_factory("openai:rft@http://127.0.0.1:8000/v1")
    fixed(ModelRef("base", Path("a"), 1))
    assert specs == [
        "transformers:base",
        "transformers:base+runs/x/adapters/round-1",
        "openai:rft@http://127.0.0.1:8000/v1",
    ]
