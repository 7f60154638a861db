"""Typed inputs shared by every backend: chat messages and sampling settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from luaurft.config import REFERENCE_SYSTEM_PROMPT, SamplingSettings
from luaurft.llm.completion import Completion

__all__ = [
    "REFERENCE_SYSTEM_PROMPT",
    "Conversation",
    "Generator",
    "Message",
    "SamplingParams",
    "normalise_conversation",
]

# One chat message: {"role": "system" | "user" | "assistant", "content": "..."}.
Message = dict[str, str]
Conversation = list[Message]


class SamplingParams(BaseModel):
    """How to sample. Defaults are the reference RFT settings (T=0.8, top_p=0.95).

    `seed` makes a local backend reproducible; remote servers treat it as a
    hint (OpenAI-compatible servers pass it on, Anthropic ignores it). Sample
    `j` of a conversation uses `seed + j`, so the n samples differ.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    n: int = Field(default=1, ge=1)
    temperature: float = Field(default=0.8, ge=0.0, le=2.0)
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    max_new_tokens: int = Field(default=1024, ge=1)
    seed: int | None = None
    stop: tuple[str, ...] = ()

    @field_validator("stop", mode="before")
    @classmethod
    def _stop_as_tuple(cls, value: object) -> object:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(value)
        return value

    @classmethod
    def from_settings(cls, settings: SamplingSettings, **overrides: object) -> SamplingParams:
        """The sampling of a run's configuration (`Settings.sampling`)."""
        values: dict[str, object] = {
            "n": settings.n,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "max_new_tokens": settings.max_new_tokens,
            "seed": settings.seed,
        }
        return cls.model_validate(values | overrides)

    def sample_seed(self, index: int) -> int | None:
        return None if self.seed is None else self.seed + index


def normalise_conversation(conversation: Sequence[Message] | str) -> Conversation:
    """A conversation as a list of {"role", "content"} dicts; a bare string is one user turn."""
    if isinstance(conversation, str):
        return [{"role": "user", "content": conversation}]
    messages: Conversation = []
    for message in conversation:
        role = str(message.get("role", "user"))
        content = message.get("content", "")
        if not isinstance(content, str):
            # Content given as a list of typed parts (OpenAI style): keep the text.
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        messages.append({"role": role, "content": content})
    return messages


@runtime_checkable
class Generator(Protocol):
    """Anything that samples a model: `generate` returns, for each conversation, `n`
    completions (a failed request is a `Completion` with `error` set)."""

    name: str

    def generate(
        self,
        conversations: Sequence[Sequence[Message] | str],
        n: int | None = None,
        sampling: SamplingParams | None = None,
    ) -> list[list[Completion]]: ...
