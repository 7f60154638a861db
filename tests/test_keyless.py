"""The keyless fake model: judge verdicts, a draft that needs a rewrite, then the answer."""

from __future__ import annotations

import json

from luaurft.eval.tasks import builtin_suite
from luaurft.judge.rubric import build_conversation
from luaurft.luau.source import LuauSource
from luaurft.testing.fake_llm_server import FakeRequest
from luaurft.testing.keyless import draft_of, keyless_responder


def request(messages: list[dict[str, str]]) -> FakeRequest:
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    turns = [m for m in messages if m["role"] != "system"]
    return FakeRequest("openai", "fake", turns, system, None, None, {}, {})


def code_of(answer: str) -> str:
    return answer.split("```lua\n", 1)[1].rsplit("```", 1)[0]


def test_judge_prompts_get_a_verdict() -> None:
    answer = keyless_responder()(request(build_conversation("A kill brick", "print(1)")))
    verdict = json.loads(answer)
    assert {"functionality", "correctness", "completeness", "roblox_practice"} <= set(verdict)


def test_a_first_draft_needs_a_rewrite_and_the_rewrite_is_the_answer() -> None:
    respond = keyless_responder()
    ask = {"role": "user", "content": "Give every player leaderstats with Coins and Level"}
    draft = code_of(respond(request([ask])))
    assert not LuauSource.of(draft).compiles
    rewrite = [ask, {"role": "assistant", "content": draft}, {"role": "user", "content": "fix"}]
    final = code_of(respond(request(rewrite)))
    assert LuauSource.of(final).compiles and final.startswith(draft.rstrip("\n")[:40])


def test_an_eval_prompt_gets_its_tasks_solution_at_once() -> None:
    task = builtin_suite().get("oop-cooldown-class")
    answer = keyless_responder()(request([{"role": "user", "content": task.user_prompt()}]))
    assert code_of(answer).strip() == task.solution.strip()


def test_drafts_of_every_solution_fail_to_compile() -> None:
    for task in builtin_suite():
        assert not LuauSource.of(draft_of(task.solution)).compiles, task.id
