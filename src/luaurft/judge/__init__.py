"""The LLM judge: a versioned rubric, a tolerant verdict parser, a SQLite cache,
and a deterministic check for text in the code that addresses the judge.

    from luaurft.judge import LLMJudge, JudgeCache
    from luaurft.llm import make_generator
    judge = LLMJudge(make_generator("anthropic:claude-sonnet-4-5"), cache="judge.sqlite")
    judgment = judge.judge("Make a kill brick", code)
    judgment.overall, judgment.scores, judgment.rationale  # or judgment.error
"""

from __future__ import annotations

from luaurft.judge.cache import CacheKey, CacheStats, JudgeCache
from luaurft.judge.factory import DEFAULT_JUDGE, default_cache_path, make_judge
from luaurft.judge.injection import (
    EvaluatorAddress,
    addresses_evaluator,
    find_evaluator_address,
    strip_evaluator_address,
)
from luaurft.judge.judge import (
    JUDGE_SAMPLING,
    JudgeBudgetExceededError,
    Judgment,
    LLMJudge,
    code_key,
)
from luaurft.judge.parse import Verdict, VerdictParseError, parse_verdict
from luaurft.judge.rubric import (
    CRITERIA,
    CRITERION_NAMES,
    PROMPT_VERSION,
    Criterion,
    build_conversation,
    prompt_version,
)

__all__ = [
    "CRITERIA",
    "CRITERION_NAMES",
    "DEFAULT_JUDGE",
    "JUDGE_SAMPLING",
    "PROMPT_VERSION",
    "CacheKey",
    "CacheStats",
    "Criterion",
    "EvaluatorAddress",
    "JudgeBudgetExceededError",
    "JudgeCache",
    "Judgment",
    "LLMJudge",
    "Verdict",
    "VerdictParseError",
    "addresses_evaluator",
    "build_conversation",
    "code_key",
    "default_cache_path",
    "find_evaluator_address",
    "make_judge",
    "parse_verdict",
    "prompt_version",
    "strip_evaluator_address",
]
