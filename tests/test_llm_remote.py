"""The HTTP backends against the local fake server, through the real SDK clients."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest

from luaurft.llm import (
    AuthenticationError,
    Budget,
    BudgetExceededError,
    MissingAPIKeyError,
    ModelNotFoundError,
    Prices,
    RetryPolicy,
    SamplingParams,
    make_generator,
)
from luaurft.llm.anthropic_backend import AnthropicGenerator, to_anthropic
from luaurft.llm.openai_backend import OpenAIGenerator
from luaurft.llm.remote import RemoteGenerator
from luaurft.llm.retry import parse_retry_after
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeReply, FakeRequest, FaultPlan

API = ["openai", "anthropic"]


class SleepRecorder:
    """Stands in for time.sleep: records every wait, sleeps a token amount."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def fast_retry(attempts: int = 5) -> tuple[RetryPolicy, SleepRecorder]:
    sleeper = SleepRecorder()
    return RetryPolicy(
        attempts=attempts, base_delay=0.01, sleep=sleeper, rng=random.Random(0)
    ), sleeper


def generator_for(api: str, server: FakeLLMServer, **options: Any) -> RemoteGenerator:
    options.setdefault("api_key", "test-key")
    options.setdefault("timeout", 0.5)
    if api == "openai":
        return OpenAIGenerator("fake-model", base_url=server.openai_base_url, **options)
    return AnthropicGenerator("fake-model", base_url=server.anthropic_base_url, **options)


def echo(request: FakeRequest) -> str:
    return f"-- answer to: {request.last_user_text}\nprint('ok')"


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with FakeLLMServer(echo, hang_seconds=3) as running:
        yield running


@pytest.mark.parametrize("api", API)
def test_samples_come_back_in_order_with_usage(api: str, server: FakeLLMServer) -> None:
    gen = generator_for(api, server)
    conversations = [
        [{"role": "system", "content": "be brief"}, {"role": "user", "content": f"task {i}"}]
        for i in range(3)
    ]
    rows = gen.generate(conversations, n=2, sampling=SamplingParams(max_new_tokens=77, seed=5))
    assert [len(r) for r in rows] == [2, 2, 2]
    for i, row in enumerate(rows):
        for completion in row:
            assert completion.ok and completion.finish_reason == "stop"
            assert f"task {i}" in completion.text
            # The fake counts words: "be brief" + "task i"; "-- answer to: task i print('ok')".
            assert completion.prompt_tokens == 4
            assert completion.completion_tokens == 6
    assert server.request_count == 6
    for request in server.requests:
        assert request.max_tokens == 77
        assert request.system == "be brief"
        assert [m["role"] for m in request.messages] == ["user"]
    usage = gen.usage.snapshot()
    assert (usage.requests, usage.prompt_tokens, usage.completion_tokens) == (6, 24, 36)
    if api == "openai":
        assert sorted(r.body["seed"] for r in server.requests) == [5, 5, 5, 6, 6, 6]


@pytest.mark.parametrize("api", API)
def test_rate_limit_waits_for_retry_after_then_succeeds(api: str, server: FakeLLMServer) -> None:
    server.faults = FaultPlan(script=["rate_limit", "rate_limit"], retry_after=7)
    policy, sleeper = fast_retry()
    rows = generator_for(api, server, retry=policy).generate(["hello"], n=1)
    assert rows[0][0].ok and rows[0][0].attempts == 3
    assert server.request_count == 3
    # Retry-After: 7 is honoured (plus at most 10% jitter), not the 0.01 s backoff.
    assert len(sleeper.waits) == 2 and all(7 <= w <= 7.7 for w in sleeper.waits)
    assert server.faults_served == ["rate_limit", "rate_limit"]


@pytest.mark.parametrize("api", API)
@pytest.mark.parametrize(
    "fault", ["server_error", "overloaded", "timeout", "malformed", "truncated"]
)
def test_transient_faults_are_retried(api: str, fault: str, server: FakeLLMServer) -> None:
    server.faults = FaultPlan(script=[fault])  # type: ignore[list-item]
    policy, sleeper = fast_retry()
    gen = generator_for(api, server, retry=policy, timeout=0.3)
    rows = gen.generate(["hello"], n=1)
    assert rows[0][0].ok, rows[0][0].error
    assert "answer to: hello" in rows[0][0].text
    assert server.request_count == 2
    # Exponential backoff with full jitter: the first wait is within base_delay.
    assert len(sleeper.waits) == 1 and 0 <= sleeper.waits[0] <= 0.01
    assert gen.usage.snapshot().retries == 1


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, rng=random.Random(3))
    waits = [policy.delay(k, None) for k in range(8)]
    assert all(0 <= w <= min(10.0, 2**k) for k, w in enumerate(waits))
    # Full jitter still spreads: not every wait is the cap.
    assert len({round(w, 6) for w in waits}) == len(waits)


@pytest.mark.parametrize("api", API)
def test_a_request_that_always_fails_becomes_a_recorded_failure(
    api: str, server: FakeLLMServer
) -> None:
    server.faults = FaultPlan(always=lambda r: "doomed" in r.last_user_text)
    policy, _ = fast_retry(attempts=3)
    rows = generator_for(api, server, retry=policy).generate(["fine", "doomed"], n=1)
    assert rows[0][0].ok
    failed = rows[1][0]
    assert not failed.ok and failed.finish_reason == "error" and failed.text == ""
    assert "gave up after 3 attempts" in (failed.error or "") and "500" in (failed.error or "")
    assert server.request_count == 1 + 3


