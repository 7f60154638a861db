"""Fake generators for evaluation tests: answers chosen per task and sample, no model."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from luaurft.eval.tasks import Task, TaskSuite
from luaurft.llm.completion import Completion
from luaurft.testing.fake_judge import render, verdict_for

Answer = Callable[[Task, int], str | None]


@dataclass
class ScriptedGenerator:
    """Answers `answer(task, sample_index)` for each prompt (None: the request fails).

    Records every call (n, seed) so tests can see what was asked; `fail_after`
    makes the call after that many raise, as a killed process would stop.
    """

    name: str
    suite: TaskSuite
    answer: Answer
    fail_after: int | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)

    def _task(self, conversation: Sequence[dict[str, str]]) -> Task:
        prompt = conversation[-1]["content"]
        for task in self.suite:
            if task.user_prompt() == prompt:
                return task
        raise AssertionError("prompt of an unknown task")

    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Completion]]:
        if self.fail_after is not None and len(self.calls) >= self.fail_after:
            raise KeyboardInterrupt("simulated kill")
        count = n or 1
        seed = getattr(sampling, "seed", None)
        self.calls.append({"n": count, "seed": seed, "prompts": len(conversations)})
        first = 0 if seed is None else seed
        rows: list[list[Completion]] = []
        for conversation in conversations:
            task = self._task(conversation)
            row = []
            for j in range(count):
                text = self.answer(task, first + j)
                row.append(
                    Completion.failure("fake outage", model=self.name)
                    if text is None
                    else Completion(text=f"```lua\n{text}\n```", model=self.name)
                )
            rows.append(row)
        return rows


def reference_answer(task: Task, _index: int) -> str:
    return task.solution


def empty_answer(_task: Task, _index: int) -> str:
    return "-- nothing yet"


_FENCED = re.compile(r"(`{3,})luau\n(.*?)\n\1", re.DOTALL)


class JudgeGenerator:
    """Plays the judge model in-process: a deterministic verdict from the code."""

    name = "fake-judge"

    def __init__(self) -> None:
        self.requests = 0

    def generate(
        self, conversations: Sequence[Any], n: int | None = None, sampling: Any = None
    ) -> list[list[Completion]]:
        rows = []
        for conversation in conversations:
            self.requests += 1
            text = conversation[-1]["content"]
            match = _FENCED.search(text)
            code = match.group(2) if match else ""
            rows.append([Completion(text=render(verdict_for(code), "json"), model=self.name)])
        return rows
