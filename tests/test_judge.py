"""The LLM judge end to end: real SDK clients, the fake server, the SQLite cache."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from luaurft.judge import (
    JudgeBudgetExceededError,
    JudgeCache,
    LLMJudge,
    make_judge,
    prompt_version,
)
from luaurft.llm import AuthenticationError, Budget, RetryPolicy
from luaurft.llm.anthropic_backend import AnthropicGenerator
from luaurft.llm.openai_backend import OpenAIGenerator
from luaurft.llm.remote import RemoteGenerator
from luaurft.testing.fake_judge import code_in_prompt, judge_responder, verdict_for
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest, FaultPlan

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.luau"))


def make_generator(api: str, server: FakeLLMServer, sleeps: list[float]) -> RemoteGenerator:
    retry = RetryPolicy(attempts=8, base_delay=0.01, sleep=sleeps.append, rng=random.Random(1))
    options = {"api_key": "k", "timeout": 0.3, "concurrency": 16, "retry": retry}
    if api == "openai":
        return OpenAIGenerator("judge-model", base_url=server.openai_base_url, **options)
    return AnthropicGenerator("judge-model", base_url=server.anthropic_base_url, **options)


def style_for(code: str) -> str:
    """Mix answer formats by code, and make some answers unreadable for good."""
    if "GARBLED" in code:
        return "garbage"
    digest = int(hashlib.sha256(code.encode()).hexdigest(), 16)
    return ("json", "fenced", "near-json")[digest % 3]


def corpus(size: int) -> list[tuple[str, str]]:
    items = []
    for i in range(size):
        example = EXAMPLES[i % len(EXAMPLES)]
        task = f"Task {i}: write {example.stem.replace('_', ' ')}"
        if i % 40 == 7:
            task += " DOOMED"  # the server fails every request for it
        code = example.read_text() + f"\nprint({i})\n"
        if i % 50 == 13:
            code += "-- GARBLED\n"  # the judge's answer cannot be read
        items.append((task, code))
    return items


@pytest.fixture
def judge_server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(judge_responder(style=style_for), hang_seconds=1.0) as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("api", ["openai", "anthropic"])
def test_200_judgments_with_30_percent_faults_then_a_free_rerun(
    api: str, judge_server: FakeLLMServer, tmp_path: Path
) -> None:
    judge_server.faults = FaultPlan(
        rate=0.3, seed=5, retry_after=2.0, always=lambda r: "DOOMED" in r.last_user_text
    )
    items = corpus(200)
    cache_path = tmp_path / "judge.sqlite"
    sleeps: list[float] = []
    judge = LLMJudge(make_generator(api, judge_server, sleeps), cache=cache_path, batch_size=50)
    first = judge.judge_many(items)

    assert len(first) == 200
    doomed = {i for i, (task, _) in enumerate(items) if "DOOMED" in task}
    garbled = {i for i, (_, code) in enumerate(items) if "GARBLED" in code}
    failed = {i for i, j in enumerate(first) if not j.ok}
    # Permanent failures are exactly the doomed and garbled items (plus, at worst, an
    # item whose 8 tries all met random faults: 0.3**8 each, still a recorded failure).
    assert doomed | garbled <= failed
    for i in failed - doomed - garbled:
        assert "gave up after 8 attempts" in (first[i].error or "")
    for i in doomed:
        assert first[i].error and "gave up after 8 attempts" in first[i].error
        assert first[i].overall is None and first[i].scores == {}
    for i in garbled - doomed:
        assert first[i].error and first[i].error.startswith("unreadable verdict")
        assert first[i].raw  # what the judge said is kept for inspection
    for i, judgment in enumerate(first):
        if i in failed:
            continue
        expected = verdict_for(items[i][1])
        for name, score in judgment.scores.items():
            assert score == expected[name]["score"] / 10  # type: ignore[index]
        assert judgment.judge_model == f"{api}:judge-model" or judgment.judge_model.startswith(
            f"{api}:judge-model@"
        )
        assert judgment.prompt_version == prompt_version()
    # The faults really happened and were retried, honouring Retry-After.
    kinds = set(judge_server.faults_served)
    assert {"rate_limit", "server_error", "timeout", "malformed", "truncated"} <= kinds
    assert sum(w >= 2.0 for w in sleeps) >= judge_server.faults_served.count("rate_limit") - len(
        doomed
    )
    # Every outcome is in the cache, successes and failures alike.
    stats = JudgeCache(cache_path).stats()
    assert (stats.ok, stats.failed) == (200 - len(failed), len(failed))

    # A second run, a new judge and client on the same cache: not one request.
    judge_server.reset_counts()
    again = LLMJudge(make_generator(api, judge_server, []), cache=cache_path).judge_many(items)
    assert judge_server.request_count == 0
    assert all(j.cached for j in again)
    assert [(j.ok, j.overall, j.error) for j in again] == [
        (j.ok, j.overall, j.error) for j in first
    ]

    # Asked to, a later run retries the failures, and only those.
    judge_server.faults = FaultPlan(always=lambda r: "DOOMED" in r.last_user_text)
    retried = LLMJudge(
        make_generator(api, judge_server, []), cache=cache_path, retry_failed=True
    ).judge_many(items)
    asked = {code_in_prompt(r) for r in judge_server.requests}
    assert asked == {items[i][1].rstrip("\n") for i in failed}
    assert {i for i, j in enumerate(retried) if not j.ok} == doomed | garbled


def test_identical_pairs_are_judged_once_and_new_code_is_a_new_key(
    judge_server: FakeLLMServer,
) -> None:
    judge = LLMJudge(make_generator("openai", judge_server, []), cache=JudgeCache())
    code = EXAMPLES[0].read_text()
    results = judge.judge_many([("t", code), ("t", code), ("t", code.replace("\n", "\r\n"))])
    assert judge_server.request_count == 1
    assert results[0] == results[1] == results[2]
    judge.judge("t", code + "\nprint(1)\n")
    judge.judge("another task", code)
    assert judge_server.request_count == 3


def test_cache_key_includes_judge_model_and_prompt_version(
    judge_server: FakeLLMServer, tmp_path: Path
) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")
    code = EXAMPLES[1].read_text()
    first = LLMJudge(make_generator("openai", judge_server, []), cache=cache)
    first.judge("t", code)
    other_model = LLMJudge(make_generator("anthropic", judge_server, []), cache=cache)
    other_model.judge("t", code)
    assert judge_server.request_count == 2
    reworded = LLMJudge(make_generator("openai", judge_server, []), cache=cache)
    reworded.prompt_version = "rubric-2+0000000000"
    reworded.judge("t", code)
    assert judge_server.request_count == 3
    assert cache.stats().ok == 3


def test_budget_stops_judging_and_keeps_what_was_paid_for(
    judge_server: FakeLLMServer, tmp_path: Path
) -> None:
    cache = JudgeCache(tmp_path / "c.sqlite")
    generator = make_generator("openai", judge_server, [])
    generator.concurrency = 1
    items = corpus(10)
    # The first request alone costs more than this.
    generator.budget = Budget(max_tokens=50)
    judge = LLMJudge(generator, cache=cache)
    with pytest.raises(JudgeBudgetExceededError) as caught:
        judge.judge_many(items)
    made = caught.value.judgments
    assert len(made) == 10 and sum(j is not None for j in made) == 1
    assert "1 of 10 judgments made and cached" in str(caught.value)
    assert cache.stats().ok == 1
    assert judge_server.request_count == 1


def test_bad_key_stops_the_judge_at_once(judge_server: FakeLLMServer) -> None:
    judge_server.api_keys = {"right"}
    judge = LLMJudge(make_generator("anthropic", judge_server, []), cache=JudgeCache())
    with pytest.raises(AuthenticationError):
        judge.judge_many(corpus(30))
    # In-flight requests may finish; nothing is retried and the rest is not sent.
    assert judge_server.request_count <= 16


def test_make_judge_reads_specs_and_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from luaurft.llm import GeneratorSpecError, MissingAPIKeyError

    assert make_judge("none") is None and make_judge(None) is None
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="ANTHROPIC_API_KEY"):
        make_judge("anthropic:claude-x")
    with pytest.raises(GeneratorSpecError):
        make_judge("transformers:/some/path")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    judge = make_judge("openai:gpt-x@https://example.invalid/v1", cache=tmp_path / "j.sqlite")
    assert judge is not None and judge.model == "openai:gpt-x@https://example.invalid/v1"
    assert judge.cache is not None and Path(judge.cache.path).exists()


def test_responder_sees_fenced_code(judge_server: FakeLLMServer) -> None:
    seen: list[str] = []

    def spy(request: FakeRequest) -> str:
        seen.append(code_in_prompt(request))
        return judge_responder()(request)

    judge_server.responder = spy
    code = 'print("```")\n'
    LLMJudge(make_generator("openai", judge_server, [])).judge("t", code)
    assert seen == [code.rstrip("\n")]
