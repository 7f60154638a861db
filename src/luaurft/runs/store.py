"""`RunStore`: everything a run computes, in one SQLite file, so a killed run resumes.

One file per run (RFT or evaluation). Every write is its own small
transaction, so killing the process loses at most the item in flight; WAL
journalling keeps readers (a progress view, a second process inspecting the
run) from blocking the writer. One connection is shared by the threads of a
process behind a lock.

Tables: `run` (kind, config), `tasks`, `rounds`, `candidates` (unique per
task, round and sample index: nothing is generated twice), `score_cards`
(keyed by code hash, scorer version and the script kind it was asked for), `judgments` (keyed by code hash, task
and judge key, or a reference into the judge's own cache), `rewards`,
`selections`, `artifacts` and `stages`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from luaurft.errors import ConfigError, LuaurftError
from luaurft.llm.completion import Extraction, extract_code

SCHEMA_VERSION = 2
RunKind = Literal["rft", "eval"]
ConfigChange = Literal["error", "update", "ignore"]

# Stages and artifacts not tied to a round are stored under this round number.
RUN_LEVEL = -1
# The store's file name inside a run folder.
STORE_FILENAME = "run.sqlite"

# `kind`: the script kind the code was scored as ('' where the scorers inferred it).
_SCORE_CARDS = """
CREATE TABLE IF NOT EXISTS score_cards (
    code_sha256 TEXT NOT NULL,
    scorer_version TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    composite REAL,
    card TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (code_sha256, scorer_version, kind)
);
"""

_SCHEMA = (
    _SCORE_CARDS
    + """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS run (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('rft', 'eval')),
    config TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    prompt TEXT NOT NULL,
    kind TEXT,
    split TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rounds (
    round INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    meta TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY,
    task_id TEXT NOT NULL REFERENCES tasks(id),
    round INTEGER NOT NULL,
    sample_index INTEGER NOT NULL CHECK (sample_index >= 0),
    text TEXT NOT NULL,
    code TEXT,
    code_sha256 TEXT,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    model TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    UNIQUE (task_id, round, sample_index)
);
CREATE INDEX IF NOT EXISTS candidates_round ON candidates(round, task_id);
CREATE INDEX IF NOT EXISTS candidates_code ON candidates(code_sha256);
CREATE TABLE IF NOT EXISTS judgments (
    code_sha256 TEXT NOT NULL,
    task_id TEXT NOT NULL,
    judge_key TEXT NOT NULL,
    ok INTEGER NOT NULL,
    overall REAL,
    judgment TEXT,
    cache_ref TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (code_sha256, task_id, judge_key)
);
CREATE TABLE IF NOT EXISTS rewards (
    candidate_id INTEGER NOT NULL REFERENCES candidates(id) ON DELETE CASCADE,
    reward_key TEXT NOT NULL,
    value REAL,
    parts TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    PRIMARY KEY (candidate_id, reward_key)
);
CREATE TABLE IF NOT EXISTS selections (
    round INTEGER NOT NULL,
    task_id TEXT NOT NULL REFERENCES tasks(id),
    candidate_id INTEGER REFERENCES candidates(id),
    reward REAL,
    reason TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    PRIMARY KEY (round, task_id)
);
CREATE TABLE IF NOT EXISTS artifacts (
    name TEXT NOT NULL,
    round INTEGER NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    PRIMARY KEY (name, round)
);
CREATE TABLE IF NOT EXISTS stages (
    name TEXT NOT NULL,
    round INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    started_at TEXT,
    finished_at TEXT,
    error TEXT,
    meta TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (name, round)
);
"""
)


class Status(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunStoreError(LuaurftError):
    """The run file cannot be used as asked (another kind of run, another config, a newer schema)."""


class CandidateExistsError(RunStoreError):
    """A candidate for this (task, round, index) is already stored: it must not be generated twice."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def _load(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def config_hash(config: Mapping[str, Any]) -> str:
    return hashlib.sha256(_dump(config).encode("utf-8")).hexdigest()


