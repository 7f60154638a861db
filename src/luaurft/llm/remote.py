"""What the HTTP backends share: bounded concurrency, retries, budget, usage.

A subclass sends one request for one sample (`_request`) and maps its SDK's
exceptions onto ours (`_classify`); this class fans a batch out over a thread
pool, retries what is transient, fails at once on what is not (bad key, unknown
model), records every token, and stops sending when the budget is spent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from luaurft.llm.completion import Completion
from luaurft.llm.errors import (
    AuthenticationError,
    BudgetExceededError,
    LLMError,
    ModelNotFoundError,
    PermanentRequestError,
    TransientError,
)
from luaurft.llm.retry import RetryPolicy, is_retryable_status, parse_retry_after
from luaurft.llm.types import (
    Conversation,
    Message,
    SamplingParams,
    normalise_conversation,
)
from luaurft.llm.usage import Budget, Prices, Usage, UsageSnapshot


@dataclass(frozen=True)
class _Reply:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    model: str


def classify_status(
    status: int,
    message: str,
    headers: Mapping[str, str] | None,
    *,
    provider: str,
    model: str,
    where: str,
    key_hint: str,
) -> Exception:
    """The exception of ours that an HTTP error status stands for."""
    if status in (401, 403):
        return AuthenticationError(
            f"{provider} at {where} rejected the credentials ({status}: {message}); "
            f"check {key_hint}"
        )
    if status == 404:
        return ModelNotFoundError(
            f"{provider} at {where} has no model {model!r} ({status}: {message}); check the "
            "model name (a LoRA adapter on a vLLM server is addressed by its --lora-modules "
            "name) and the base URL"
        )
    if is_retryable_status(status):
        return TransientError(f"HTTP {status}: {message}", retry_after=parse_retry_after(headers))
    return PermanentRequestError(f"HTTP {status}: {message}")


def sdk_error_message(exc: Any) -> str:
    """The server's own error text from an SDK exception, when its body has one."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(getattr(exc, "message", "") or exc)


