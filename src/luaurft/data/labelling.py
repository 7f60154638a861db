"""Reverse-labelling (code → the task it solves) and gold generation (task → checked code).

Both work with any `Generator` (DESIGN.md): `generate(conversations, n,
sampling) -> list[list[Completion]]`. Every model output is validated; a
rejected or failed attempt is recorded with its reason and retried up to a
limit, never silently dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from luaurft.data.records import REFERENCE_SYSTEM_PROMPT, CodeRecord, record_id

Message = Mapping[str, str]


class CompletionLike(Protocol):
    """What labelling needs of a `luaurft.llm.Completion`."""

    @property
    def text(self) -> str: ...

    def extract_code(self) -> str: ...


class GeneratorLike(Protocol):
    """The `Generator` protocol of DESIGN.md, as far as labelling uses it."""

    def generate(
        self, conversations: Sequence[Sequence[Message]], n: int, sampling: Any
    ) -> Sequence[Sequence[CompletionLike]]: ...


# -- reverse-labelling ---------------------------------------------------------

REVERSE_LABEL_PROMPT_VERSION = "reverse-label/v1"

REVERSE_LABEL_SYSTEM = (
    "You are given a Roblox Luau script. Write the request a game developer would have "
    "typed to get exactly this script from an assistant.\n"
    "Rules:\n"
    "- One imperative request in plain English (start with a verb such as Create, Make, "
    "Write or Build), one to four sentences, on a single paragraph.\n"
    "- Say what the script must do and the details a correct answer depends on: names of "
    "remotes, stats, attributes, values, timings, and where the script runs.\n"
    "- Do not describe how the code is written, do not quote code, no code blocks, no "
    "lists, no preamble: reply with the request only."
)


def reverse_label_conversation(
    code: str, *, kind: str | None = None, max_code_chars: int = 12_000
) -> list[dict[str, str]]:
    """The conversation asking a model for the task `code` solves (prompt version above)."""
    shown = code if len(code) <= max_code_chars else code[:max_code_chars] + "\n-- (truncated)"
    where = f" ({kind})" if kind else ""
    return [
        {"role": "system", "content": REVERSE_LABEL_SYSTEM},
        {"role": "user", "content": f"Script{where}:\n\n{shown}\n\nThe request:"},
    ]


class LabelConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    min_chars: int = Field(default=30, ge=1)
    max_chars: int = Field(default=700, ge=10)
    min_words: int = Field(default=6, ge=1)
    max_words: int = Field(default=130, ge=1)
    max_attempts: int = Field(default=3, ge=1)
    batch_size: int = Field(default=16, ge=1)
    max_code_chars: int = Field(default=12_000, ge=200)


_PREFIX = re.compile(r"^(?:task|request|prompt|the request|user)\s*:\s*", re.IGNORECASE)
_QUOTES = (('"', '"'), ("'", "'"), ("“", "”"))
# Code shapes that never occur in a plain-English request.
_CODE_PATTERNS = (
    re.compile(r"```"),
    re.compile(r"\blocal\s+[A-Za-z_]\w*\s*(?:=|,|:)"),
    re.compile(r"\bfunction\s*[\w.:]*\s*\("),
    re.compile(r"\b[A-Za-z_]\w*:[A-Za-z_]\w*\s*\("),
    re.compile(r"\b(?:end|then|do)\s*\)"),
    re.compile(r"^\s*(?:end|else|elseif\b.*|until\b.*|return\b.*)\s*$", re.MULTILINE),
    re.compile(r"[~=]=\s*(?:nil|true|false)\b"),
    re.compile(r"\w\s*=\s*\{"),
)
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+", re.MULTILINE)
# First words of a description or a chatty preamble rather than a request.
_NOT_IMPERATIVE = frozenset(
    {
        "this", "the", "it", "here", "here's", "sure", "certainly", "okay", "ok", "i", "we",
        "a", "an", "these", "that", "script", "code", "below", "above", "as", "in", "to",
        "you", "your", "my", "our", "hello", "hi", "note", "task", "request",
    }
)  # fmt: skip


def clean_task(text: str) -> str:
    """Strip wrapping quotes, a 'Task:' label and surrounding space from a model's reply."""
    cleaned = text.strip()
    cleaned = _PREFIX.sub("", cleaned).strip()
    for left, right in _QUOTES:
        if len(cleaned) >= 2 and cleaned.startswith(left) and cleaned.endswith(right):
            cleaned = cleaned[1:-1].strip()
    return cleaned


