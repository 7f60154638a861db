"""Claude through the official `anthropic` SDK (the reference judge)."""

from __future__ import annotations

import os
from typing import Any

from luaurft.llm.errors import MissingAPIKeyError, TransientError
from luaurft.llm.remote import RemoteGenerator, _Reply
from luaurft.llm.types import Conversation, SamplingParams

# Anthropic's names for why a message ended, in the vocabulary every backend shares.
_FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length"}


def to_anthropic(conversation: Conversation) -> tuple[str, list[dict[str, str]]]:
    """Split out the system prompt and merge consecutive turns of one role, as the
    Messages API requires alternating user/assistant turns starting with the user."""
    system = "\n\n".join(m["content"] for m in conversation if m["role"] == "system")
    turns: list[dict[str, str]] = []
    for message in conversation:
        if message["role"] == "system":
            continue
        role = "assistant" if message["role"] == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1] = {
                "role": role,
                "content": turns[-1]["content"] + "\n\n" + message["content"],
            }
        else:
            turns.append({"role": role, "content": message["content"]})
    if not turns or turns[0]["role"] != "user":
        turns.insert(0, {"role": "user", "content": "(continue)"})
    return system, turns


class AnthropicGenerator(RemoteGenerator):
    """Samples through `client.messages.create`, one request per sample.

    The key comes from `api_key` or `ANTHROPIC_API_KEY`. Current Claude models
    fix their own sampling (the SDK no longer takes temperature or top_p, and
    there is no seed), so only the token limit and stop sequences are sent;
    `send_temperature=True` passes the temperature (capped at 1) in the request
    body for models that still accept it.
    """

    provider = "anthropic"
    key_hint = "ANTHROPIC_API_KEY"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        send_temperature: bool = False,
        **options: Any,
    ) -> None:
        import anthropic

        self.send_temperature = send_temperature
        super().__init__(model, **options)
        key = api_key or os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise MissingAPIKeyError("Anthropic", "ANTHROPIC_API_KEY")
        self.base_url = base_url or os.environ.get("ANTHROPIC_BASE_URL") or None
        self.client = anthropic.Anthropic(
            api_key=key, base_url=self.base_url, max_retries=0, timeout=self.timeout
        )
        self._where = self.base_url or "api.anthropic.com"

    def _request(
        self, conversation: Conversation, sampling: SamplingParams, seed: int | None
    ) -> _Reply:
        system, turns = to_anthropic(conversation)
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": turns,
            "max_tokens": sampling.max_new_tokens,
        }
        if self.send_temperature:
            kwargs["extra_body"] = {"temperature": min(sampling.temperature, 1.0)}
        if system:
            kwargs["system"] = system
        if sampling.stop:
            kwargs["stop_sequences"] = list(sampling.stop)
        response = self.client.messages.create(**kwargs)
        try:
            text = "".join(
                block.text for block in response.content if getattr(block, "type", "") == "text"
            )
            finish = _FINISH.get(str(response.stop_reason), str(response.stop_reason or "stop"))
            prompt_tokens = int(response.usage.input_tokens)
            completion_tokens = int(response.usage.output_tokens)
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise TransientError(f"malformed response body: {exc!r}") from exc
        return _Reply(
            text=text,
            finish_reason=finish,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=str(getattr(response, "model", "") or self.model),
        )

    def _classify(self, exc: Exception) -> Exception | None:
        import anthropic

        return self._classify_sdk_error(exc, anthropic, "Anthropic")
