"""Build a judge from a spec string, as the CLI and configs name it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from luaurft.judge.judge import LLMJudge
from luaurft.llm.errors import GeneratorSpecError
from luaurft.llm.factory import make_generator, parse_generator_spec

# The reference system judges with Claude.
DEFAULT_JUDGE = "anthropic:claude-sonnet-4-5"


def default_cache_path() -> Path:
    """$XDG_CACHE_HOME/luaurft/judge.sqlite (~/.cache/luaurft/judge.sqlite)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "luaurft" / "judge.sqlite"


def make_judge(
    spec: str | None,
    *,
    cache: str | Path | None = None,
    retry_failed: bool = False,
    **generator_options: Any,
) -> LLMJudge | None:
    """An `LLMJudge` for `anthropic:MODEL` or `openai:MODEL[@BASE_URL]`; None for "none".

    Keys come from ANTHROPIC_API_KEY / OPENAI_API_KEY unless `api_key` is given.
    """
    if spec is None or spec.strip().lower() in ("", "none", "off"):
        return None
    parsed = parse_generator_spec(spec)
    if parsed.backend not in ("anthropic", "openai"):
        raise GeneratorSpecError(
            f"a judge is an API model: anthropic:MODEL or openai:MODEL@BASE_URL, not {spec!r}"
        )
    generator = make_generator(spec, **generator_options)
    return LLMJudge(generator, cache=cache, retry_failed=retry_failed)