def code_hash(code: str) -> str:
    """The key score cards and judgments are stored under (same as `LuauSource.sha256`)."""
    return hashlib.sha256(code.encode("utf-8", "surrogatepass")).hexdigest()


def prompt_task_id(prompt: str) -> str:
    """The id of a task known only by its prompt: stable across runs."""
    return "task-" + hashlib.sha1(prompt.encode("utf-8")).hexdigest()[:12]


def _round_key(round: int | None) -> int:
    return RUN_LEVEL if round is None else round


@dataclass(frozen=True, slots=True)
class TaskRow:
    id: str
    prompt: str
    kind: str | None = None
    split: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CandidateRow:
    id: int
    task_id: str
    round: int
    index: int
    text: str
    code: str | None
    code_sha256: str | None
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    model: str | None
    meta: dict[str, Any]
    created_at: str


@dataclass(frozen=True, slots=True)
class NewCandidate:
    """A candidate to store: what a model produced for (task, round, index)."""

    task_id: str
    round: int
    index: int
    text: str
    code: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    model: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_completion(
        cls,
        task_id: str,
        round: int,
        index: int,
        completion: Any,
        *,
        model: str | None = None,
        program: Callable[[str], str] | None = None,
    ) -> NewCandidate:
        """From a `luaurft.llm.Completion` (text, finish reason, token counts, its extraction).

        The one place a completion's code is extracted: the stored `code` is what the
        reward scores, selection keeps and training trains on, and nothing downstream
        extracts it again. `program` turns the extracted code into the text that is run
        (`Task.program`: a continued function header); what clean-up extraction did is
        kept in `meta["extraction"]`.
        """
        code, notes = completion_code(completion)
        if program is not None:
            code = program(code)
        return cls(
            task_id=task_id,
            round=round,
            index=index,
            text=str(completion.text),
            code=code,
            finish_reason=getattr(completion, "finish_reason", None),
            prompt_tokens=getattr(completion, "prompt_tokens", None),
            completion_tokens=getattr(completion, "completion_tokens", None),
            model=model or getattr(completion, "model", None),
            meta={"extraction": list(notes)} if notes else {},
        )


def completion_code(completion: Any) -> tuple[str, tuple[str, ...]]:
    """The code in a completion and the clean-up notes of its extraction: the completion's
    own extraction where it has one (`Completion.extraction`, or an `extract_code()` of
    its own), otherwise `luaurft.llm.extract_code` over its text."""
    extraction = getattr(completion, "extraction", None)
    if isinstance(extraction, Extraction):
        return extraction.code, extraction.notes
    extract = getattr(completion, "extract_code", None)
    if callable(extract):
        return str(extract()), ()
    found = extract_code(str(completion.text))
    return found.code, found.notes


@dataclass(frozen=True, slots=True)
class JudgmentRow:
    code_sha256: str
    task_id: str
    judge_key: str
    ok: bool
    overall: float | None
    judgment: Any
    cache_ref: str | None


@dataclass(frozen=True, slots=True)
class RewardRow:
    candidate_id: int
    reward_key: str
    value: float | None
    parts: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SelectionRow:
    round: int
    task_id: str
    candidate_id: int | None
    reward: float | None
    reason: str
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ArtifactRow:
    name: str
    round: int | None
    kind: str
    path: str
    meta: dict[str, Any]
    created_at: str


@dataclass(frozen=True, slots=True)
class RoundRow:
    round: int
    status: Status
    started_at: str | None
    finished_at: str | None
    meta: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StageRow:
    name: str
    round: int | None
    status: Status
    attempts: int
    started_at: str | None
    finished_at: str | None
    error: str | None
    meta: dict[str, Any]


