"""The pieces `run_rft` is given, built from settings: the reward and the generator factory.

The hybrid reward (`luaurft.reward.HybridReward`, with the judge named in
`settings.reward.judge`) is looked up at run time, so this module works
whether or not that layer is installed; "auto" falls back to the
deterministic composite, with a warning, where it is not.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any, Literal

from luaurft.config import Settings
from luaurft.errors import ConfigError
from luaurft.rft.grpo import vllm_usable
from luaurft.rft.loop import GeneratorFactory, ModelRef
from luaurft.rft.select import DeterministicReward

if TYPE_CHECKING:
    from luaurft.llm import Generator

log = logging.getLogger(__name__)

RewardChoice = Literal["auto", "hybrid", "deterministic"]
LOCAL_BACKENDS = ("auto", "transformers", "vllm")


def hybrid_reward(settings: Settings) -> Any:
    """`HybridReward` with the weights and judge of `settings` (ConfigError if unavailable)."""
    try:
        reward_module = importlib.import_module("luaurft.reward")
    except ImportError:
        raise ConfigError(
            "the hybrid reward (luaurft.reward) is not available in this install; use "
            "--reward deterministic"
        ) from None
    config = reward_module.RewardConfig.from_settings(settings)
    judge = None
    if config.uses_judge and settings.reward.judge.strip().lower() not in ("", "none", "off"):
        judge_module = importlib.import_module("luaurft.judge")
        judge = judge_module.make_judge(settings.reward.judge)
    return reward_module.HybridReward(config, judge=judge)


def make_reward(settings: Settings, choice: RewardChoice = "auto") -> Any:
    """The reward candidates are scored with (see module docstring)."""
    if choice == "deterministic":
        return DeterministicReward()
    if choice == "hybrid":
        return hybrid_reward(settings)
    try:
        return hybrid_reward(settings)
    except ConfigError as exc:
        log.warning("%s; scoring with the deterministic composite", exc)
        return DeterministicReward()


def local_backend(backend: str = "auto") -> str:
    """vLLM where it can run, else transformers (for "auto")."""
    if backend == "auto":
        return "vllm" if vllm_usable() else "transformers"
    return backend


def generator_factory(spec: str = "auto", **options: Any) -> GeneratorFactory:
    """A factory for `run_rft`.

    `spec` "auto", "transformers" or "vllm": that local backend sampling the
    model each round asks for (base + newest adapter). Any other generator
    spec (`openai:MODEL@URL`, ...) is used as is for every round, which then
    does not follow the newest adapter unless the server does.
    `options` go to the generator (e.g. `batch_size` for transformers).
    """
    from luaurft.llm import make_generator

    if spec in LOCAL_BACKENDS:
        backend = local_backend(spec)

        def local(model: ModelRef) -> Generator:
            target = f"{backend}:{model.base_model}"
            if model.adapter is not None:
                target += f"+{model.adapter}"
            return make_generator(target, **options)

        return local

    log.warning(
        "generator %s is fixed: every round samples it, not the newest adapter (serve the "
        "newest adapter under that name to follow the rounds)",
        spec,
    )

    def fixed(model: ModelRef) -> Generator:
        return make_generator(spec, **options)

    return fixed
