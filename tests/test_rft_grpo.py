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
