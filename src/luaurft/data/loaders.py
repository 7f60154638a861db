"""Corpus loaders: every source becomes a stream of `CodeRecord`s.

Sources: a Hugging Face dataset in the-luau-stack's schema (`file_content`,
`file_path`, `repo_name`, `license`, ...), Roblox's luau_corpus JSONL
(`prompt`/`completion` halves of one code fragment), a local folder of
`.lua`/`.luau`, and local parquet/JSONL tables in any of those schemas.

A bad file or row among many is recorded in the `LoadReport` and skipped;
loading goes on with the rest.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from luaurft.data.licenses import nearest_license
from luaurft.data.records import CodeRecord, record_id
from luaurft.errors import LuaurftError

SourceFormat = Literal["auto", "stack", "luau_corpus", "folder", "table"]

CODE_SUFFIXES = (".lua", ".luau")
TABLE_SUFFIXES = (".parquet", ".jsonl", ".json")

# Column names in the-luau-stack; anything else small is kept in `meta`.
STACK_COLUMNS = {
    "file_content": "text",
    "file_path": "path",
    "repo_name": "repo",
    "license": "license",
}
_TEXT_COLUMNS = ("file_content", "content", "code", "text", "source")
_TASK_COLUMNS = ("task", "instruction", "request")
_META_MAX_CHARS = 500


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A file or row that could not be loaded, and why."""

    origin: str
    category: str  # "non-utf8", "unreadable", "bad-row", "no-text"
    reason: str


@dataclass
class LoadReport:
    """What loading saw: records per source and every problem (the rest still loads)."""

    loaded: Counter[str] = field(default_factory=Counter)
    problems: list[LoadProblem] = field(default_factory=list)

    def problem(self, origin: str, category: str, reason: str) -> None:
        self.problems.append(LoadProblem(origin, category, reason))

    @property
    def problem_counts(self) -> Counter[str]:
        return Counter(p.category for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "loaded": dict(self.loaded),
            "problems": dict(self.problem_counts),
            "problem_examples": [
                {"origin": p.origin, "category": p.category, "reason": p.reason}
                for p in self.problems[:50]
            ],
        }


class SourceSpec(BaseModel):
    """Where to load records from. `location` is a local path or a Hugging Face hub name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str
    format: SourceFormat = "auto"
    name: str | None = None  # the `source` label records carry; defaults from the format
    split: str = "train"
    streaming: bool = True  # hub datasets: read rows as needed, no local copy
    license: str | None = None  # for records whose source says nothing about licence
    limit: int | None = None


def decode_text(data: bytes) -> str:
    """Strict UTF-8 (a BOM dropped); raises `UnicodeDecodeError`/`ValueError` otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8")
    if "\x00" in text:
        raise ValueError(f"NUL byte at offset {text.index(chr(0))}")
    return text


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return decode_text(bytes(value))
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _small_meta(row: dict[str, Any], skip: Iterable[str]) -> dict[str, Any]:
    skipped = set(skip)
    meta: dict[str, Any] = {}
    for key, value in row.items():
        if key in skipped or value is None:
            continue
        if isinstance(value, bool | int | float) or (
            isinstance(value, str) and len(value) <= _META_MAX_CHARS
        ):
            meta[key] = value
    return meta


def _license_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        items = [str(v) for v in value if v]
        return ",".join(items) if items else None
    text = str(value).strip()
    return text or None


def row_to_record(
    row: dict[str, Any],
    *,
    source: str,
    origin: str,
    index: int,
    default_license: str | None = None,
) -> CodeRecord:
    """Map one table row (stack, prompt/completion, or a generic text column) to a record.

    Raises `UnicodeDecodeError`/`ValueError` for non-UTF-8 text and `KeyError`
    when no column holds code.
    """
    if "prompt" in row and "completion" in row and "file_content" not in row:
        # luau_corpus splits one code fragment into a head (`prompt`) and the
        # rest (`completion`): the code is both halves joined.
        head = _as_text(row["prompt"] or "")
        tail = _as_text(row["completion"] or "")
        return CodeRecord(
            id=record_id(source, Path(origin).name, index),
            text=head + tail,
            path=row.get("path") or row.get("file_path"),
            repo=row.get("repo") or row.get("repo_name"),
            license=_license_text(row.get("license")) or default_license,
            source=source,
            meta={"split_at": len(head), **_small_meta(row, ("prompt", "completion"))},
        )
    column = next((c for c in _TEXT_COLUMNS if c in row and row[c] is not None), None)
    if column is None:
        raise KeyError(f"no code column (looked for {', '.join(_TEXT_COLUMNS)})")
    text = _as_text(row[column])
    task_column = next((c for c in _TASK_COLUMNS if isinstance(row.get(c), str)), None)
    path = row.get("file_path") or row.get("path")
    repo = row.get("repo_name") or row.get("repo")
    return CodeRecord(
        id=record_id(source, Path(origin).name, index),
        text=text,
        path=str(path) if path is not None else None,
        repo=str(repo) if repo is not None else None,
        license=_license_text(row.get("license")) or default_license,
        source=source,
        task=row[task_column].strip() if task_column else None,
        meta=_small_meta(
            row, (column, "file_path", "path", "repo_name", "repo", "license", task_column or "")
        ),
    )


