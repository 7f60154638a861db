"""Reverse-labelling (code → the task it solves) and gold generation (task → checked code).

Both work with any `Generator` (DESIGN.md): `generate(conversations, n,
sampling) -> list[list[Completion]]`. Every model output is validated; a
rejected or failed attempt is recorded with its reason and retried up to a
limit, never silently dropped.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
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
    cached: bool = False  # answered by the label cache of an earlier run

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
            "cached": sum(1 for o in self.outcomes if o.cached),
            "attempts": sum(len(o.attempts) for o in self.outcomes),
            "rejections": dict(sorted(reasons.items())),
        }


def _first_text(completions: Sequence[CompletionLike]) -> str:
    return completions[0].text if completions else ""


class LabelCache:
    """Reverse-labelling answers kept in one SQLite file, so a killed build resumes.

    Keyed by prompt version, labeller (the generator spec) and the code's
    SHA-256: a record is asked about once per prompt version and model. An
    accepted task is kept, and so is a record every attempt of which was
    rejected; a generator error is not (the next run asks again). Each answer
    is committed as it arrives, so a kill loses only the requests in flight.
    """

    def __init__(self, path: str | Path, labeller: str) -> None:
        self.path = Path(path)
        self.labeller = labeller
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS labels (prompt_version TEXT, labeller TEXT, "
            "sha256 TEXT, task TEXT, attempts TEXT, "
            "PRIMARY KEY (prompt_version, labeller, sha256))"
        )
        self._db.commit()

    def get(self, record: CodeRecord) -> LabelOutcome | None:
        row = self._db.execute(
            "SELECT task, attempts FROM labels WHERE prompt_version=? AND labeller=? AND sha256=?",
            (REVERSE_LABEL_PROMPT_VERSION, self.labeller, record.sha256),
        ).fetchone()
        if row is None:
            return None
        attempts = [LabelAttempt(text=a[0], error=a[1]) for a in json.loads(row[1])]
        return LabelOutcome(record_id=record.id, task=row[0], attempts=attempts, cached=True)

    def put(self, record: CodeRecord, outcome: LabelOutcome) -> None:
        attempts = json.dumps([[a.text, a.error] for a in outcome.attempts])
        self._db.execute(
            "INSERT OR REPLACE INTO labels VALUES (?, ?, ?, ?, ?)",
            (REVERSE_LABEL_PROMPT_VERSION, self.labeller, record.sha256, outcome.task, attempts),
        )
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM labels").fetchone()[0])

    # Gold solutions, kept the same way: a rerun asks again only for tasks not yet answered.
    def gold_get(self, task: GoldTask, samples: int) -> GoldOutcome | None:
        self._gold_table()
        row = self._db.execute(
            "SELECT code, score, scores FROM gold WHERE labeller=? AND prompt=? AND kind=? "
            "AND samples=?",
            (self.labeller, task.prompt, task.kind or "", samples),
        ).fetchone()
        if row is None:
            return None
        outcome = GoldOutcome(task=task, record=None, scores=json.loads(row[2]), cached=True)
        if row[0] is not None:
            outcome.record = _gold_record(task, row[0], float(row[1]))
        return outcome

    def gold_put(self, outcome: GoldOutcome, samples: int) -> None:
        self._gold_table()
        record = outcome.record
        self._db.execute(
            "INSERT OR REPLACE INTO gold VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.labeller, outcome.task.prompt, outcome.task.kind or "", samples,
                record.text if record else None, record.score if record else None,
                json.dumps(outcome.scores),
            ),
        )  # fmt: skip
        self._db.commit()

    def _gold_table(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS gold (labeller TEXT, prompt TEXT, kind TEXT, "
            "samples INTEGER, code TEXT, score REAL, scores TEXT, "
            "PRIMARY KEY (labeller, prompt, kind, samples))"
        )

    def close(self) -> None:
        self._db.close()


def _answers(
    batch: Sequence[CodeRecord],
    generator: GeneratorLike,
    sampling: Any,
    cfg: LabelConfig,
) -> Iterator[tuple[CodeRecord, str, str, str | None]]:
    """(record, raw reply, cleaned task, rejection) for each record of `batch`, as answers
    arrive: one request per record on an HTTP backend (its `concurrency` at a time), one
    batched call on a local one."""
    conversations = [
        reverse_label_conversation(
            r.text, kind=r.meta.get("kind"), max_code_chars=cfg.max_code_chars
        )
        for r in batch
    ]

    def failed(exc: Exception) -> str:
        return f"generator-error: {type(exc).__name__}: {exc}"[:300]

    concurrency = getattr(generator, "concurrency", None)
    if isinstance(concurrency, int) and concurrency > 1 and len(batch) > 1:
        with ThreadPoolExecutor(max_workers=min(concurrency, len(batch))) as pool:
            futures = {
                pool.submit(generator.generate, [conv], 1, sampling): record
                for record, conv in zip(batch, conversations, strict=True)
            }
            for future in as_completed(futures):
                record = futures[future]
                try:
                    groups = list(future.result())
                    text = _first_text(groups[0]) if groups else ""
                    yield (record, text, *validate_task(text, cfg))
                except Exception as exc:  # recorded for the record, then retried
                    yield record, "", "", failed(exc)
        return
    try:
        replies = [_first_text(c) for c in generator.generate(conversations, 1, sampling)]
        if len(replies) != len(batch):
            raise ValueError(
                f"generator returned {len(replies)} results for {len(batch)} conversations"
            )
        results = [(text, *validate_task(text, cfg)) for text in replies]
    except Exception as exc:  # a backend failure is recorded per record, then retried
        results = [("", "", failed(exc)) for _ in batch]
    for record, (raw, task, error) in zip(batch, results, strict=True):
        yield record, raw, task, error


def reverse_label(
    records: Sequence[CodeRecord],
    generator: GeneratorLike,
    sampling: Any = None,
    config: LabelConfig | None = None,
    progress: Callable[[int], None] | None = None,
    cache: LabelCache | None = None,
) -> LabelResult:
    """Ask `generator` for the task each record's code solves; keep validated answers.

    Records that already carry a task are kept as they are. A rejected answer
    is retried (up to `max_attempts`); a generator error costs one attempt.
    With a `cache`, records it knows are not asked again and each final answer
    is stored as it arrives.
    """
    cfg = config or LabelConfig()
    outcomes = {r.id: LabelOutcome(record_id=r.id, task=r.task) for r in records}
    pending = []
    for r in records:
        known = cache.get(r) if cache is not None and r.task is None else None
        if known is not None:
            outcomes[r.id] = known
        if r.task is None and known is None:
            pending.append(r)
        elif progress is not None:
            progress(1)
    while pending:
        retry: list[CodeRecord] = []
        for start in range(0, len(pending), cfg.batch_size):
            batch = pending[start : start + cfg.batch_size]
            for record, raw, task, error in _answers(batch, generator, sampling, cfg):
                outcome = outcomes[record.id]
                outcome.attempts.append(LabelAttempt(text=raw, error=error))
                if error is None:
                    outcome.task = task
                elif len(outcome.attempts) < cfg.max_attempts:
                    retry.append(record)
                    continue
                if cache is not None and not (error or "").startswith("generator-error"):
                    cache.put(record, outcome)
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


def load_gold_tasks(path: str | Path) -> list[GoldTask]:
    """Gold tasks from a file or folder: JSONL rows (`prompt` or `task`, optional `id` and
    `kind`), TOML task files (one task or a `tasks` list) or text files (one request a line)."""
    import tomllib

    from luaurft.errors import LuaurftError

    root = Path(path)
    if not root.exists():
        raise LuaurftError(f"{root}: no such gold-tasks file or folder")
    files = sorted(f for f in root.rglob("*") if f.is_file()) if root.is_dir() else [root]
    tasks: list[GoldTask] = []
    for file in files:
        rows: list[Any] = []
        text = file.read_text(encoding="utf-8")
        if file.suffix == ".jsonl":
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
        elif file.suffix == ".toml":
            data = tomllib.loads(text)
            listed = data.get("tasks")
            rows = listed if isinstance(listed, list) else [data]
        elif file.suffix in {".txt", ".md"} or not root.is_dir():
            rows = [{"prompt": line.strip()} for line in text.splitlines() if line.strip()]
        for row in rows:
            if not isinstance(row, dict):
                continue
            prompt = row.get("prompt") or row.get("task")
            if isinstance(prompt, str) and prompt.strip():
                kind = row.get("kind")
                tasks.append(
                    GoldTask(
                        prompt=prompt.strip(),
                        id=str(row.get("id") or ""),
                        kind=kind if isinstance(kind, str) else None,
                    )
                )
    if not tasks:
        raise LuaurftError(
            f"{root}: no gold tasks found; give JSONL rows with a prompt, TOML task files or "
            "a text file with one request a line"
        )
    return tasks


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
    cached: bool = False  # answered by the cache of an earlier run


def _gold_record(task: GoldTask, code: str, score: float) -> CodeRecord:
    return CodeRecord(
        id=record_id("gold", task.id, task.prompt),
        text=code,
        source="gold",
        task=task.prompt,
        score=score,
        meta={"task_id": task.id, **({"kind": task.kind} if task.kind else {})},
    )


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
            "cached": sum(1 for o in self.outcomes if o.cached),
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
    cache: LabelCache | None = None,
) -> GoldResult:
    """`samples` solutions per task; keep the best one scoring at least `min_score`.

    With a `cache`, tasks it has answered (kept or not) are not asked again, and
    each batch's answers are stored as they are scored."""
    cfg = config or GoldConfig()
    score = scorer or default_code_scorer
    items = [_gold_task(t, i) for i, t in enumerate(tasks)]
    known: dict[str, GoldOutcome] = {}
    if cache is not None:
        for item in items:
            hit = cache.gold_get(item, cfg.samples)
            if hit is not None:
                known[item.id] = hit
                if progress is not None:
                    progress(1)
    pending = [t for t in items if t.id not in known]
    fresh: list[GoldOutcome] = []
    outcomes = fresh
    for start in range(0, len(pending), cfg.batch_size):
        batch = pending[start : start + cfg.batch_size]
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
                outcome.record = _gold_record(task, best[1], best[0])
            outcomes.append(outcome)
            if cache is not None:
                cache.gold_put(outcome, cfg.samples)
            if progress is not None:
                progress(1)
    by_id = {o.task.id: o for o in fresh}
    ordered = [known.get(t.id) or by_id[t.id] for t in items]
    return GoldResult(records=[o.record for o in ordered if o.record is not None], outcomes=ordered)
