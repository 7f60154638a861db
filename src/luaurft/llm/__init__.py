"""Generation backends behind one interface.

    from luaurft.llm import make_generator, SamplingParams
    gen = make_generator("openai:my-model@http://127.0.0.1:8000/v1")
    rows = gen.generate([[{"role": "user", "content": "..."}]], n=4, sampling=SamplingParams())
    rows[0][0].extract_code()

Backends (`transformers`, `vllm`, `openai`, `anthropic`) are imported on first
use, so importing this package needs neither torch nor vLLM.
"""

from __future__ import annotations

from luaurft.llm.completion import Completion, Extraction, extract_code
from luaurft.llm.errors import (
    AuthenticationError,
    BackendUnavailableError,
    BudgetExceededError,
    GeneratorSpecError,
    LLMError,
    MissingAPIKeyError,
    ModelNotFoundError,
)
from luaurft.llm.factory import GeneratorSpec, make_generator, parse_generator_spec
from luaurft.llm.retry import RetryPolicy
from luaurft.llm.types import (
    REFERENCE_SYSTEM_PROMPT,
    Conversation,
    Generator,
    Message,
    SamplingParams,
)
from luaurft.llm.usage import Budget, Prices, Usage, UsageSnapshot

__all__ = [
    "REFERENCE_SYSTEM_PROMPT",
    "AuthenticationError",
    "BackendUnavailableError",
    "Budget",
    "BudgetExceededError",
    "Completion",
    "Conversation",
    "Extraction",
    "Generator",
    "GeneratorSpec",
    "GeneratorSpecError",
    "LLMError",
    "Message",
    "MissingAPIKeyError",
    "ModelNotFoundError",
    "Prices",
    "RetryPolicy",
    "SamplingParams",
    "Usage",
    "UsageSnapshot",
    "extract_code",
    "make_generator",
    "parse_generator_spec",
]
