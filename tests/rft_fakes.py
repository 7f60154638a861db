"""Fakes for the RFT tests: a scripted generator that counts what it is asked for, and a
trainer that writes an adapter folder without training anything."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from luaurft.llm import Completion, SamplingParams
from luaurft.rft.loop import TrainRequest
from luaurft.rft.sft import TrainResult
from luaurft.runs.store import TaskRow

GOOD = 'local Players = game:GetService("Players")\n\nPlayers.PlayerAdded:Connect(function(player)\n\tprint(player.Name)\nend)\n'
BROKEN = "local x = = 1\nprint(x\n"


class Injected(RuntimeError):
    """The failure a test injects to kill a run."""


@dataclass
class Call:
    prompts: list[str]
    n: int
    seed: int | None


@dataclass
class ScriptedGenerator:
    """Answers each task with Luau chosen by the sample's seed: good code on even seeds,
    broken code on odd ones (so selection has something to choose).

    `fail_after`: raise `Injected` once that many samples were produced (the
    in-flight call's samples are lost, as when a process is killed).
    `log_path`: append one JSON line per call (for runs in a subprocess).
    """

    name: str = "scripted"
    fail_after: int | None = None
    delay: float = 0.0
    log_path: Path | None = None
    calls: list[Call] = field(default_factory=list)
    produced: int = 0

    def generate(
        self,
        conversations: Sequence[Any],
        n: int | None = None,
        sampling: SamplingParams | None = None,
    ) -> list[list[Completion]]:
        sampling = sampling or SamplingParams()
        count = n if n is not None else sampling.n
        prompts = [c[-1]["content"] if not isinstance(c, str) else c for c in conversations]
        if self.fail_after is not None and self.produced + count * len(prompts) > self.fail_after:
            raise Injected(f"killed after {self.produced} samples")
        if self.delay:
            time.sleep(self.delay)
        call = Call(prompts, count, sampling.seed)
        self.calls.append(call)
        if self.log_path is not None:
            with self.log_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(call.__dict__) + "\n")
        self.produced += count * len(prompts)
        rows = []
        for prompt in prompts:
            row = []
            for j in range(count):
                seed = (sampling.seed or 0) + j
                body = GOOD if seed % 2 == 0 else BROKEN
                text = f"-- {prompt}\n{body}"
                row.append(
                    Completion(text=text, prompt_tokens=10, completion_tokens=20, model=self.name)
                )
            rows.append(row)
        return rows

    @property
    def samples(self) -> int:
        return sum(c.n * len(c.prompts) for c in self.calls)


@dataclass
class FakeTrainer:
    """Writes an adapter folder (config + the rows it was given); records each request."""

    requests: list[TrainRequest] = field(default_factory=list)

    def __call__(self, request: TrainRequest) -> TrainResult:
        self.requests.append(request)
        out = request.output_dir
        out.mkdir(parents=True, exist_ok=True)
        (out / "adapter_config.json").write_text(
            json.dumps({"base_model_name_or_path": request.base_model, "r": 8}), encoding="utf-8"
        )
        (out / "rows.json").write_text(json.dumps(request.rows), encoding="utf-8")
        return TrainResult(
            adapter_dir=out,
            base_model=request.base_model,
            examples=len(request.rows),
            steps=1,
            losses=[1.0, 0.5],
            target_modules=["q_proj"],
            init_adapter=str(request.init_adapter) if request.init_adapter else None,
        )


def good_code_reward(task: str, code: str) -> tuple[float, dict[str, Any]]:
    """0.9 for the good script, 0.2 for anything else (independent of scorer tuning)."""
    return (0.9 if GOOD.strip() in code else 0.2), {"good": GOOD.strip() in code}


def make_tasks(count: int) -> list[TaskRow]:
    return [
        TaskRow(id=f"t{i:02d}", prompt=f"Write a server script number {i} that greets players.")
        for i in range(count)
    ]
