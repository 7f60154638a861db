"""Any OpenAI-compatible chat-completions server, through the official `openai` SDK.

That covers OpenAI itself, vLLM's server (a LoRA adapter loaded with
`--lora-modules NAME=PATH` is requested as model NAME), Ollama and others.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any
from urllib.parse import urlparse

from luaurft.llm.errors import MissingAPIKeyError, TransientError
from luaurft.llm.remote import RemoteGenerator, _Reply
from luaurft.llm.types import Conversation, SamplingParams

# Local servers (vLLM, Ollama) rarely check keys; the SDK still wants a string.
LOCAL_PLACEHOLDER_KEY = "not-needed"


def is_loopback_url(url: str | None) -> bool:
    if not url:
        return False
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpenAIGenerator(RemoteGenerator):
    """Samples through `client.chat.completions.create`, one request per sample.

    The key comes from `api_key` or `OPENAI_API_KEY`; a server on this machine
    (localhost / 127.0.0.1) may go without one. OpenAI's own API takes the
    token limit as `max_completion_tokens`; other servers get `max_tokens`,
    which they all understand.
    """

    provider = "openai"
    key_hint = "OPENAI_API_KEY (or the key your server expects)"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        token_param: str | None = None,
        **options: Any,
    ) -> None:
        import openai

        super().__init__(model, **options)
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if not is_loopback_url(base_url):
                raise MissingAPIKeyError("OpenAI-compatible server", "OPENAI_API_KEY")
            key = LOCAL_PLACEHOLDER_KEY
        self.base_url = base_url
        self.token_param = token_param or ("max_tokens" if base_url else "max_completion_tokens")
        self.client = openai.OpenAI(
            api_key=key, base_url=base_url, max_retries=0, timeout=self.timeout
        )
        self.name = f"openai:{model}" + (f"@{base_url}" if base_url else "")
        self._where = base_url or "api.openai.com"

    def _request(
        self, conversation: Conversation, sampling: SamplingParams, seed: int | None
    ) -> _Reply:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": conversation,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
            self.token_param: sampling.max_new_tokens,
        }
        if seed is not None:
            kwargs["seed"] = seed
        if sampling.stop:
            kwargs["stop"] = list(sampling.stop)
        response = self.client.chat.completions.create(**kwargs)
        try:
            choice = response.choices[0]
            text = choice.message.content or ""
            finish = choice.finish_reason or "stop"
            usage = response.usage
            prompt_tokens = int(usage.prompt_tokens) if usage else 0
            completion_tokens = int(usage.completion_tokens) if usage else 0
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise TransientError(f"malformed response body: {exc!r}") from exc
        return _Reply(
            text=text,
            finish_reason=str(finish),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            model=str(getattr(response, "model", "") or self.model),
        )

    def _classify(self, exc: Exception) -> Exception | None:
        import openai

        return self._classify_sdk_error(exc, openai, "OpenAI-compatible server")
