"""Must show: `HybridReward` is the reward function of TRL's GRPOTrainer (tiny model, CPU)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pytest

from luaurft.judge import JudgeCache, LLMJudge
from luaurft.llm.openai_backend import OpenAIGenerator
from luaurft.llm.tiny import build_tiny_model
from luaurft.reward import HybridReward
from luaurft.testing.fake_judge import code_in_prompt
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest

pytest.importorskip("trl")

TASKS = [
    "Make a part that kills players on touch.",
    "Print each player's name when they join.",
    "Spin a part forever.",
    "Give every player a leaderstats folder with Coins.",
]


def varied_judge(request: FakeRequest) -> str:
    """Scores that differ between samples (a random tiny model's text is all alike to a
    real rubric), so a group's rewards differ and GRPO has an advantage to learn from."""
    digest = int(hashlib.sha256(code_in_prompt(request).encode()).hexdigest(), 16)
    names = ("functionality", "correctness", "completeness", "roblox_practice")
    return json.dumps({name: (digest >> (4 * i)) % 11 for i, name in enumerate(names)})


@pytest.mark.slow
def test_grpo_trains_two_steps_with_the_hybrid_reward(tmp_path: Path) -> None:
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    model_dir = build_tiny_model(tmp_path / "tiny", seed=0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    dataset = Dataset.from_list(
        [
            {
                "prompt": [
                    {"role": "system", "content": "You are an expert Roblox Luau programmer."},
                    {"role": "user", "content": task},
                ],
                "task": task,
            }
            for task in TASKS
        ]
    )
    with FakeLLMServer(varied_judge) as server:
        judge = LLMJudge(
            OpenAIGenerator("judge", base_url=server.openai_base_url, api_key="k", timeout=10),
            cache=JudgeCache(tmp_path / "judge.sqlite"),
        )
        reward = HybridReward(judge=judge)
        config = GRPOConfig(
            output_dir=str(tmp_path / "out"),
            use_cpu=True,
            max_steps=2,
            per_device_train_batch_size=2,
            num_generations=2,
            max_completion_length=12,
            learning_rate=1e-2,
            logging_steps=1,
            report_to="none",
            save_strategy="no",
            use_vllm=False,
            seed=0,
        )
        trainer = GRPOTrainer(
            model=model,
            reward_funcs=[reward],
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
        )
        trainer.train()
        judged_requests = server.request_count

    assert trainer.state.global_step == 2
    logs = [entry for entry in trainer.state.log_history if "reward" in entry]
    assert len(logs) == 2
    for entry in logs:
        assert "rewards/hybrid_reward/mean" in entry
        assert 0.0 <= entry["rewards/hybrid_reward/mean"] <= 1.0
        assert not math.isnan(entry["reward"])
    # Our per-component metrics reach TRL's logs next to the reward.
    assert any("hybrid_reward/syntax" in entry for entry in trainer.state.log_history)
    # The judge was consulted through HTTP for the sampled completions.
    assert judged_requests > 0
    assert len(reward.last) == 2 and all(r.value is not None for r in reward.last)
    # Rewards differed within a group, so the policy gradient moved the weights.
    assert any(entry["reward_std"] > 0 for entry in logs)
    changed = any(not (p.detach() == before[n]).all() for n, p in trainer.model.named_parameters())
    assert changed
