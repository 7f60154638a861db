"""A miniature candidates stage over a `RunStore`, used by the resume tests (also as a
subprocess that gets killed): generate only what is missing, store it as it arrives."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from luaurft.runs.store import NewCandidate, RunStore, TaskRow


@dataclass
class Completion:
    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 7
    completion_tokens: int = 5

    def extract_code(self) -> str:
        return self.text.strip()


class CountingGenerator:
    """The Generator protocol; counts every completion it produces, can fail or log."""

    def __init__(
        self,
        tag: str,
        *,
        fail_on_call: int | None = None,
        delay: float = 0.0,
        log: Path | None = None,
    ) -> None:
        self.tag = tag
        self.fail_on_call = fail_on_call
        self.delay = delay
        self.log = log
        self.calls = 0
        self.produced: list[str] = []  # one entry per completion: the prompt it answered

    def generate(
        self, conversations: Sequence[Sequence[dict[str, str]]], n: int, sampling: Any
    ) -> list[list[Completion]]:
        self.calls += 1
        if self.fail_on_call is not None and self.calls == self.fail_on_call:
            raise RuntimeError("backend died")
        time.sleep(self.delay)
        out = []
        for conversation in conversations:
            prompt = conversation[-1]["content"]
            group = []
            for i in range(n):
                self.produced.append(prompt)
                if self.log is not None:
                    with self.log.open("a") as handle:
                        handle.write(prompt + "\n")
                group.append(Completion(f"print({prompt!r}, {i}) -- {self.tag}"))
            out.append(group)
        return out


def make_tasks(count: int) -> list[TaskRow]:
    return [
        TaskRow(id=f"task-{i:03d}", prompt=f"Make thing {i}", kind="Script") for i in range(count)
    ]


def fill_candidates(store: RunStore, round: int, n: int, generator: CountingGenerator) -> None:
    missing: dict[str, list[int]] = {}
    for task_id, index in store.missing_candidates(round, n):
        missing.setdefault(task_id, []).append(index)
    prompts = {t.id: t.prompt for t in store.tasks()}
    for task_id, indices in missing.items():
        conversation = [{"role": "user", "content": prompts[task_id]}]
        group = generator.generate([conversation], len(indices), None)[0]
        store.add_candidates(
            [
                NewCandidate.from_completion(task_id, round, index, c, model=generator.tag)
                for index, c in zip(indices, group, strict=True)
            ]
        )


if __name__ == "__main__":
    db, log, tasks, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    with RunStore(db, kind="rft", config={"n": n}) as run:
        run.add_tasks(make_tasks(tasks))
        run.start_round(1)
        fill_candidates(run, 1, n, CountingGenerator("child", delay=0.02, log=log))
