"""Errors raised by generation backends.

The ones a user can fix (a key, a model name, a missing extra, a spent budget)
derive from `LuaurftError`, so the CLI prints them without a traceback. A
request that keeps failing for transient reasons is not raised: it becomes a
failed `Completion` so one bad request never sinks a batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from luaurft.errors import LuaurftError

if TYPE_CHECKING:
    from luaurft.llm.completion import Completion
    from luaurft.llm.usage import UsageSnapshot


class LLMError(LuaurftError):
    """Base class for generation errors a user can act on."""


class MissingAPIKeyError(LLMError):
    """No API key in the argument or the environment."""

    def __init__(self, provider: str, env_var: str) -> None:
        super().__init__(
            f"no API key for {provider}: set the {env_var} environment variable "
            "(or pass the key explicitly)"
        )
        self.provider = provider
        self.env_var = env_var


class AuthenticationError(LLMError):
    """The server rejected the credentials (401/403). Retrying cannot help."""


class ModelNotFoundError(LLMError):
    """The server does not serve the requested model (404). Retrying cannot help."""


class BackendUnavailableError(LLMError):
    """A backend's optional dependency is not installed."""


class GeneratorSpecError(LLMError):
    """A `make_generator` spec that cannot be parsed."""


class BudgetExceededError(LLMError):
    """The spend budget ran out; requests not yet sent were not sent.

    `partial` holds, per conversation, the completions that did finish (a list
    may be shorter than `n`), so a caller can keep what was paid for.
    """

    def __init__(
        self,
        message: str,
        *,
        partial: list[list[Completion]] | None = None,
        usage: UsageSnapshot | None = None,
    ) -> None:
        super().__init__(message)
        self.partial = partial or []
        self.usage = usage


class TransientError(Exception):
    """A request failure worth retrying (429, 5xx, timeout, connection, bad body).

    Internal to the retry loop: it never escapes a generator.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentRequestError(Exception):
    """A request the server will never accept as sent (400, 413, 422): not retried,
    recorded as a failed completion."""