class RemoteGenerator:
    """Base class of the HTTP backends (see module docstring).

    `concurrency` requests are in flight at most. `retry` decides how transient
    failures are retried; `budget` (tokens or dollars) stops the run cleanly;
    `prices` turns tokens into dollars in `usage`.
    """

    provider = "remote"
    key_hint = "the API key"
    # The host named in error messages; subclasses set it from their base URL.
    _where = "the server"

    def __init__(
        self,
        model: str,
        *,
        concurrency: int = 8,
        retry: RetryPolicy | None = None,
        budget: Budget | None = None,
        prices: Prices | None = None,
        timeout: float = 120.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.model = model
        self.concurrency = concurrency
        self.retry = retry or RetryPolicy()
        self.budget = budget
        self.timeout = timeout
        self.usage = Usage(prices or (budget.prices if budget else None))
        self.name = f"{self.provider}:{model}"

    # -- subclass hooks -------------------------------------------------------

    def _request(
        self, conversation: Conversation, sampling: SamplingParams, seed: int | None
    ) -> _Reply:
        raise NotImplementedError

    def _classify(self, exc: Exception) -> Exception | None:
        """Our exception for an SDK exception, or None to let it propagate (a bug)."""
        raise NotImplementedError

    def _classify_sdk_error(
        self, exc: Exception, sdk: ModuleType, provider: str
    ) -> Exception | None:
        """`_classify` for the `openai` and `anthropic` SDKs, whose exception
        classes share names and meaning (both are generated from one template)."""
        if isinstance(exc, sdk.APIStatusError):
            return classify_status(
                exc.status_code,
                sdk_error_message(exc),
                dict(exc.response.headers),
                provider=provider,
                model=self.model,
                where=self._where,
                key_hint=self.key_hint,
            )
        # Checked before APIConnectionError, of which it is a subclass.
        if isinstance(exc, sdk.APITimeoutError):
            return TransientError(f"timed out after {self.timeout:g}s")
        if isinstance(exc, sdk.APIConnectionError):
            return TransientError(f"connection failed: {exc}")
        if isinstance(exc, sdk.APIResponseValidationError | ValueError):
            # A 200 whose body is not the JSON it should be: a broken proxy or a
            # server hiccup; asking again usually works.
            return TransientError(f"malformed response body: {exc}")
        return None

    # -- the shared loop ------------------------------------------------------

    def _one(
        self,
        conversation: Conversation,
        sampling: SamplingParams,
        seed: int | None,
    ) -> Completion:
        def call() -> _Reply:
            try:
                return self._request(conversation, sampling, seed)
            except (TransientError, PermanentRequestError, LLMError):
                raise
            except Exception as exc:
                mapped = self._classify(exc)
                if mapped is None:
                    raise
                raise mapped from exc

        attempts_made = 0

        def on_retry(attempt: int, exc: TransientError, wait: float) -> None:
            nonlocal attempts_made
            attempts_made = attempt
            self.usage.record(ok=False)
            self.usage.record_retry()

        try:
            reply, attempts = self.retry.run(call, on_retry=on_retry)
        except TransientError as exc:
            self.usage.record(ok=False)
            return Completion.failure(
                f"gave up after {self.retry.attempts} attempts: {exc}",
                model=self.model,
                attempts=self.retry.attempts,
            )
        except PermanentRequestError as exc:
            self.usage.record(ok=False)
            return Completion.failure(
                f"request refused: {exc}", model=self.model, attempts=attempts_made + 1
            )
        self.usage.record(
            prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens
        )
        return Completion(
            text=reply.text,
            finish_reason=reply.finish_reason,
            prompt_tokens=reply.prompt_tokens,
            completion_tokens=reply.completion_tokens,
            model=reply.model or self.model,
            attempts=attempts,
        )

    def generate(
        self,
        conversations: Sequence[Sequence[Message] | str],
        n: int | None = None,
        sampling: SamplingParams | None = None,
        *,
        on_completion: Callable[[int, int, Completion], None] | None = None,
    ) -> list[list[Completion]]:
        """`n` completions per conversation (one request each, `concurrency` at a time).

        `on_completion(conversation_index, sample_index, completion)` is called (from
        a worker thread) as each request finishes, so a caller can keep every answer
        the moment it arrives rather than when the whole batch is done.

        Raises `AuthenticationError` / `ModelNotFoundError` as soon as one request
        meets them (nothing else is sent), and `BudgetExceededError` with the
        finished completions when the budget runs out.
        """
        sampling = sampling or SamplingParams()
        count = n if n is not None else sampling.n
        convs = [normalise_conversation(c) for c in conversations]
        slots: list[list[Completion | None]] = [[None] * count for _ in convs]
        stop = threading.Event()
        fatal: list[BaseException] = []
        budget_reason: list[str] = []

        def work(i: int, j: int) -> None:
            if stop.is_set():
                return
            reason = self.usage.exhausts(self.budget)
            if reason is not None:
                budget_reason.append(reason)
                stop.set()
                return
            try:
                slots[i][j] = done = self._one(convs[i], sampling, sampling.sample_seed(j))
            except (AuthenticationError, ModelNotFoundError) as exc:
                fatal.append(exc)
                stop.set()
                return
            if on_completion is not None:
                on_completion(i, j, done)

        jobs = [(i, j) for i in range(len(convs)) for j in range(count)]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, max(1, len(jobs)))) as pool:
            for future in [pool.submit(work, i, j) for i, j in jobs]:
                future.result()
        if fatal:
            raise fatal[0]
        if budget_reason:
            partial = [[c for c in row if c is not None] for row in slots]
            done = sum(len(row) for row in partial)
            raise BudgetExceededError(
                f"{self.name}: {budget_reason[0]}; {done} of {len(jobs)} completions finished "
                "and are kept, the rest were not requested",
                partial=partial,
                usage=self.usage.snapshot(),
            )
        return [[c for c in row if c is not None] for row in slots]

    def usage_snapshot(self) -> UsageSnapshot:
        return self.usage.snapshot()