def validate_task(text: str, config: LabelConfig | None = None) -> tuple[str, str | None]:
    """(cleaned task, None) when `text` is one imperative request; else (cleaned, reason)."""
    cfg = config or LabelConfig()
    if "`" * 3 in text:
        return text.strip(), "contains-code"
    task = clean_task(text)
    if not task:
        return task, "empty"
    for pattern in _CODE_PATTERNS:
        if pattern.search(task):
            return task, "contains-code"
    if len(task) < cfg.min_chars:
        return task, "too-short"
    if len(task) > cfg.max_chars:
        return task, "too-long"
    word_list = task.split()
    if len(word_list) < cfg.min_words:
        return task, "too-short"
    if len(word_list) > cfg.max_words:
        return task, "too-long"
    if re.search(r"\n\s*\n", task) or _LIST_LINE.search(task):
        return task, "not-single-request"
    first = re.sub(r"[^\w']", "", word_list[0]).lower()
    if first in _NOT_IMPERATIVE or not first.isalpha():
        return task, "not-imperative"
    if task.rstrip().endswith("?"):
        return task, "not-imperative"
    return task, None


@dataclass(frozen=True, slots=True)
class LabelAttempt:
    text: str
    error: str | None  # None: accepted


@dataclass
class LabelOutcome:
    record_id: str
    task: str | None
    attempts: list[LabelAttempt] = field(default_factory=list)
    prompt_version: str = REVERSE_LABEL_PROMPT_VERSION

    @property
    def ok(self) -> bool:
        return self.task is not None


