from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from data_helpers import corpus_texts
from luaurft.data.labelling import (
    REVERSE_LABEL_PROMPT_VERSION,
    GoldConfig,
    GoldTask,
    LabelConfig,
    generate_gold,
    reverse_label,
    validate_task,
)
from luaurft.data.records import REFERENCE_SYSTEM_PROMPT, CodeRecord


@dataclass
class FakeCompletion:
    text: str
    finish_reason: str = "stop"

    def extract_code(self) -> str:
        match = re.search(r"```(?:lua|luau)?\n(.*?)```", self.text, re.DOTALL)
        return match.group(1) if match else self.text


class FakeGenerator:
    """Implements the Generator protocol; `reply(conversation, call, sample)` makes each text."""

    def __init__(self, reply: Callable[[Sequence[dict[str, str]], int, int], str]) -> None:
        self.reply = reply
        self.calls: list[tuple[int, int]] = []  # (conversations, n) per call
        self.conversations: list[Sequence[dict[str, str]]] = []

    def generate(
        self, conversations: Sequence[Sequence[dict[str, str]]], n: int, sampling: Any
    ) -> list[list[FakeCompletion]]:
        call = len(self.calls)
        self.calls.append((len(conversations), n))
        self.conversations.extend(conversations)
        return [
            [FakeCompletion(self.reply(conv, call, i)) for i in range(n)] for conv in conversations
        ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Create a kill brick that removes 100 health from any player who touches it.", None),
        ('"Make a door that slides open when its ProximityPrompt is triggered."', None),
        (
            "Task: Build a daily reward that gives 50 coins once every 24 hours and saves the claim time.",
            None,
        ),
        (
            "This script gives players coins when they join the game and touch parts.",
            "not-imperative",
        ),
        (
            "Sure! Here is the request: make a door that opens when prompted by players.",
            "not-imperative",
        ),
        (
            "Create a shop where `local price = PRICES[item]` is checked before buying items.",
            "contains-code",
        ),
        (
            "Create a remote that calls player:Kick() when the request is invalid for that player.",
            "contains-code",
        ),
        ("Write the script:\n```lua\nprint('hi')\n```", "contains-code"),
        ("Make a door.", "too-short"),
        ("Create a door. " * 80, "too-long"),
        (
            "Create a round system with:\n- intermission of 15 seconds\n- rounds of 90 seconds",
            "not-single-request",
        ),
        (
            "Can you create a sprint script that sets the walk speed to 28 on shift?",
            "not-imperative",
        ),
        ("", "empty"),
    ],
)
def test_task_validation(text: str, reason: str | None) -> None:
    cleaned, error = validate_task(text)
    assert error == reason
    if reason is None:
        assert not cleaned.startswith(('"', "Task:"))


def test_reverse_label_validates_retries_and_records_failures() -> None:
    texts = corpus_texts()
    names = ["daily_reward.luau", "door_tween.luau", "killbrick.luau", "leaderstats.luau"]
    records = [CodeRecord(id=n, text=texts[n]) for n in names]
    records.append(
        CodeRecord(
            id="has-task", text=texts["inventory_module.luau"], task="Write an inventory module."
        )
    )

    def reply(conversation: Sequence[dict[str, str]], call: int, sample: int) -> str:
        code = conversation[-1]["content"]
        if "DailyReward" in code:
            return "```lua\nprint('no')\n```"  # never acceptable: fails every attempt
        if "TweenService" in code and call == 0:
            return "This script opens and closes the door with a tween when prompted."  # rejected first, accepted on retry
        if "TweenService" in code:
            return (
                "Create a door that tweens open and closed when its ProximityPrompt is triggered."
            )
        return "Write a server script that " + (
            "handles players joining and tracks their stats."
            if "leaderstats" in code
            else "damages players who touch the brick."
        )

    generator = FakeGenerator(reply)
    result = reverse_label(records, generator, config=LabelConfig(max_attempts=3, batch_size=2))
    by_id = {o.record_id: o for o in result.outcomes}
    daily = by_id["daily_reward.luau"]
    assert daily.task is None and len(daily.attempts) == 3
    assert {a.error for a in daily.attempts} == {"contains-code"}
    door = by_id["door_tween.luau"]
    assert [a.error for a in door.attempts] == ["not-imperative", None]
    assert door.task is not None and door.task.startswith("Create a door")
    labelled = {r.id: r for r in result.labelled}
    assert set(labelled) == {"door_tween.luau", "killbrick.luau", "leaderstats.luau", "has-task"}
    assert labelled["has-task"].task == "Write an inventory module."
    assert labelled["door_tween.luau"].meta["label_prompt_version"] == REVERSE_LABEL_PROMPT_VERSION
    assert labelled["door_tween.luau"].meta["label_attempts"] == 2
    # the record with a task was never sent; batches respect batch_size
    assert all(conv[-1]["content"].find("Inventory.new") < 0 for conv in generator.conversations)
    assert all(size <= 2 and n == 1 for size, n in generator.calls)
    summary = result.to_dict()
    assert summary["failed"] == 1 and summary["rejections"]["contains-code"] == 3


def test_reverse_label_survives_a_failing_backend() -> None:
    calls = {"n": 0}

    class Flaky(FakeGenerator):
        def generate(
            self, conversations: Sequence[Sequence[dict[str, str]]], n: int, sampling: Any
        ) -> list[list[FakeCompletion]]:
            calls["n"] += 1
            if calls["n"] == 1:
                raise TimeoutError("backend timed out")
            return super().generate(conversations, n, sampling)

    generator = Flaky(
        lambda conv, call, i: "Create a kill brick that damages players who touch it."
    )
    records = [CodeRecord(id="k", text=corpus_texts()["killbrick.luau"])]
    result = reverse_label(records, generator)
    outcome = result.outcomes[0]
    assert (
        outcome.ok
        and outcome.attempts[0].error is not None
        and "TimeoutError" in outcome.attempts[0].error
    )


def test_gold_keeps_only_solutions_above_the_threshold() -> None:
    good = corpus_texts()["killbrick.luau"]
    broken = "local function f(\n  x = = 1\nend end"

    def reply(conversation: Sequence[dict[str, str]], call: int, sample: int) -> str:
        assert conversation[0] == {"role": "system", "content": REFERENCE_SYSTEM_PROMPT}
        if "kill brick" in conversation[-1]["content"] and sample == 2:
            return f"Here you go:\n```lua\n{good}```\nEnjoy."
        return broken

    generator = FakeGenerator(reply)
    tasks = [GoldTask("Create a kill brick.", id="kill", kind="Script"), "Create a flying carpet."]
    result = generate_gold(tasks, generator, config=GoldConfig(samples=3, min_score=0.6))
    assert generator.calls == [(2, 3)]
    assert len(result.records) == 1
    record = result.records[0]
    assert (
        record.text == good.strip()
        and record.task == "Create a kill brick."
        and record.source == "gold"
    )
    assert record.score is not None and record.score >= 0.6
    assert result.outcomes[0].scores[2] == record.score and result.outcomes[0].scores[0] < 0.6
    assert result.outcomes[1].record is None and len(result.outcomes[1].scores) == 3
