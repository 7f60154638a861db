"""The self-correcting assistant: generate Luau, score it, rewrite it with the
scorer's feedback, and (optionally) push it into Roblox Studio.

    from luaurft.agent import assist
    from luaurft.llm import make_generator

    result = assist("Build a tower defense wave spawner", make_generator("openai:gpt-4o"))
    result.best.score, [f.path for f in result.files]

`luaurft assist` and the MCP server (`luaurft mcp`) are thin layers over this.
"""

from luaurft.agent.assist import (
    AssistError,
    assist,
    build_conversation,
    default_sampling,
    feedback_for,
    pick_best,
    task_prompt,
)
from luaurft.agent.feedback import StudioError, build_feedback
from luaurft.agent.files import FILE_CONVENTION, AnswerFile, kind_from_path, split_answer
from luaurft.agent.result import AssistResult, AssistRound, ScoredFile, StudioPush
from luaurft.agent.scoring import aggregate_scores, make_score_fn
from luaurft.agent.studio_push import StudioSession

__all__ = [
    "FILE_CONVENTION",
    "AnswerFile",
    "AssistError",
    "AssistResult",
    "AssistRound",
    "ScoredFile",
    "StudioError",
    "StudioPush",
    "StudioSession",
    "aggregate_scores",
    "assist",
    "build_conversation",
    "build_feedback",
    "default_sampling",
    "feedback_for",
    "kind_from_path",
    "make_score_fn",
    "pick_best",
    "split_answer",
    "task_prompt",
]
