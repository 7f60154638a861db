"""An in-process `Generator` that answers with a function of the conversation.

For tests of code that consumes generators (the judge, the reward, the
agent) where HTTP is beside the point: it records every conversation it was
given, so a test can count calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from luaurft.llm.completion import Completion
from luaurft.llm.types import Conversation, Message, SamplingParams, normalise_conversation


class ScriptedGenerator:
    """`respond(conversation, sample_index) -> str` for every requested sample."""

    def __init__(
        self, respond: Callable[[Conversation, int], str], *, name: str = "scripted:model"
    ) -> None:
        self.respond = respond
        self.name = name
        self.seen: list[Conversation] = []

    def generate(
        self,
        conversations: Sequence[Sequence[Message] | str],
        n: int | None = None,
        sampling: SamplingParams | None = None,
    ) -> list[list[Completion]]:
        count = n if n is not None else (sampling or SamplingParams()).n
        rows: list[list[Completion]] = []
        for raw in conversations:
            conversation = normalise_conversation(raw)
            self.seen.append(conversation)
            rows.append(
                [Completion(self.respond(conversation, j), model=self.name) for j in range(count)]
            )
        return rows