@pytest.mark.parametrize("api", API)
def test_bad_key_fails_at_once_with_a_clear_message(api: str, server: FakeLLMServer) -> None:
    server.api_keys = {"the-right-key"}
    policy, sleeper = fast_retry()
    gen = generator_for(api, server, retry=policy, api_key="wrong", concurrency=1)
    with pytest.raises(AuthenticationError) as caught:
        gen.generate([f"task {i}" for i in range(20)], n=1)
    assert "401" in str(caught.value)
    assert ("ANTHROPIC_API_KEY" if api == "anthropic" else "OPENAI_API_KEY") in str(caught.value)
    assert server.request_count == 1  # nothing retried, nothing more sent
    assert sleeper.waits == []


@pytest.mark.parametrize("api", API)
def test_unknown_model_fails_at_once(api: str, server: FakeLLMServer) -> None:
    server.models = {"other-model"}
    gen = generator_for(api, server, concurrency=1)
    with pytest.raises(ModelNotFoundError) as caught:
        gen.generate(["a", "b", "c"], n=2)
    assert "fake-model" in str(caught.value) and "404" in str(caught.value)
    assert server.request_count == 1


@pytest.mark.parametrize("api", API)
def test_bad_request_is_recorded_and_not_retried(api: str, server: FakeLLMServer) -> None:
    server.faults = FaultPlan(script=["bad_request"])
    policy, sleeper = fast_retry()
    rows = generator_for(api, server, retry=policy).generate(["x"], n=1)
    assert not rows[0][0].ok
    assert "400" in (rows[0][0].error or "") and "too long" in (rows[0][0].error or "")
    assert server.request_count == 1 and sleeper.waits == []


@pytest.mark.parametrize("api", API)
def test_concurrency_is_bounded(api: str, server: FakeLLMServer) -> None:
    import time

    def slow(request: FakeRequest) -> str:
        time.sleep(0.02)
        return "print(1)"

    server.responder = slow
    rows = generator_for(api, server, concurrency=3).generate([str(i) for i in range(12)], n=1)
    assert all(r[0].ok for r in rows)
    assert 1 < server.max_in_flight <= 3


@pytest.mark.parametrize("api", API)
def test_token_budget_stops_the_run_and_keeps_what_finished(
    api: str, server: FakeLLMServer
) -> None:
    # Each request costs 1 prompt + 5 completion tokens with this responder.
    gen = generator_for(api, server, concurrency=1, budget=Budget(max_tokens=20))
    with pytest.raises(BudgetExceededError) as caught:
        gen.generate([str(i) for i in range(10)], n=1)
    error = caught.value
    finished = [c for row in error.partial for c in row]
    assert len(finished) == 4 and all(c.ok for c in finished)  # 6, 12, 18, 24 >= 20: stop
    assert server.request_count == 4
    assert error.usage is not None and error.usage.total_tokens == 24
    assert "token budget spent" in str(error) and "4 of 10" in str(error)


def test_dollar_budget_uses_configured_prices(server: FakeLLMServer) -> None:
    prices = Prices(input_per_mtok=1_000_000, output_per_mtok=1_000_000)  # $1 per token
    gen = generator_for("openai", server, concurrency=1, budget=Budget(max_usd=10, prices=prices))
    with pytest.raises(BudgetExceededError) as caught:
        gen.generate(["a", "b", "c"], n=1)
    assert server.request_count == 2  # $6, then $12 >= $10
    assert caught.value.usage is not None and caught.value.usage.cost_usd == 12
    with pytest.raises(ValueError):
        Budget(max_usd=1.0)


def test_finish_reason_length_is_mapped(server: FakeLLMServer) -> None:
    server.responder = lambda r: FakeReply("local x = ", finish_reason="length")
    for api in API:
        row = generator_for(api, server).generate(["x"], n=1)[0]
        assert row[0].finish_reason == "length" and row[0].truncated


def test_missing_keys_raise_clear_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="ANTHROPIC_API_KEY"):
        make_generator("anthropic:claude-x")
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        make_generator("openai:gpt-x")
    with pytest.raises(MissingAPIKeyError, match="OPENAI_API_KEY"):
        make_generator("openai:m@https://example.invalid/v1")
    # A server on this machine (vLLM, Ollama) needs no key.
    local = make_generator("openai:m@http://127.0.0.1:9/v1")
    assert local.name == "openai:m@http://127.0.0.1:9/v1"
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    assert make_generator("anthropic:claude-x").name == "anthropic:claude-x"


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3
    assert parse_retry_after({"retry-after": "0.25"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert parse_retry_after({"Retry-After": date}, now=1445412480.0) == 10.0
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None


def test_anthropic_turns_are_merged_and_system_split() -> None:
    system, turns = to_anthropic(
        [
            {"role": "system", "content": "S1"},
            {"role": "assistant", "content": "hi"},
            {"role": "user", "content": "a"},
            {"role": "user", "content": "b"},
        ]
    )
    assert system == "S1"
    assert [t["role"] for t in turns] == ["user", "assistant", "user"]
    assert turns[-1]["content"] == "a\n\nb"
