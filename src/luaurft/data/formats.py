"""Training-data formats: chat messages, prompt/completion pairs, and a HF `Dataset`.

Every example carries the reference system prompt (DESIGN.md) word for word.
Prompt/completion pairs are what TRL needs for completion-only loss with a chat
template that has no generation markers (Mistral's): the loss covers the
assistant's code only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from luaurft.data.records import REFERENCE_SYSTEM_PROMPT, CodeRecord

SftFormat = Literal["chat", "prompt_completion"]


def _prompt_messages(task: str, system_prompt: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": system_prompt}, {"role": "user", "content": task}]


def _provenance(record: CodeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "source": record.source,
        "path": record.path,
        "repo": record.repo,
        "license": record.license,
        "score": record.score,
    }


def to_chat(record: CodeRecord, system_prompt: str = REFERENCE_SYSTEM_PROMPT) -> dict[str, Any]:
    """`{"messages": [system, user=task, assistant=code], ...provenance}`."""
    if not record.task:
        raise ValueError(f"record {record.id} has no task; label it before writing SFT data")
    messages = [
        *_prompt_messages(record.task, system_prompt),
        {"role": "assistant", "content": record.text},
    ]
    return {"messages": messages, **_provenance(record)}


def to_prompt_completion(
    record: CodeRecord, system_prompt: str = REFERENCE_SYSTEM_PROMPT
) -> dict[str, Any]:
    """TRL's conversational prompt/completion pair: loss on the completion only."""
    if not record.task:
        raise ValueError(f"record {record.id} has no task; label it before writing SFT data")
    return prompt_completion_row(record.task, record.text, system_prompt, **_provenance(record))


def prompt_completion_row(
    task: str, code: str, system_prompt: str = REFERENCE_SYSTEM_PROMPT, **provenance: Any
) -> dict[str, Any]:
    """One prompt/completion training row: `code` answering `task`, with `provenance`
    (where the row came from) beside it. Corpus records and RFT selections alike."""
    return {
        "prompt": _prompt_messages(task, system_prompt),
        "completion": [{"role": "assistant", "content": code}],
        **provenance,
    }


def sft_rows(
    records: Iterable[CodeRecord],
    fmt: SftFormat = "prompt_completion",
    system_prompt: str = REFERENCE_SYSTEM_PROMPT,
) -> Iterator[dict[str, Any]]:
    """Rows for the records that have a task (others are corpus, not SFT data)."""
    convert = to_chat if fmt == "chat" else to_prompt_completion
    for record in records:
        if record.task:
            yield convert(record, system_prompt)


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write rows as JSON Lines (UTF-8, one object a line); returns how many."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with target.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_records(path: str | Path, records: Iterable[CodeRecord]) -> int:
    """The corpus itself (every kept record, with or without a task) as JSONL."""
    return write_jsonl(path, (r.to_dict() for r in records))


def read_records(path: str | Path) -> list[CodeRecord]:
    return [CodeRecord.from_dict(row) for row in read_jsonl(path)]


def to_hf_dataset(
    records: Iterable[CodeRecord],
    fmt: SftFormat = "prompt_completion",
    system_prompt: str = REFERENCE_SYSTEM_PROMPT,
) -> Any:
    """A `datasets.Dataset` of SFT rows, ready for TRL's `SFTTrainer`."""
    import datasets

    rows = list(sft_rows(records, fmt, system_prompt))
    if not rows:
        columns = ["messages"] if fmt == "chat" else ["prompt", "completion"]
        return datasets.Dataset.from_dict({c: [] for c in columns})
    # Provenance columns with only None values confuse Arrow's type inference.
    for row in rows:
        for key in ("path", "repo", "license"):
            row[key] = row[key] or ""
        row["score"] = float(row["score"]) if row["score"] is not None else float("nan")
    return datasets.Dataset.from_list(rows)