def _rows_to_records(
    rows: Iterable[dict[str, Any]],
    *,
    source: str,
    origin: str,
    report: LoadReport,
    default_license: str | None,
    start: int = 0,
) -> Iterator[CodeRecord]:
    for index, row in enumerate(rows, start=start):
        where = f"{origin}#{index}"
        try:
            record = row_to_record(
                row, source=source, origin=origin, index=index, default_license=default_license
            )
        except (UnicodeDecodeError, ValueError) as exc:
            report.problem(where, "non-utf8", str(exc))
            continue
        except (KeyError, TypeError) as exc:
            report.problem(where, "no-text", str(exc))
            continue
        report.loaded[source] += 1
        yield record


def _iter_jsonl(path: Path, report: LoadReport) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(decode_text(raw))
            except (UnicodeDecodeError, ValueError) as exc:
                category = "non-utf8" if isinstance(exc, UnicodeDecodeError) else "bad-row"
                report.problem(f"{path}:{number}", category, str(exc))
                continue
            if not isinstance(row, dict):
                report.problem(f"{path}:{number}", "bad-row", "line is not a JSON object")
                continue
            yield row


def _iter_parquet(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    for batch in parquet.iter_batches(batch_size=512):
        yield from batch.to_pylist()


def _iter_table_rows(path: Path, report: LoadReport) -> Iterator[dict[str, Any]]:
    if path.suffix == ".parquet":
        yield from _iter_parquet(path)
    elif path.suffix == ".jsonl":
        yield from _iter_jsonl(path, report)
    elif path.suffix == ".json":
        data = json.loads(decode_text(path.read_bytes()))
        rows = data if isinstance(data, list) else data.get("data") or data.get("rows") or []
        yield from (r for r in rows if isinstance(r, dict))
    else:
        raise LuaurftError(f"{path}: not a table file; use .parquet, .jsonl or .json")


def load_table(
    path: str | Path,
    *,
    report: LoadReport,
    source: str | None = None,
    default_license: str | None = None,
) -> Iterator[CodeRecord]:
    """Records from one local parquet/JSONL/JSON table, its schema detected from the columns."""
    p = Path(path)
    label = source or p.stem
    rows = _iter_table_rows(p, report)
    produced = _rows_to_records(
        rows, source=label, origin=str(p), report=report, default_license=default_license
    )
    try:
        yield from produced
    except Exception as exc:  # a corrupt file must not stop the other files
        report.problem(str(p), "unreadable", f"{type(exc).__name__}: {exc}")


def load_luau_corpus(
    path: str | Path, *, report: LoadReport, source: str = "luau_corpus"
) -> Iterator[CodeRecord]:
    """Roblox's luau_corpus (`prompt`/`completion` JSONL, MIT): one record per fragment."""
    p = Path(path)
    files = sorted(p.rglob("*.jsonl")) if p.is_dir() else [p]
    for file in files:
        yield from load_table(file, report=report, source=source, default_license="mit")


def load_folder(
    path: str | Path,
    *,
    report: LoadReport,
    source: str | None = None,
    repo: str | None = None,
    default_license: str | None = None,
) -> Iterator[CodeRecord]:
    """Every `.lua`/`.luau` file under a folder (sorted, so ids and order are stable).

    A file's licence is the SPDX id of the nearest LICENSE/COPYING file in its
    folder or one above it up to `path` (`luaurft.data.licenses`), else
    `default_license`, else none."""
    root = Path(path)
    if root.is_file():
        label = source or root.parent.name or "folder"
        files = [root]
    else:
        label = source or root.name or "folder"
        files = sorted(f for f in root.rglob("*") if f.suffix in CODE_SUFFIXES and f.is_file())
    top = root.parent if root.is_file() else root
    memo: dict[Path, tuple[str | None, str | None]] = {}
    for file in files:
        relative = file.name if root.is_file() else file.relative_to(root).as_posix()
        found, license_file = nearest_license(file, top, memo)
        try:
            text = decode_text(file.read_bytes())
        except (UnicodeDecodeError, ValueError) as exc:
            report.problem(str(file), "non-utf8", str(exc))
            continue
        except OSError as exc:
            report.problem(str(file), "unreadable", str(exc))
            continue
        report.loaded[label] += 1
        yield CodeRecord(
            id=record_id(label, repo or "", relative),
            text=text,
            path=relative,
            repo=repo,
            license=found or default_license,
            source=label,
            meta={"license_file": license_file} if license_file else {},
        )


def load_hf_dataset(
    location: str | Path,
    *,
    report: LoadReport,
    split: str = "train",
    source: str = "the-luau-stack",
    default_license: str | None = None,
    streaming: bool = True,
) -> Iterator[CodeRecord]:
    """A dataset in the-luau-stack's schema through `datasets.load_dataset`.

    `location` is a hub name (e.g. the-luau-stack's repository id) or a local
    parquet/JSONL file or folder of them; local shards are opened one by one so
    that a corrupt shard is reported and the others still load. Streaming is the
    default: rows are read as they are needed, nothing is converted to a cache.
    """
    import datasets

    p = Path(location)
    if is_saved_dataset(p):
        # A dataset saved with `save_to_disk` (a Dataset, or a DatasetDict of splits).
        saved = datasets.load_from_disk(str(p))
        if isinstance(saved, datasets.DatasetDict):
            if split not in saved:
                raise LuaurftError(
                    f"{location}: no split {split!r}; pass --split with one of "
                    f"{', '.join(sorted(saved))}"
                )
            saved = saved[split]
        yield from _rows_to_records(
            iter(saved), source=source, origin=str(p), report=report,
            default_license=default_license,
        )  # fmt: skip
        return
    if p.exists():
        shards = (
            sorted(f for f in p.rglob("*") if f.suffix in TABLE_SUFFIXES and f.is_file())
            if p.is_dir()
            else [p]
        )
        for shard in shards:
            builder = "parquet" if shard.suffix == ".parquet" else "json"
            try:
                table = datasets.load_dataset(
                    builder, data_files=str(shard), split="train", streaming=streaming
                )
                yield from _rows_to_records(
                    iter(table),
                    source=source,
                    origin=str(shard),
                    report=report,
                    default_license=default_license,
                )
            except Exception as exc:  # one bad shard among many is reported, not fatal
                report.problem(str(shard), "unreadable", f"{type(exc).__name__}: {exc}")
        return
    try:
        table = datasets.load_dataset(str(location), split=split, streaming=streaming)
    except Exception as exc:
        raise LuaurftError(
            f"could not load dataset {location!r}: {exc}; pass a local path, or a hub name "
            "that is reachable (run `huggingface-cli login` for gated datasets)"
        ) from exc
    yield from _rows_to_records(
        iter(table), source=source, origin=str(location), report=report,
        default_license=default_license,
    )  # fmt: skip


def is_saved_dataset(path: Path) -> bool:
    """Whether `path` is a folder written by `datasets`' `save_to_disk`."""
    return path.is_dir() and (
        (path / "dataset_dict.json").is_file()
        or ((path / "state.json").is_file() and (path / "dataset_info.json").is_file())
    )


def _detect_format(location: str) -> SourceFormat:
    p = Path(location)
    if is_saved_dataset(p):
        return "stack"
    if p.is_dir():
        if any(f.suffix in CODE_SUFFIXES for f in p.rglob("*")):
            return "folder"
        return "table"
    if p.is_file():
        if p.suffix in CODE_SUFFIXES:
            return "folder"
        if p.suffix in TABLE_SUFFIXES:
            return "table"
        raise LuaurftError(
            f"{location}: unknown file type; give a .lua/.luau file, a .parquet/.jsonl table "
            "or a folder"
        )
    # Not on disk: a hub dataset name.
    return "stack"


def load_source(spec: SourceSpec | str, report: LoadReport) -> Iterator[CodeRecord]:
    """Records from one source spec (a path or hub name with an optional format)."""
    if isinstance(spec, str):
        spec = SourceSpec(location=spec)
    fmt = spec.format if spec.format != "auto" else _detect_format(spec.location)
    p = Path(spec.location)
    records: Iterator[CodeRecord]
    if fmt == "stack":
        records = load_hf_dataset(
            spec.location, report=report, split=spec.split,
            source=spec.name or "the-luau-stack", default_license=spec.license,
            streaming=spec.streaming,
        )  # fmt: skip
    elif fmt == "luau_corpus":
        records = load_luau_corpus(p, report=report, source=spec.name or "luau_corpus")
    elif fmt == "folder":
        records = load_folder(p, report=report, source=spec.name, default_license=spec.license)
    else:
        if not p.exists():
            raise LuaurftError(f"{spec.location}: no such file or folder")
        files = (
            sorted(f for f in p.rglob("*") if f.suffix in TABLE_SUFFIXES and f.is_file())
            if p.is_dir()
            else [p]
        )
        label = spec.name or (p.name if p.is_dir() else p.stem)
        records = (
            record
            for f in files
            for record in load_table(f, report=report, source=label, default_license=spec.license)
        )
    for count, record in enumerate(records):
        if spec.limit is not None and count >= spec.limit:
            break
        yield record


def load_sources(
    specs: Iterable[SourceSpec | str], report: LoadReport | None = None
) -> tuple[list[CodeRecord], LoadReport]:
    """Load every source into one list (order: sources in turn, each in its own order)."""
    report = report if report is not None else LoadReport()
    records: list[CodeRecord] = []
    for spec in specs:
        records.extend(load_source(spec, report))
    return records, report
