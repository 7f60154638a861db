"""`Completion`: what a model produced, and the Luau inside it.

Models asked for "only code" still wrap it in Markdown fences, open with "Here
is the script:" or close with an explanation. `extract_code` takes the code
out and records what it had to remove, so a caller can tell a clean answer
from a cleaned one (and, say, train towards the former).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

# Tags a fenced block of Luau is commonly labelled with.
LUAU_TAGS = frozenset({"lua", "luau", "roblox", "rbxlua", "roblox-lua", "lua5.1", "glua"})

# The opening line of a Markdown fenced code block.
FENCE_OPEN = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_THINK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)


def strip_reasoning(text: str) -> str:
    """`text` without a leading <think>...</think> block."""
    return _THINK.sub("", text, count=1)


# The first word of a line of Luau (statements, not expressions).
_LUAU_LEADING_WORDS = frozenset(
    {
        "local",
        "function",
        "if",
        "for",
        "while",
        "repeat",
        "until",
        "return",
        "end",
        "do",
        "then",
        "else",
        "elseif",
        "break",
        "continue",
        "type",
        "export",
        "self",
        "game",
        "workspace",
        "script",
        "print",
        "warn",
        "error",
        "task",
        "require",
        "assert",
    }
)
_PROSE_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_MARKDOWN_LINE = re.compile(r"^\s*(#{1,6}\s|[*+]\s|-\s(?!-)|\d+[.)]\s|>\s|\*\*|__|\|)")


@dataclass(frozen=True)
class Extraction:
    """The Luau taken out of a model's answer, and what was removed to get it.

    `notes` is empty when the answer was already bare code; otherwise it names
    each clean-up: "fenced", "unterminated-fence", "blocks:N" (several fenced
    blocks, the largest Luau one kept), "prose-before", "prose-after",
    "reasoning" (a <think> block), "non-luau-fence" (the only fences were
    tagged as another language).
    """

    code: str
    notes: tuple[str, ...] = ()

    @property
    def cleaned(self) -> bool:
        """True when the answer was not bare code and something had to be stripped."""
        return bool(self.notes)


@dataclass(frozen=True)
class FencedBlock:
    """A Markdown fenced code block: its info string (stripped), its body, the
    index of its opening fence line, and whether a closing fence ended it."""

    info: str
    body: str
    start: int
    terminated: bool

    @property
    def tag(self) -> str:
        """The language the block is labelled with, lower-cased ("" when none)."""
        return self.info.split(" ")[0].lower()


def fenced_blocks(lines: list[str]) -> list[FencedBlock]:
    """Every fenced code block in `lines`, in order; an unclosed one runs to the end."""
    blocks: list[FencedBlock] = []
    i = 0
    while i < len(lines):
        opening = FENCE_OPEN.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening.group("fence")
        body: list[str] = []
        j = i + 1
        terminated = False
        while j < len(lines):
            stripped = lines[j].strip()
            # A closing fence uses the same character, at least as many, and nothing else.
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                terminated = True
                break
            body.append(lines[j])
            j += 1
        info = opening.group("info").strip()
        blocks.append(FencedBlock(info, "\n".join(body), start=i, terminated=terminated))
        i = j + 1
    return blocks


def _is_prose(line: str) -> bool:
    """A line that reads as English or Markdown rather than Luau."""
    stripped = line.strip()
    if not stripped or stripped.startswith("--"):
        return False
    if _MARKDOWN_LINE.match(stripped):
        return True
    words = stripped.split()
    first = words[0].rstrip(":,.")
    if first in _LUAU_LEADING_WORDS:
        return False
    # Statements and expressions carry operators or calls without spaces
    # between words; sentences are mostly words separated by spaces.
    if re.search(r"(?<![=~<>])=(?!=)|[{}\[\]]|\w\(|\):|:\w+\(|^\w+\.\w", stripped):
        return False
    wordy = sum(1 for w in words if _PROSE_WORD.fullmatch(w.strip(".,:;!?()'\"`*")))
    return (len(words) >= 3 and wordy / len(words) >= 0.6) or stripped.endswith(":")


def _strip_prose(text: str) -> tuple[str, list[str]]:
    lines = text.split("\n")
    notes: list[str] = []
    start = 0
    while start < len(lines) and (not lines[start].strip() or _is_prose(lines[start])):
        start += 1
    if any(_is_prose(line) for line in lines[:start]):
        notes.append("prose-before")
    end = len(lines)
    while end > start and (not lines[end - 1].strip() or _is_prose(lines[end - 1])):
        end -= 1
    if any(_is_prose(line) for line in lines[end:]):
        notes.append("prose-after")
    if start >= end:
        # Nothing but prose: return it as is and let the scorers judge it.
        return text.strip("\n"), []
    return "\n".join(lines[start:end]), notes


def _pick_block(blocks: list[FencedBlock]) -> tuple[FencedBlock, list[str]]:
    notes: list[str] = []
    luau = [b for b in blocks if b.tag in LUAU_TAGS]
    untagged = [b for b in blocks if not b.tag]
    candidates = luau or untagged
    if not candidates:
        candidates = blocks
        notes.append("non-luau-fence")
    # The longest block is the script; shorter ones are usage snippets or
    # output samples. `max` keeps the first of equally long blocks.
    chosen = max(candidates, key=lambda b: len(b.body.strip()))
    return chosen, notes


def extract_code(text: str) -> Extraction:
    """Take the Luau out of a model's answer (see `Extraction` for what is recorded)."""
    notes: list[str] = []
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    without_reasoning = strip_reasoning(normalised)
    if without_reasoning != normalised:
        notes.append("reasoning")
        normalised = without_reasoning
    lines = normalised.split("\n")
    blocks = fenced_blocks(lines)
    if blocks:
        chosen, pick_notes = _pick_block(blocks)
        notes.append("fenced")
        if not chosen.terminated:
            notes.append("unterminated-fence")
        if len(blocks) > 1:
            notes.append(f"blocks:{len(blocks)}")
        notes.extend(pick_notes)
        return Extraction(code=chosen.body.strip("\n") + "\n", notes=tuple(notes))
    code, prose_notes = _strip_prose(normalised)
    notes.extend(prose_notes)
    return Extraction(code=code.strip("\n") + "\n" if code.strip() else "", notes=tuple(notes))


@dataclass(frozen=True)
class Completion:
    """One sample from a model.

    A request that failed for good (retries spent, a request the server
    refuses) is still a `Completion`, with `error` set and empty `text`, so a
    batch keeps its shape and the failure is on record rather than a silent
    empty answer. `finish_reason` is "stop", "length", "error" or what the
    backend reported.
    """

    text: str
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""
    error: str | None = None
    attempts: int = 1

    @classmethod
    def failure(cls, error: str, *, model: str = "", attempts: int = 1) -> Completion:
        return cls(text="", finish_reason="error", model=model, error=error, attempts=attempts)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def truncated(self) -> bool:
        """The model stopped at the token limit, so the answer may be cut off."""
        return self.finish_reason == "length"

    @cached_property
    def extraction(self) -> Extraction:
        return extract_code(self.text)

    def extract_code(self) -> str:
        """The Luau in this completion (fences and chatter removed; see `extraction`)."""
        return self.extraction.code

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "finish_reason": self.finish_reason,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "model": self.model,
            "error": self.error,
            "attempts": self.attempts,
        }
