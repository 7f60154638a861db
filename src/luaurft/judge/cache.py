"""A SQLite cache of judgments, so a re-run costs nothing.

Keyed by (judge model, prompt version, task hash, code hash): a different
judge, a reworded rubric, another task or one changed byte of code is a
different key. Failed judgments are stored too, marked failed, so a re-run
neither repeats a request that already failed for good nor mistakes it for a
score; `LLMJudge(retry_failed=True)` asks again.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from luaurft.judge.judge import Judgment

_SCHEMA = """
CREATE TABLE IF NOT EXISTS judgments (
    judge_model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    task_sha256 TEXT NOT NULL,
    code_sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    payload TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (judge_model, prompt_version, task_sha256, code_sha256)
)
"""


@dataclass(frozen=True)
class CacheKey:
    judge_model: str
    prompt_version: str
    task_sha256: str
    code_sha256: str


@dataclass(frozen=True)
class CacheStats:
    ok: int
    failed: int


class JudgeCache:
    """The cache file (or ":memory:"); safe to share between threads."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        if self.path != ":memory:":
            # Several processes (an eval and a training run) may share one cache.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def get(self, key: CacheKey) -> Judgment | None:
        from luaurft.judge.judge import Judgment

        with self._lock:
            row = self._db.execute(
                "SELECT payload FROM judgments WHERE judge_model = ? AND prompt_version = ? "
                "AND task_sha256 = ? AND code_sha256 = ?",
                (key.judge_model, key.prompt_version, key.task_sha256, key.code_sha256),
            ).fetchone()
        if row is None:
            return None
        return Judgment.from_dict(json.loads(row[0]), cached=True)

    def put(self, judgment: Judgment) -> None:
        key = judgment.key
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO judgments VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    key.judge_model,
                    key.prompt_version,
                    key.task_sha256,
                    key.code_sha256,
                    "ok" if judgment.ok else "failed",
                    json.dumps(judgment.to_dict(), sort_keys=True),
                    time.time(),
                ),
            )
            self._db.commit()

    def stats(self) -> CacheStats:
        with self._lock:
            rows = dict(
                self._db.execute(
                    "SELECT status, COUNT(*) FROM judgments GROUP BY status"
                ).fetchall()
            )
        return CacheStats(ok=int(rows.get("ok", 0)), failed=int(rows.get("failed", 0)))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> JudgeCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
