"""GRPO with TRL on the tiny model, rewarded by a recording reward (CPU, no vLLM)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from luaurft.config import Settings
from luaurft.errors import ConfigError
from luaurft.rft.grpo import GRPOReward, grpo_config, train_grpo
from luaurft.rft.sft import TRAIN_META_FILENAME
from luaurft.runs.store import RunStore, TaskRow

pytest.importorskip("trl")

TASKS = [
    TaskRow("a", "Print hello when the server starts."),
    TaskRow("b", "Make a red part."),
]


def grpo_settings() -> Settings:
    s = Settings(name="tiny-grpo")
    s.lora.r = 4
    s.lora.alpha = 8
    s.training.per_device_batch_size = 4
    s.training.gradient_accumulation_steps = 1
    s.training.learning_rate = 1e-3
    s.training.report_to = ["none"]
    s.training.gradient_checkpointing = False
    s.sampling.n = 2
    s.sampling.max_new_tokens = 8
    s.sampling.temperature = 1.0
    s.sampling.top_p = 1.0
    return s


def test_grpo_reward_scores_extracted_code_against_the_task_column() -> None:
    seen: list[tuple[str, str]] = []

    def reward(task: str, code: str) -> tuple[float | None, dict[str, Any]]:
        seen.append((task, code))
        return (None if "skip" in code else 0.5), {}

    fn = GRPOReward(reward)
    completions = [
        [{"role": "assistant", "content": "```lua\nprint('hi')\n```"}],
        "skip()",
    ]
    values = fn(["p1", "p2"], completions, task=["task one", "task two"])
    assert values == [0.5, None]
    assert seen[0] == ("task one", "print('hi')\n")
    with pytest.raises(Exception, match="'task' column"):
        fn(["p"], ["x"])


def test_grpo_dataset_passes_each_task_to_the_checks_reward_through_task_spec() -> None:
    from luaurft.demo.families import FAMILIES
    from luaurft.eval.checks import TASK_CHECKS
    from luaurft.reward import HybridReward, RewardConfig
    from luaurft.rft.grpo import grpo_dataset, trl_reward_function
    from luaurft.rft.select import SPEC_META

    family = next(f for f in FAMILIES if f.name == "leaderstats")
    gems = family.task("gems", {"stat": "Gems", "start": 15}, 0, split="rft")
    coins = family.task("coins", {"stat": "Coins", "start": 7}, 0, split="rft")
    rows = [
        TaskRow(t.id, t.user_prompt(), meta={SPEC_META: t.model_dump(mode="json")})
        for t in (gems, coins)
    ]
    data = grpo_dataset([*rows, TaskRow("plain", "Print hello.")])
    reward = trl_reward_function(
        HybridReward(RewardConfig(weights={"checks": 1.0}, require_checks=True), checks=TASK_CHECKS)
    )
    # Each task's own solution, then the other task's: only the first passes its checks.
    values = reward(
        data["prompt"][:2] * 2,
        [gems.solution, coins.solution, coins.solution, gems.solution],
        **{k: data[k][:2] * 2 for k in ("task", "task_spec")},
    )
    assert values[:2] == [1.0, 1.0]
    assert all(v is not None and v < 1.0 for v in values[2:])
    assert [r.barred for r in reward.source.last] == [False, False, True, True]
    assert data["task_spec"][2] == ""


def test_grpo_batch_must_hold_whole_groups(tmp_path: Path) -> None:
    s = grpo_settings()
    s.training.per_device_batch_size = 3
    with pytest.raises(ConfigError, match="multiple of the samples per task"):
        grpo_config(s, tmp_path, cuda=False, precision="fp32", report_to=["none"])
    s.sampling.n = 1
    with pytest.raises(ConfigError, match="at least 2"):
        grpo_config(s, tmp_path, cuda=False, precision="fp32", report_to=["none"])


@pytest.mark.slow
def test_grpo_trains_an_adapter_on_the_reward(tmp_path: Path) -> None:
    from luaurft.llm.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "model", seed=1)
    calls: list[str] = []

    def reward(task: str, code: str) -> tuple[float, dict[str, Any]]:
        calls.append(task)
        # Shorter answers score higher, so rewards differ within each group.
        return 1.0 / (1 + len(code)), {}

    result = train_grpo(
        grpo_settings(), TASKS, reward, tmp_path / "grpo", base_model=str(model), max_steps=2,
    )  # fmt: skip
    assert result.steps == 2 and len(result.rewards) == 2
    # 2 steps x 4 completions, each rewarded against its own task's text.
    assert len(calls) == 8 and set(calls) <= {t.prompt for t in TASKS}
    out = tmp_path / "grpo"
    assert (out / "adapter_model.safetensors").is_file()
    meta = json.loads((out / TRAIN_META_FILENAME).read_text())
    assert meta["method"] == "grpo" and meta["use_vllm"] is False
    # Every completion sampled and its reward are in the run store: round = step + 1.
    with RunStore.in_dir(out) as store:
        candidates = store.candidates()
        assert len(candidates) == 8 and {c.round for c in candidates} == {1, 2}
        assert {c.task_id for c in candidates} <= {t.id for t in TASKS}
        rewarded = {**store.rewards(1, meta["reward_key"]), **store.rewards(2, meta["reward_key"])}
        assert set(rewarded) == {c.id for c in candidates}
        assert store.get_meta("method") == "grpo"


def test_the_hybrid_reward_reaches_trl_through_the_run_store() -> None:
    from luaurft.llm import extract_code
    from luaurft.reward import HybridReward
    from luaurft.rft.grpo import trl_reward_function

    hybrid = HybridReward()
    fn = trl_reward_function(hybrid, tasks=TASKS)
    # TRL names the reward's logged metrics after it: the hybrid reward keeps its name.
    assert fn.__name__ == "hybrid_reward"
    completions = ["```lua\nprint('hello')\n```", "local part = Instance.new('Part')"]
    logged: dict[str, float] = {}
    values = fn(
        ["p", "p"], completions, task_id=["a", "b"], task=[t.prompt for t in TASKS],
        log_metric=lambda name, value: logged.setdefault(name, value),
    )  # fmt: skip
    direct = HybridReward()(["p", "p"], completions, task=[t.prompt for t in TASKS])
    assert values == direct
    assert "hybrid_reward/syntax" in logged
    stored = fn.store.candidates(1)
    assert [(c.task_id, c.code) for c in stored] == [
        ("a", extract_code(completions[0]).code),
        ("b", extract_code(completions[1]).code),
    ]
    rewards = fn.store.rewards(1, fn.reward.key)
    assert [rewards[c.id].value for c in stored] == values
    wrapped = trl_reward_function(lambda task, code: (1.0, {}))
    assert wrapped.__name__ == "reward"
    assert wrapped(["p"], ["print(1)"], task=["t"]) == [1.0]


class _State:
    """What TRL passes a reward function as `trainer_state` (the step being taken)."""

    def __init__(self, global_step: int) -> None:
        self.global_step = global_step


def test_a_step_redone_after_a_resume_takes_the_places_its_killed_attempt_stored(
    tmp_path: Path,
) -> None:
    scored: list[str] = []

    def reward(task: str, code: str) -> tuple[float, dict[str, Any]]:
        scored.append(code.strip())
        return float(len(code.strip())), {}

    four = ["a", "a", "b", "b"]
    with RunStore.in_dir(tmp_path) as store:
        killed = GRPOReward(reward, store, TASKS)
        killed(["p"] * 4, ["a1", "a2", "b1", "b2"], task_id=four, trainer_state=_State(0))
        killed(["p"] * 4, ["a3", "a44", "b3", "b44"], task_id=four, trainer_state=_State(1))
        before = {(c.round, c.task_id, c.index): c.id for c in store.candidates()}
        scored.clear()

        # The resumed process redoes step 2 (global step 1): the first completion of
        # each task comes out as before, the second differs.
        resumed = GRPOReward(reward, store, TASKS)
        values = resumed(
            ["p"] * 4, ["a3", "a5555", "b3", "b666666"], task_id=four, trainer_state=_State(1)
        )
        resumed.finish_round()
        assert values == [2.0, 5.0, 2.0, 7.0]
        # Only the completions that differ were scored again.
        assert scored == ["a5555", "b666666"]
        round_2 = store.candidates(2)
        assert [(c.task_id, c.index, c.text) for c in round_2] == [
            ("a", 0, "a3"), ("a", 1, "a5555"), ("b", 0, "b3"), ("b", 1, "b666666"),
        ]  # fmt: skip
        now = {(c.round, c.task_id, c.index): c.id for c in store.candidates()}
        assert now[(2, "a", 0)] == before[(2, "a", 0)]
        assert now[(2, "a", 1)] != before[(2, "a", 1)]
        assert {k: v for k, v in now.items() if k[0] == 1} == {
            k: v for k, v in before.items() if k[0] == 1
        }
        # One reward per stored candidate: a replaced one's reward went with it.
        rewards = store.rewards(2, resumed.reward.key)
        assert {i: r.value for i, r in rewards.items()} == {
            c.id: float(len(c.text)) for c in round_2
        }

        # A redone step that draws other tasks: what the killed attempt stored for a
        # task it no longer samples is gone once the round is over.
        again = GRPOReward(reward, store, TASKS)
        again(["p"] * 2, ["a3", "a7"], task_id=["a", "a"], trainer_state=_State(1))
        again(["p"] * 2, ["a8", "a9"], task_id=["a", "a"], trainer_state=_State(2))
        assert [(c.task_id, c.index) for c in store.candidates(2)] == [("a", 0), ("a", 1)]
        assert set(store.rewards(2, again.reward.key)) == {c.id for c in store.candidates(2)}


class _Killed(RuntimeError):
    pass


@pytest.mark.slow
def test_grpo_killed_after_a_checkpoint_resumes_from_it_with_one_set_of_rows_per_step(
    tmp_path: Path,
) -> None:
    from luaurft.llm.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "model", seed=1)
    # Four tasks, two per step: which tasks a step draws depends on the data order.
    tasks = [TaskRow(f"t{i}", f"Print {i} when the server starts.") for i in range(4)]
    scored: list[str] = []

    def reward(task: str, code: str) -> tuple[float, dict[str, Any]]:
        scored.append(task)
        return 1.0 / (1 + len(code)), {}

    out = tmp_path / "grpo"
    seen: list[int] = []

    def die_after_step_3(done: int, total: int) -> None:
        seen.append(done)
        if done == 3:
            raise _Killed("killed")

    with pytest.raises(_Killed):
        train_grpo(grpo_settings(), tasks, reward, out, base_model=str(model), max_steps=4,
                   checkpoint_steps=2, progress=die_after_step_3)  # fmt: skip
    assert seen == [1, 2, 3] and (out / "checkpoints" / "checkpoint-2").is_dir()
    assert not (out / "adapter_model.safetensors").exists()
    with RunStore.in_dir(out) as store:
        killed = {(c.round, c.task_id, c.index): (c.id, c.text) for c in store.candidates()}
    assert sorted({k[0] for k in killed}) == [1, 2, 3] and len(killed) == 12
    assert len(scored) == 12

    scored.clear()
    resumed: list[int] = []
    result = train_grpo(
        grpo_settings(), tasks, reward, out, base_model=str(model), max_steps=4,
        checkpoint_steps=2, progress=lambda done, total: resumed.append(done),
    )  # fmt: skip
    # Steps 1-2 came from the checkpoint; only 3 and 4 ran again.
    assert resumed == [3, 4] and result.steps == 4
    # The checkpoint kept the log of steps 1-2: the result covers the whole run.
    assert len(result.rewards) == 4
    assert (out / "adapter_model.safetensors").is_file() and not (out / "checkpoints").exists()
    assert len(scored) <= 8

    with RunStore.in_dir(out) as store:
        candidates = store.candidates()
        places = [(c.round, c.task_id, c.index) for c in candidates]
        # 4 steps x 4 completions, each step stored once: two tasks x two samples.
        assert len(places) == len(set(places)) == 16
        for step in (1, 2, 3, 4):
            rows = [c for c in candidates if c.round == step]
            assert len(rows) == 4 and len({c.task_id for c in rows}) == 2
            assert sorted(c.index for c in rows) == [0, 0, 1, 1]
        # What the checkpoint holds was neither stored nor scored again.
        assert {k: v for k, v in killed.items() if k[0] <= 2} == {
            (c.round, c.task_id, c.index): (c.id, c.text) for c in candidates if c.round <= 2
        }
        key = json.loads((out / TRAIN_META_FILENAME).read_text())["reward_key"]
        rewarded = {i for step in (1, 2, 3, 4) for i in store.rewards(step, key)}
        assert rewarded == {c.id for c in candidates}


@pytest.mark.slow
def test_grpo_command_says_it_resumes_a_killed_run_and_finishes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from luaurft.cli import app
    from luaurft.config import load_config
    from luaurft.llm.tiny import build_tiny_model
    from luaurft.rft import grpo
    from luaurft.rft.factories import make_reward
    from luaurft.rft.loop import load_tasks

    model = build_tiny_model(tmp_path / "model", seed=2)
    config = tmp_path / "tiny.toml"
    config.write_text(
        f'name = "tiny-grpo-cli"\n[model]\nbase_model = "{model}"\n[lora]\nr = 4\nalpha = 8\n'
        "[training]\nper_device_batch_size = 2\ngradient_accumulation_steps = 1\n"
        'report_to = ["none"]\ngradient_checkpointing = false\ncheckpoint_steps = 2\n'
        '[sampling]\nn = 2\nmax_new_tokens = 8\n[reward]\njudge = "none"\n',
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        "".join(json.dumps({"id": t.id, "prompt": t.prompt}) + "\n" for t in TASKS),
        encoding="utf-8",
    )
    settings = load_config(config)
    out = tmp_path / "grpo"

    def die_after_step_3(done: int, total: int) -> None:
        if done == 3:
            raise _Killed("killed")

    # `training.checkpoint_steps` in the config: a checkpoint at step 2.
    with pytest.raises(_Killed):
        train_grpo(settings, load_tasks(tasks), make_reward(settings, "deterministic"), out,
                   max_steps=3, progress=die_after_step_3)  # fmt: skip

    steps: list[int] = []
    report_steps = grpo.reporting_callback
    monkeypatch.setattr(
        grpo, "reporting_callback", lambda progress: report_steps(lambda d, t: steps.append(d))
    )
    args = ["grpo", "--config", str(config), "--tasks", str(tasks), "--out", str(out),
            "--max-steps", "3", "--reward", "deterministic",
            "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "resuming GRPO from step 2" in result.stderr
    # The global step went on from the checkpoint: only step 3 ran again.
    assert steps == [3] and json.loads(result.stdout)["steps"] == 3
    assert (out / "adapter_model.safetensors").is_file() and not (out / "checkpoints").exists()
    with RunStore.in_dir(out) as store:
        places = [(c.round, c.task_id, c.index) for c in store.candidates()]
    assert len(places) == len(set(places)) == 6 and {p[0] for p in places} == {1, 2, 3}
