"""A stand-in model for trying luaurft's LLM parts without an API key.

`keyless_responder()` answers `FakeLLMServer` requests well enough to show
every path working (`luaurft fake-llm serve` runs it):

- a **judge** request (luaurft's judge prompt) gets a verdict from the fake
  judge (`luaurft.testing.fake_judge`);
- a **first** request for code gets a draft cut off two thirds of the way, as a
  model that ran out of tokens would write it: it does not compile, so the
  scorers' feedback sends `assist` into a rewrite;
- a **rewrite** (a conversation with the scorers' feedback in it) gets the full
  answer, which scores well: `assist` shows its loop converging.

The code comes from the built-in task suite: the task whose request shares the
most words with the prompt. A request that is exactly one of its tasks (what
`eval` sends) gets that task's reference solution at once, so `eval` shows
checks passing. It is a demonstration, not a
model: it only knows the suite's 67 solutions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from luaurft.testing.fake_llm_server import FakeRequest

_WORD = re.compile(r"[a-z][a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "that",
        "every",
        "each",
        "when",
        "is",
        "are",
        "it",
        "its",
        "be",
        "by",
        "as",
        "at",
        "or",
        "make",
        "create",
        "write",
        "script",
        "server",
        "client",
        "local",
        "module",
        "roblox",
        "luau",
        "code",
        "game",
        "player",
        "players",
    ]
)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


@cache
def _solutions() -> tuple[tuple[str, frozenset[str], str], ...]:
    from luaurft.eval.tasks import builtin_suite

    return tuple(
        (task.user_prompt(), frozenset(_words(task.user_prompt())), task.solution)
        for task in builtin_suite()
        if task.solution.strip()
    )


def solution_for(request_text: str) -> tuple[str, bool]:
    """(the built-in solution whose task `request_text` is, True), or (the one whose task
    shares the most words with it, False)."""
    text = request_text.strip()
    wanted = _words(text)
    best, best_overlap = _solutions()[0][2], -1
    for prompt, words, solution in _solutions():
        if prompt.strip() and prompt.strip() == text:
            return solution, True
        overlap = len(wanted & words)
        if overlap > best_overlap:
            best, best_overlap = solution, overlap
    return best, False


def draft_of(solution: str) -> str:
    """The solution cut off two thirds of the way, at a line where it no longer compiles."""
    from luaurft.luau.source import LuauSource

    lines = solution.rstrip("\n").splitlines()
    for cut in range(max(1, len(lines) * 2 // 3), 0, -1):
        draft = "\n".join(lines[:cut]) + "\n"
        if not LuauSource.of(draft).compiles:
            return draft
    return "\n".join(lines[: max(1, len(lines) * 2 // 3)]) + "\nlocal function unfinished(\n"


def _is_judge(request: FakeRequest) -> bool:
    from luaurft.judge.rubric import SYSTEM_PROMPT

    return request.system.strip() == SYSTEM_PROMPT.strip()


def _task_text(request: FakeRequest) -> str:
    for message in request.messages:
        if message["role"] == "user":
            return message["content"]
    return ""


def keyless_responder() -> Callable[[FakeRequest], str]:
    """The responder described in the module docstring."""
    from luaurft.testing.fake_judge import judge_responder
    from luaurft.testing.fake_labels import reverse_label_reply

    judge = judge_responder()

    def respond(request: FakeRequest) -> str:
        if _is_judge(request):
            return judge(request)
        label = reverse_label_reply(request)
        if label is not None:
            # `luaurft data build --label-with` against the keyless server.
            return label
        solution, exact = solution_for(_task_text(request))
        rewrite = sum(1 for m in request.messages if m["role"] == "user") > 1
        code = solution if exact or rewrite else draft_of(solution)
        return f"```lua\n{code.rstrip()}\n```\n"

    return respond


__all__ = ["draft_of", "keyless_responder", "solution_for"]
