"""The pieces `run_rft` is given, built from settings: the reward and the generator factory.

The reward is the hybrid reward (`luaurft.reward.HybridReward`, with the
judge named in `settings.reward.judge`), or the deterministic composite
alone. "auto" is the hybrid reward, and the deterministic composite (with a
warning) where the hybrid one cannot be built.
"""

from __future__ import annotations

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


def hybrid_reward(settings: Settings, *, jobs: int = 1, ray: str | None = None) -> Any:
    """`HybridReward` with the weights of `settings.reward` and the judge it names
    (`reward.judge`; "none" blends the deterministic scorers alone), scoring a
    batch in `jobs` worker processes (how fast, never what: not part of the run's
    config), or as Ray tasks on the cluster at `ray`."""
    try:
        from luaurft.judge import make_judge
        from luaurft.reward import HybridReward, RewardConfig
    except ImportError as exc:  # pragma: no cover - a partial install
        raise ConfigError(
            f"the hybrid reward is not available ({exc}); use --reward deterministic"
        ) from None
    from luaurft.eval.checks import TASK_CHECKS

    config = RewardConfig.from_settings(settings)
    judge = make_judge(settings.reward.judge) if config.uses_judge else None
    return HybridReward(config, judge=judge, jobs=jobs, ray=ray, checks=TASK_CHECKS)


def make_reward(
    settings: Settings, choice: RewardChoice = "auto", *, jobs: int = 1, ray: str | None = None
) -> Any:
    """The reward candidates are scored with (see module docstring)."""
    if choice == "deterministic":
        return DeterministicReward()
    if choice == "hybrid":
        return hybrid_reward(settings, jobs=jobs, ray=ray)
    try:
        return hybrid_reward(settings, jobs=jobs, ray=ray)
    except ConfigError as exc:
        log.warning("%s; scoring with the deterministic composite", exc)
        return DeterministicReward()


def local_backend(backend: str = "auto") -> str:
    """vLLM where it can run, else transformers (for "auto")."""
    if backend == "auto":
        return "vllm" if vllm_usable() else "transformers"
    return backend


def generator_factory(
    spec: str = "auto", *, vllm_options: dict[str, Any] | None = None, **options: Any
) -> GeneratorFactory:
    """A factory for `run_rft`.

    `spec` "auto", "transformers" or "vllm": that local backend sampling the
    model each round asks for (base + newest adapter). Any other generator
    spec (`openai:MODEL@URL`, ...) is used as is for every round, which then
    does not follow the newest adapter unless the server does.
    `options` go to the generator (e.g. `batch_size` for transformers);
    `vllm_options` go to the vLLM engine only (`VLLMSettings.engine_options`:
    tensor and data parallel sizes, memory share).
    """
    from luaurft.llm import make_generator

    if spec in LOCAL_BACKENDS:
        backend = local_backend(spec)

        def local(model: ModelRef) -> Generator:
            target = f"{backend}:{model.base_model}"
            if model.adapter is not None:
                target += f"+{model.adapter}"
            extra = (vllm_options or {}) if backend == "vllm" else {}
            return make_generator(target, **options, **extra)

        return local

    log.warning(
        "generator %s is fixed: every round samples it, not the newest adapter (serve the "
        "newest adapter under that name to follow the rounds)",
        spec,
    )

    def fixed(model: ModelRef) -> Generator:
        return make_generator(spec, **options)

    return fixed