def _candidate(row: sqlite3.Row) -> CandidateRow:
    return CandidateRow(
        id=row["id"],
        task_id=row["task_id"],
        round=row["round"],
        index=row["sample_index"],
        text=row["text"],
        code=row["code"],
        code_sha256=row["code_sha256"],
        finish_reason=row["finish_reason"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        model=row["model"],
        meta=_load(row["meta"]),
        created_at=row["created_at"],
    )


class RunStore:
    """One run's SQLite store. Open it with the run's kind and config; reopening resumes.

    `config` is compared with the stored one: `on_config_change="error"` (the
    default) refuses to resume a run with another config, "update" stores the
    new one, "ignore" keeps the old one.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        kind: RunKind = "rft",
        config: Mapping[str, Any] | None = None,
        run_id: str | None = None,
        on_config_change: ConfigChange = "error",
    ) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        # Autocommit mode: every transaction is opened explicitly by `_tx`.
        self._db = sqlite3.connect(
            self.path, timeout=30.0, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        # WAL + NORMAL survives a killed process (not a power cut) and is much faster than FULL.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._create_schema()
        self.run_id, self.kind = self._init_run(kind, dict(config or {}), run_id, on_config_change)

    @classmethod
    def in_dir(cls, run_dir: str | Path, **options: Any) -> RunStore:
        """The store of the run kept in folder `run_dir` (created on first use)."""
        return cls(Path(run_dir) / STORE_FILENAME, **options)

    # -- plumbing ------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params))

    def _create_schema(self) -> None:
        with self._lock:
            self._db.executescript(_SCHEMA)
        with self._tx() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is not None and int(row["value"]) > SCHEMA_VERSION:
                raise RunStoreError(
                    f"{self.path} was written by a newer luaurft (schema {row['value']}); "
                    "upgrade luaurft to resume this run"
                )
            if row is not None and int(row["value"]) < 2:
                _cards_keyed_by_kind(db)
            db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(SCHEMA_VERSION),),
            )

    def _init_run(
        self, kind: RunKind, config: dict[str, Any], run_id: str | None, on_change: ConfigChange
    ) -> tuple[str, RunKind]:
        digest = config_hash(config)
        with self._tx() as db:
            row = db.execute("SELECT * FROM run LIMIT 1").fetchone()
            if row is None:
                new_id = (
                    run_id or f"{kind}-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}-{digest[:6]}"
                )
                now = _now()
                db.execute(
                    "INSERT INTO run(id, kind, config, config_hash, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (new_id, kind, _dump(config), digest, now, now),
                )
                return new_id, kind
            if row["kind"] != kind:
                raise RunStoreError(
                    f"{self.path} holds a {row['kind']!r} run, not {kind!r}; use another run folder"
                )
            if row["config_hash"] != digest and config:
                if on_change == "error":
                    changed = _changed_keys(_load(row["config"]), config)
                    raise ConfigError(
                        f"{self.path} was started with a different config (changed: "
                        f"{', '.join(changed) or 'values'}); resume with the same config, or "
                        "start a new run folder"
                    )
                if on_change == "update":
                    db.execute(
                        "UPDATE run SET config = ?, config_hash = ?, updated_at = ?",
                        (_dump(config), digest, _now()),
                    )
            return str(row["id"]), kind

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- run -----------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        row = self._query("SELECT config FROM run LIMIT 1")[0]
        return dict(_load(row["config"]))

    @property
    def status(self) -> str:
        return str(self._query("SELECT status FROM run LIMIT 1")[0]["status"])

    def set_status(self, status: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE run SET status = ?, updated_at = ?", (status, _now()))

    def summary(self) -> dict[str, Any]:
        """Counts per table and the status of rounds and stages, for status views (JSON-able)."""
        counts = {
            table: int(self._query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])
            for table in (
                "tasks", "candidates", "score_cards", "judgments", "rewards", "selections", "artifacts",
            )
        }  # fmt: skip
        return {
            "run_id": self.run_id,
            "kind": self.kind,
            "status": self.status,
            "counts": counts,
            "rounds": {str(r.round): r.status.value for r in self.rounds()},
            "stages": {
                f"{s.name}" + (f"@{s.round}" if s.round is not None else ""): s.status.value
                for s in self.stages()
            },
        }

    def set_meta(self, key: str, value: Any) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (f"user:{key}", _dump(value)),
            )

    def get_meta(self, key: str, default: Any = None) -> Any:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (f"user:{key}",))
        return _load(rows[0]["value"]) if rows else default

    # -- tasks ---------------------------------------------------------------

    def add_tasks(self, tasks: Iterable[TaskRow]) -> int:
        """Store tasks (idempotent); returns how many were new.

        A task id already stored with a different prompt is an error: resuming
        must not silently swap the task its candidates were generated for.
        """
        added = 0
        with self._tx() as db:
            for task in tasks:
                row = db.execute("SELECT prompt FROM tasks WHERE id = ?", (task.id,)).fetchone()
                if row is not None:
                    if row["prompt"] != task.prompt:
                        raise RunStoreError(
                            f"task {task.id!r} is stored with a different prompt; task ids must "
                            "be stable across a run (start a new run folder for new tasks)"
                        )
                    continue
                db.execute(
                    "INSERT INTO tasks(id, prompt, kind, split, meta, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (task.id, task.prompt, task.kind, task.split, _dump(task.meta), _now()),
                )
                added += 1
        return added

    def tasks(self, split: str | None = None) -> list[TaskRow]:
        sql = (
            "SELECT * FROM tasks"
            + (" WHERE split = ?" if split is not None else "")
            + " ORDER BY rowid"
        )
        rows = self._query(sql, (split,) if split is not None else ())
        return [
            TaskRow(r["id"], r["prompt"], r["kind"], r["split"], _load(r["meta"])) for r in rows
        ]

    def task(self, task_id: str) -> TaskRow | None:
        rows = self._query("SELECT * FROM tasks WHERE id = ?", (task_id,))
        if not rows:
            return None
        r = rows[0]
        return TaskRow(r["id"], r["prompt"], r["kind"], r["split"], _load(r["meta"]))

    # -- rounds --------------------------------------------------------------

    def start_round(self, round: int, meta: Mapping[str, Any] | None = None) -> None:
        """Mark a round running (keeps its first start time when resumed)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO rounds(round, status, started_at, meta) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(round) DO UPDATE SET status = excluded.status, finished_at = NULL",
                (round, Status.RUNNING.value, _now(), _dump(dict(meta or {}))),
            )

    def finish_round(
        self, round: int, status: Status = Status.DONE, meta: Mapping[str, Any] | None = None
    ) -> None:
        with self._tx() as db:
            current = db.execute("SELECT meta FROM rounds WHERE round = ?", (round,)).fetchone()
            if current is None:
                raise RunStoreError(f"round {round} was never started")
            merged = {**_load(current["meta"]), **dict(meta or {})}
            db.execute(
                "UPDATE rounds SET status = ?, finished_at = ?, meta = ? WHERE round = ?",
                (Status(status).value, _now(), _dump(merged), round),
            )

    def round_status(self, round: int) -> Status | None:
        rows = self._query("SELECT status FROM rounds WHERE round = ?", (round,))
        return Status(rows[0]["status"]) if rows else None

    def rounds(self) -> list[RoundRow]:
        return [
            RoundRow(
                r["round"], Status(r["status"]), r["started_at"], r["finished_at"], _load(r["meta"])
            )
            for r in self._query("SELECT * FROM rounds ORDER BY round")
        ]

    # -- candidates ----------------------------------------------------------

    def add_candidate(self, candidate: NewCandidate) -> int:
        """Store one candidate and return its id; raises `CandidateExistsError` if present."""
        return self.add_candidates([candidate])[0]

    def add_candidates(self, candidates: Sequence[NewCandidate]) -> list[int]:
        """Store candidates in one transaction (all or none); returns their ids."""
        with self._tx() as db:
            return [self._insert_candidate(db, c) for c in candidates]

    @staticmethod
    def _insert_candidate(db: sqlite3.Connection, c: NewCandidate) -> int:
        code_sha = code_hash(c.code) if c.code is not None else None
        try:
            cursor = db.execute(
                "INSERT INTO candidates(task_id, round, sample_index, text, code, code_sha256, "
                "finish_reason, prompt_tokens, completion_tokens, model, meta, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    c.task_id, c.round, c.index, c.text, c.code, code_sha, c.finish_reason,
                    c.prompt_tokens, c.completion_tokens, c.model, _dump(c.meta), _now(),
                ),
            )  # fmt: skip
        except sqlite3.IntegrityError as exc:
            message = str(exc)
            if "UNIQUE" in message:
                raise CandidateExistsError(
                    f"candidate {c.index} of task {c.task_id!r} in round {c.round} is already "
                    "stored; ask missing_candidates() what is left to generate"
                ) from None
            if "FOREIGN KEY" in message:
                raise RunStoreError(
                    f"task {c.task_id!r} is not in the run; add_tasks() first"
                ) from None
            raise
        return int(cursor.lastrowid or 0)

    def put_candidates(self, candidates: Sequence[NewCandidate]) -> list[int]:
        """Store candidates in one transaction, each one the only candidate of its
        (task, round, index): a stored one with the same text is kept as it is (with its
        rewards, so it is not scored again); one with other text is deleted with its
        rewards and the new one stored. For a round done again after a kill (GRPO resumed
        from a checkpoint redoes the steps after it): the round keeps one candidate per
        index, never a second set. Returns their ids."""
        ids: list[int] = []
        with self._tx() as db:
            for c in candidates:
                old = db.execute(
                    "SELECT id, text FROM candidates WHERE task_id = ? AND round = ? "
                    "AND sample_index = ?",
                    (c.task_id, c.round, c.index),
                ).fetchone()
                if old is not None and old["text"] == c.text:
                    ids.append(int(old["id"]))
                    continue
                if old is not None:
                    db.execute("DELETE FROM candidates WHERE id = ?", (old["id"],))
                ids.append(self._insert_candidate(db, c))
        return ids

    def trim_round(self, round: int, counts: Mapping[str, int]) -> int:
        """Delete the candidates of `round` past the first `counts[task]` of each task (every
        one of a task not in `counts`), with their rewards: what a killed attempt of a round
        stored that the round done again did not sample. Returns how many were deleted."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, task_id, sample_index FROM candidates WHERE round = ?", (round,)
            ).fetchall()
            stale = [(r["id"],) for r in rows if r["sample_index"] >= counts.get(r["task_id"], 0)]
            db.executemany("DELETE FROM candidates WHERE id = ?", stale)
        return len(stale)

    def candidates(
        self, round: int | None = None, task_id: str | None = None
    ) -> list[CandidateRow]:
        clauses: list[str] = []
        params: list[Any] = []
        if round is not None:
            clauses.append("round = ?")
            params.append(round)
        if task_id is not None:
            clauses.append("task_id = ?")
            params.append(task_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT * FROM candidates{where} ORDER BY round, task_id, sample_index"
        return [_candidate(r) for r in self._query(sql, params)]

    def candidate(self, candidate_id: int) -> CandidateRow | None:
        rows = self._query("SELECT * FROM candidates WHERE id = ?", (candidate_id,))
        return _candidate(rows[0]) if rows else None

    def count_candidates(self, round: int | None = None) -> int:
        if round is None:
            return int(self._query("SELECT COUNT(*) AS n FROM candidates")[0]["n"])
        return int(
            self._query("SELECT COUNT(*) AS n FROM candidates WHERE round = ?", (round,))[0]["n"]
        )

    def missing_candidates(
        self, round: int, n: int, task_ids: Iterable[str] | None = None
    ) -> list[tuple[str, int]]:
        """(task id, sample index) pairs of round `round` not stored yet, for indices 0..n-1.

        Tasks in insertion order (or the order given), indices ascending: what
        a resumed run still has to generate, and nothing else.
        """
        wanted = list(task_ids) if task_ids is not None else [t.id for t in self.tasks()]
        have: dict[str, set[int]] = {}
        for row in self._query(
            "SELECT task_id, sample_index FROM candidates WHERE round = ? AND sample_index < ?",
            (round, n),
        ):
            have.setdefault(row["task_id"], set()).add(row["sample_index"])
        return [(t, i) for t in wanted for i in range(n) if i not in have.get(t, ())]

    # -- score cards ---------------------------------------------------------

    def put_score_card(
        self,
        code_sha256: str,
        scorer_version: str,
        card: Mapping[str, Any],
        composite: float | None = None,
        *,
        kind: str | None = None,
    ) -> None:
        """Store a score card (a `ScoreCard.to_dict()`) of code scored as script kind `kind`
        (None: the scorers inferred it); the same code, version and kind keeps the first."""
        if composite is None:
            scores = card.get("scores") or {}
            value = scores.get("composite") if isinstance(scores, Mapping) else None
            composite = float(value) if value is not None else None
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO score_cards(code_sha256, scorer_version, kind, composite, card, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (code_sha256, scorer_version, kind or "", composite, _dump(dict(card)), _now()),
            )

    def get_score_card(
        self, code_sha256: str, scorer_version: str, kind: str | None = None
    ) -> dict[str, Any] | None:
        """The card of code scored as script kind `kind` (None: the kind was inferred)."""
        rows = self._query(
            "SELECT card FROM score_cards WHERE code_sha256 = ? AND scorer_version = ? AND kind = ?",
            (code_sha256, scorer_version, kind or ""),
        )
        return dict(_load(rows[0]["card"])) if rows else None

    def missing_score_cards(self, round: int, scorer_version: str) -> list[CandidateRow]:
        """Candidates of a round whose code has no card for this scorer version."""
        rows = self._query(
            "SELECT c.* FROM candidates c LEFT JOIN score_cards s "
            "ON s.code_sha256 = c.code_sha256 AND s.scorer_version = ? "
            "WHERE c.round = ? AND c.code_sha256 IS NOT NULL AND s.code_sha256 IS NULL "
            "ORDER BY c.task_id, c.sample_index",
            (scorer_version, round),
        )
        return [_candidate(r) for r in rows]

    # -- judgments -----------------------------------------------------------

    def put_judgment(
        self,
        code_sha256: str,
        task_id: str,
        judge_key: str,
        *,
        ok: bool,
        overall: float | None = None,
        judgment: Any = None,
        cache_ref: str | None = None,
    ) -> None:
        """Store a judgment (or a recorded failure, `ok=False`); a later one replaces it."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO judgments(code_sha256, task_id, judge_key, ok, overall, judgment, cache_ref, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code_sha256, task_id, judge_key) DO UPDATE SET "
                "ok = excluded.ok, overall = excluded.overall, judgment = excluded.judgment, "
                "cache_ref = excluded.cache_ref, created_at = excluded.created_at",
                (code_sha256, task_id, judge_key, int(ok), overall,
                 None if judgment is None else _dump(judgment), cache_ref, _now()),
            )  # fmt: skip

    def get_judgment(self, code_sha256: str, task_id: str, judge_key: str) -> JudgmentRow | None:
        rows = self._query(
            "SELECT * FROM judgments WHERE code_sha256 = ? AND task_id = ? AND judge_key = ?",
            (code_sha256, task_id, judge_key),
        )
        if not rows:
            return None
        r = rows[0]
        return JudgmentRow(
            r["code_sha256"], r["task_id"], r["judge_key"], bool(r["ok"]), r["overall"],
            _load(r["judgment"]), r["cache_ref"],
        )  # fmt: skip

    # -- rewards -------------------------------------------------------------

    def put_reward(
        self,
        candidate_id: int,
        reward_key: str,
        value: float | None,
        parts: Mapping[str, Any] | None = None,
    ) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO rewards(candidate_id, reward_key, value, parts, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(candidate_id, reward_key) DO UPDATE SET value = excluded.value, "
                "parts = excluded.parts, created_at = excluded.created_at",
                (candidate_id, reward_key, value, _dump(dict(parts or {})), _now()),
            )

    def rewards(self, round: int, reward_key: str) -> dict[int, RewardRow]:
        rows = self._query(
            "SELECT r.* FROM rewards r JOIN candidates c ON c.id = r.candidate_id "
            "WHERE c.round = ? AND r.reward_key = ?",
            (round, reward_key),
        )
        return {
            r["candidate_id"]: RewardRow(
                r["candidate_id"], r["reward_key"], r["value"], _load(r["parts"])
            )
            for r in rows
        }

    def unrewarded(self, round: int, reward_key: str) -> list[CandidateRow]:
        """Candidates of a round that have no reward under `reward_key` yet."""
        rows = self._query(
            "SELECT c.* FROM candidates c LEFT JOIN rewards r "
            "ON r.candidate_id = c.id AND r.reward_key = ? "
            "WHERE c.round = ? AND r.candidate_id IS NULL ORDER BY c.task_id, c.sample_index",
            (reward_key, round),
        )
        return [_candidate(r) for r in rows]

    # -- selections ----------------------------------------------------------

    def select(
        self,
        round: int,
        task_id: str,
        candidate_id: int | None,
        *,
        reward: float | None,
        reason: str,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """Record the selection for a task in a round (`candidate_id=None`: none kept, and why)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO selections(round, task_id, candidate_id, reward, reason, meta, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(round, task_id) DO UPDATE SET "
                "candidate_id = excluded.candidate_id, reward = excluded.reward, "
                "reason = excluded.reason, meta = excluded.meta, created_at = excluded.created_at",
                (round, task_id, candidate_id, reward, reason, _dump(dict(meta or {})), _now()),
            )

    def selections(self, round: int, *, kept_only: bool = False) -> list[SelectionRow]:
        sql = "SELECT * FROM selections WHERE round = ?"
        if kept_only:
            sql += " AND candidate_id IS NOT NULL"
        return [
            SelectionRow(
                r["round"],
                r["task_id"],
                r["candidate_id"],
                r["reward"],
                r["reason"],
                _load(r["meta"]),
            )
            for r in self._query(sql + " ORDER BY task_id", (round,))
        ]

    # -- artifacts -----------------------------------------------------------

    def add_artifact(
        self,
        name: str,
        path: str | Path,
        *,
        kind: str = "file",
        round: int | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an artifact (adapter, report, dataset); the same name and round is replaced."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO artifacts(name, round, kind, path, meta, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(name, round) DO UPDATE SET kind = excluded.kind, path = excluded.path, "
                "meta = excluded.meta, created_at = excluded.created_at",
                (
                    name,
                    _round_key(round),
                    kind,
                    self._portable(path),
                    _dump(dict(meta or {})),
                    _now(),
                ),
            )

    def _portable(self, path: str | Path) -> str:
        """`path` as stored: relative to the store's folder when inside it, so a run
        folder moved or copied elsewhere finds its own adapters, not the original's."""
        folder = self.path.parent.resolve()
        try:
            return Path(path).resolve().relative_to(folder).as_posix()
        except ValueError:
            return str(Path(path).resolve())

    def artifact(self, name: str, round: int | None = None) -> ArtifactRow | None:
        rows = self._query(
            "SELECT * FROM artifacts WHERE name = ? AND round = ?", (name, _round_key(round))
        )
        return self._artifact(rows[0]) if rows else None

    def artifacts(self, *, kind: str | None = None, round: int | None = None) -> list[ArtifactRow]:
        clauses: list[str] = []
        params: list[Any] = []
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        if round is not None:
            clauses.append("round = ?")
            params.append(round)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        return [
            self._artifact(r)
            for r in self._query(f"SELECT * FROM artifacts{where} ORDER BY round, name", params)
        ]

    def _artifact(self, r: sqlite3.Row) -> ArtifactRow:
        round_value = None if r["round"] == RUN_LEVEL else r["round"]
        # Absolute: outside the run folder, or written before paths were stored relative.
        path = r["path"] if Path(r["path"]).is_absolute() else str(self.path.parent / r["path"])
        return ArtifactRow(
            r["name"], round_value, r["kind"], path, _load(r["meta"]), r["created_at"]
        )

    # -- stages --------------------------------------------------------------

    def stage(self, name: str, round: int | None = None) -> StageRow | None:
        rows = self._query(
            "SELECT * FROM stages WHERE name = ? AND round = ?", (name, _round_key(round))
        )
        if not rows:
            return None
        r = rows[0]
        return StageRow(
            r["name"], None if r["round"] == RUN_LEVEL else r["round"], Status(r["status"]),
            r["attempts"], r["started_at"], r["finished_at"], r["error"], _load(r["meta"]),
        )  # fmt: skip

    def stage_done(self, name: str, round: int | None = None) -> bool:
        row = self.stage(name, round)
        return row is not None and row.status is Status.DONE

    def start_stage(self, name: str, round: int | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO stages(name, round, status, attempts, started_at) VALUES (?, ?, ?, 1, ?) "
                "ON CONFLICT(name, round) DO UPDATE SET status = excluded.status, "
                "attempts = stages.attempts + 1, started_at = excluded.started_at, "
                "finished_at = NULL, error = NULL",
                (name, _round_key(round), Status.RUNNING.value, _now()),
            )

    def finish_stage(
        self, name: str, round: int | None = None, meta: Mapping[str, Any] | None = None
    ) -> None:
        self._end_stage(name, round, Status.DONE, None, meta)

    def fail_stage(self, name: str, round: int | None = None, error: str = "") -> None:
        self._end_stage(name, round, Status.FAILED, error, None)

    def _end_stage(
        self,
        name: str,
        round: int | None,
        status: Status,
        error: str | None,
        meta: Mapping[str, Any] | None,
    ) -> None:
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE stages SET status = ?, finished_at = ?, error = ?, meta = ? WHERE name = ? AND round = ?",
                (status.value, _now(), error, _dump(dict(meta or {})), name, _round_key(round)),
            )
            if cursor.rowcount == 0:
                raise RunStoreError(f"stage {name!r} (round {round}) was never started")

    @contextmanager
    def running_stage(self, name: str, round: int | None = None) -> Iterator[None]:
        """Mark a stage running for the `with` body: done when it returns, failed (with the
        error) when it raises. A killed process leaves it `running`; resuming re-enters it."""
        self.start_stage(name, round)
        try:
            yield
        except BaseException as exc:
            self.fail_stage(name, round, f"{type(exc).__name__}: {exc}"[:2000])
            raise
        self.finish_stage(name, round)

    def stages(self) -> list[StageRow]:
        rows = self._query("SELECT name, round FROM stages ORDER BY round, rowid")
        found = [
            self.stage(r["name"], None if r["round"] == RUN_LEVEL else r["round"]) for r in rows
        ]
        return [s for s in found if s is not None]


def _cards_keyed_by_kind(db: sqlite3.Connection) -> None:
    """Schema 1 -> 2: score cards are keyed by the script kind they were asked for too
    (the same code scored as a LocalScript and as a Script has two cards). Cards of a
    schema-1 store were never read back; they keep the inferred-kind key."""
    columns = {row["name"] for row in db.execute("PRAGMA table_info(score_cards)")}
    if "kind" in columns:
        return
    db.execute("ALTER TABLE score_cards RENAME TO score_cards_v1")
    db.execute(_SCORE_CARDS)
    db.execute(
        "INSERT INTO score_cards(code_sha256, scorer_version, composite, card, created_at) "
        "SELECT code_sha256, scorer_version, composite, card, created_at FROM score_cards_v1"
    )
    db.execute("DROP TABLE score_cards_v1")


def _changed_keys(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        changed: list[str] = []
        for key in sorted(set(old) | set(new)):
            changed += _changed_keys(old.get(key), new.get(key), f"{prefix}{key}.")
        return changed
    return [] if old == new else [prefix.rstrip(".") or "config"]