@dataclass
class LabelResult:
    labelled: list[CodeRecord]
    outcomes: list[LabelOutcome]

    @property
    def failed(self) -> list[LabelOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def to_dict(self) -> dict[str, Any]:
        reasons: Counter[str] = Counter(
            a.error for o in self.outcomes for a in o.attempts if a.error is not None
        )
        return {
            "prompt_version": REVERSE_LABEL_PROMPT_VERSION,
            "records": len(self.outcomes),
            "labelled": len(self.labelled),
            "failed": len(self.failed),
            "attempts": sum(len(o.attempts) for o in self.outcomes),
            "rejections": dict(sorted(reasons.items())),
        }


def _first_text(completions: Sequence[CompletionLike]) -> str:
    return completions[0].text if completions else ""


def reverse_label(
    records: Sequence[CodeRecord],
    generator: GeneratorLike,
    sampling: Any = None,
    config: LabelConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> LabelResult:
    """Ask `generator` for the task each record's code solves; keep validated answers.

    Records that already carry a task are kept as they are. A rejected answer
    is retried (up to `max_attempts`); a generator error costs one attempt for
    every record of its batch.
    """
    cfg = config or LabelConfig()
    outcomes = {r.id: LabelOutcome(record_id=r.id, task=r.task) for r in records}
    pending = [r for r in records if r.task is None]
    for r in records:
        if r.task is not None and progress is not None:
            progress(1)
    while pending:
        retry: list[CodeRecord] = []
        for start in range(0, len(pending), cfg.batch_size):
            batch = pending[start : start + cfg.batch_size]
            conversations = [
                reverse_label_conversation(
                    r.text, kind=r.meta.get("kind"), max_code_chars=cfg.max_code_chars
                )
                for r in batch
            ]
            try:
                replies = [_first_text(c) for c in generator.generate(conversations, 1, sampling)]
                if len(replies) != len(batch):
                    raise ValueError(
                        f"generator returned {len(replies)} results for {len(batch)} conversations"
                    )
                results = [(text, *validate_task(text, cfg)) for text in replies]
            except Exception as exc:  # a backend failure is recorded per record, then retried
                message = f"generator-error: {type(exc).__name__}: {exc}"[:300]
                results = [("", "", message) for _ in batch]
            for record, (raw, task, error) in zip(batch, results, strict=True):
                outcome = outcomes[record.id]
                outcome.attempts.append(LabelAttempt(text=raw, error=error))
                if error is None:
                    outcome.task = task
                elif len(outcome.attempts) < cfg.max_attempts:
                    retry.append(record)
                    continue
                if progress is not None:
                    progress(1)
        pending = retry
    labelled = []
    for record in records:
        outcome = outcomes[record.id]
        if outcome.task is None:
            continue
        if record.task is not None:
            labelled.append(record)
            continue
        labelled.append(
            record.with_(
                task=outcome.task,
                meta={
                    **record.meta,
                    "label_prompt_version": REVERSE_LABEL_PROMPT_VERSION,
                    "label_attempts": len(outcome.attempts),
                },
            )
        )
    return LabelResult(labelled=labelled, outcomes=[outcomes[r.id] for r in records])


# -- gold generation -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoldTask:
    prompt: str
    id: str = ""
    kind: str | None = None


class GoldConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    samples: int = Field(default=4, ge=1)
    # The reference agent rewrites code whose deterministic score is below 0.85;
    # gold data is held to the same bar.
    min_score: float = Field(default=0.85, ge=0.0, le=1.0)
    batch_size: int = Field(default=8, ge=1)


@dataclass
class GoldOutcome:
    task: GoldTask
    record: CodeRecord | None
    scores: list[float | None] = field(default_factory=list)
    error: str | None = None


@dataclass
class GoldResult:
    records: list[CodeRecord]
    outcomes: list[GoldOutcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks": len(self.outcomes),
            "kept": len(self.records),
            "errors": sum(1 for o in self.outcomes if o.error),
            "candidates": sum(len(o.scores) for o in self.outcomes),
        }


CodeScorer = Callable[[str, str | None], float]


def default_code_scorer(code: str, kind: str | None) -> float:
    from luaurft.scoring import score_source

    return score_source(code, kind=kind).composite


def _gold_task(item: GoldTask | str, number: int) -> GoldTask:
    task = item if isinstance(item, GoldTask) else GoldTask(prompt=item)
    return task if task.id else GoldTask(prompt=task.prompt, id=f"gold-{number}", kind=task.kind)


def generate_gold(
    tasks: Sequence[GoldTask | str],
    generator: GeneratorLike,
    sampling: Any = None,
    config: GoldConfig | None = None,
    scorer: CodeScorer | None = None,
    progress: Callable[[int], None] | None = None,
) -> GoldResult:
    """`samples` solutions per task; keep the best one scoring at least `min_score`."""
    cfg = config or GoldConfig()
    score = scorer or default_code_scorer
    items = [_gold_task(t, i) for i, t in enumerate(tasks)]
    outcomes: list[GoldOutcome] = []
    for start in range(0, len(items), cfg.batch_size):
        batch = items[start : start + cfg.batch_size]
        conversations = [
            [
                {"role": "system", "content": REFERENCE_SYSTEM_PROMPT},
                {"role": "user", "content": t.prompt},
            ]
            for t in batch
        ]
        try:
            groups = list(generator.generate(conversations, cfg.samples, sampling))
            if len(groups) != len(batch):
                raise ValueError(
                    f"generator returned {len(groups)} results for {len(batch)} conversations"
                )
        except Exception as exc:  # recorded per task; the next batch still runs
            message = f"generator-error: {type(exc).__name__}: {exc}"[:300]
            outcomes.extend(GoldOutcome(task=t, record=None, error=message) for t in batch)
            if progress is not None:
                progress(len(batch))
            continue
        for task, completions in zip(batch, groups, strict=True):
            outcome = GoldOutcome(task=task, record=None)
            best: tuple[float, str] | None = None
            for completion in completions:
                code = completion.extract_code().strip()
                value = score(code, task.kind) if code else None
                outcome.scores.append(value)
                if (
                    value is not None
                    and value >= cfg.min_score
                    and (best is None or value > best[0])
                ):
                    best = (value, code)
            if best is not None:
                outcome.record = CodeRecord(
                    id=record_id("gold", task.id, task.prompt),
                    text=best[1],
                    source="gold",
                    task=task.prompt,
                    score=best[0],
                    meta={"task_id": task.id, **({"kind": task.kind} if task.kind else {})},
                )
            outcomes.append(outcome)
            if progress is not None:
                progress(1)
    return GoldResult(
        records=[o.record for o in outcomes if o.record is not None], outcomes=outcomes
    )
