from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from luaurft.errors import ConfigError
from luaurft.runs.store import (
    SCHEMA_VERSION,
    CandidateExistsError,
    NewCandidate,
    RunStore,
    RunStoreError,
    Status,
    TaskRow,
    code_hash,
)
from runstore_worker import CountingGenerator, fill_candidates, make_tasks

ROOT = Path(__file__).resolve().parents[1]


def _pairs(store: RunStore, round: int) -> Counter[tuple[str, int]]:
    return Counter((c.task_id, c.index) for c in store.candidates(round=round))


def test_killed_by_an_exception_mid_candidates_resumes_without_regenerating(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    tasks, n = make_tasks(6), 4
    first = CountingGenerator("first", fail_on_call=4)
    with RunStore(db, config={"n": n}) as store:
        store.add_tasks(tasks)
        store.start_round(1)
        with (
            pytest.raises(RuntimeError, match="backend died"),
            store.running_stage("candidates", round=1),
        ):
            fill_candidates(store, 1, n, first)
        assert store.count_candidates(1) == 3 * n
        stage = store.stage("candidates", 1)
        assert (
            stage is not None
            and stage.status is Status.FAILED
            and "backend died" in (stage.error or "")
        )
        before = {(c.task_id, c.index): c.text for c in store.candidates(round=1)}

    second = CountingGenerator("second")
    with RunStore(db, config={"n": n}) as store:
        assert len(store.missing_candidates(1, n)) == 3 * n
        with store.running_stage("candidates", round=1):
            fill_candidates(store, 1, n, second)
        assert store.stage_done("candidates", 1)
        assert store.stage("candidates", 1).attempts == 2  # type: ignore[union-attr]
        pairs = _pairs(store, 1)
        assert len(pairs) == len(tasks) * n and set(pairs.values()) == {1}
        # finished work kept as it was; the resumed run generated exactly what was missing
        after = {(c.task_id, c.index): c.text for c in store.candidates(round=1)}
        assert all(after[key] == text for key, text in before.items())
        assert len(second.produced) == 3 * n
        assert Counter(first.produced) + Counter(second.produced) == Counter(
            {t.prompt: n for t in tasks}
        )
        assert store.missing_candidates(1, n) == []


def test_partially_sampled_task_asks_only_for_missing_indices(tmp_path: Path) -> None:
    with RunStore(tmp_path / "r.sqlite") as store:
        store.add_tasks(make_tasks(2))
        store.add_candidates([NewCandidate("task-000", 1, i, f"x{i}") for i in (0, 2)])
        assert store.missing_candidates(1, 4) == [
            ("task-000", 1), ("task-000", 3), ("task-001", 0), ("task-001", 1),
            ("task-001", 2), ("task-001", 3),
        ]  # fmt: skip
        generator = CountingGenerator("g")
        fill_candidates(store, 1, 4, generator)
        assert generator.calls == 2 and len(generator.produced) == 6
        assert store.missing_candidates(1, 4) == [] and store.missing_candidates(2, 4)[0] == (
            "task-000",
            0,
        )
        with pytest.raises(CandidateExistsError):
            store.add_candidate(NewCandidate("task-000", 1, 0, "again"))
        with pytest.raises(RunStoreError, match="add_tasks"):
            store.add_candidate(NewCandidate("no-such-task", 1, 0, "x"))


def test_process_killed_mid_candidates_resumes_and_nothing_is_generated_twice(
    tmp_path: Path,
) -> None:
    db, log = tmp_path / "run.sqlite", tmp_path / "child.log"
    tasks, n = 200, 2
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])}
    child = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "runstore_worker.py"),
            str(db),
            str(log),
            str(tasks),
            str(n),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if db.exists():
                with RunStore(db, config={"n": n}) as peek:
                    if peek.count_candidates(1) >= 10:
                        break
            assert child.poll() is None, "the worker finished before it could be killed"
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    with RunStore(db, config={"n": n}) as store:
        stored = store.count_candidates(1)
        child_produced = len(log.read_text().splitlines())
        assert 10 <= stored < tasks * n
        # a kill loses at most the one task batch that was in flight
        assert child_produced - stored in (0, n)
        resumed = CountingGenerator("resumed")
        fill_candidates(store, 1, n, resumed)
        pairs = _pairs(store, 1)
        assert len(pairs) == tasks * n and set(pairs.values()) == {1}
        assert len(resumed.produced) == tasks * n - stored
        models = Counter(c.model for c in store.candidates(round=1))
        assert models == {"child": stored, "resumed": tasks * n - stored}


def test_reopening_checks_kind_and_config(tmp_path: Path) -> None:
    db = tmp_path / "run.sqlite"
    with RunStore(db, kind="eval", config={"samples": 4, "model": {"name": "m"}}) as store:
        run_id = store.run_id
    with RunStore(db, kind="eval", config={"samples": 4, "model": {"name": "m"}}) as store:
        assert store.run_id == run_id and store.config["samples"] == 4
    with pytest.raises(ConfigError, match=r"model\.name"):
        RunStore(db, kind="eval", config={"samples": 4, "model": {"name": "other"}})
    with pytest.raises(RunStoreError, match="'eval' run"):
        RunStore(db, kind="rft")
    with RunStore(db, kind="eval", config={"samples": 8}, on_config_change="update") as store:
        assert store.config == {"samples": 8}
    with RunStore(db, kind="eval") as store:  # no config given: resume as stored
        assert store.config == {"samples": 8}


def test_tasks_are_idempotent_and_stable(tmp_path: Path) -> None:
    with RunStore(tmp_path / "r.sqlite") as store:
        assert store.add_tasks(make_tasks(3)) == 3
        assert store.add_tasks(make_tasks(4)) == 1
        assert [t.id for t in store.tasks()] == ["task-000", "task-001", "task-002", "task-003"]
        store.add_tasks([TaskRow("held", "Held out task", split="test")])
        assert [t.id for t in store.tasks(split="test")] == ["held"]
        with pytest.raises(RunStoreError, match="different prompt"):
            store.add_tasks([TaskRow("task-000", "Something else")])


def test_a_moved_run_folder_finds_its_own_artifacts(tmp_path: Path) -> None:
    import shutil

    first, moved, outside = tmp_path / "run", tmp_path / "moved", tmp_path / "data.jsonl"
    with RunStore.in_dir(first) as store:
        store.add_artifact("adapter", first / "adapters" / "sft", kind="adapter", round=0)
        store.add_artifact("data", outside, kind="dataset")
        assert store.artifact("adapter", 0).path == str(first / "adapters" / "sft")
    shutil.copytree(first, moved)
    with RunStore.in_dir(moved) as store:
        # Inside the folder: found where the folder now is, not in the original.
        assert store.artifact("adapter", 0).path == str(moved / "adapters" / "sft")
        assert store.artifact("data").path == str(outside)


def test_scores_judgments_rewards_selections_artifacts_rounds(tmp_path: Path) -> None:
    with RunStore(tmp_path / "r.sqlite") as store:
        store.add_tasks(make_tasks(2))
        store.start_round(1)
        ids = store.add_candidates(
            [
                NewCandidate("task-000", 1, i, f"```lua\nprint({i})\n```", code=f"print({i})")
                for i in range(2)
            ]
            + [NewCandidate("task-001", 1, 0, "print(0)", code="print(0)")]
        )
        # the same code in two tasks shares one score card
        assert [c.code_sha256 for c in store.candidates(round=1)].count(code_hash("print(0)")) == 2
        assert len(store.missing_score_cards(1, "v1")) == 3
        store.put_score_card(code_hash("print(0)"), "v1", {"scores": {"composite": 0.9}})
        store.put_score_card(
            code_hash("print(0)"), "v1", {"scores": {"composite": 0.1}}
        )  # first kept
        assert store.get_score_card(code_hash("print(0)"), "v1") == {"scores": {"composite": 0.9}}
        assert store.get_score_card(code_hash("print(0)"), "v2") is None
        # Scored as another script kind, the same code has a card of its own.
        assert store.get_score_card(code_hash("print(0)"), "v1", "LocalScript") is None
        store.put_score_card(code_hash("print(0)"), "v1", {"kind": "LocalScript"},
                             kind="LocalScript")  # fmt: skip
        assert store.get_score_card(code_hash("print(0)"), "v1", "LocalScript") == {
            "kind": "LocalScript"
        }
        assert store.get_score_card(code_hash("print(0)"), "v1") == {"scores": {"composite": 0.9}}
        assert [c.code for c in store.missing_score_cards(1, "v1")] == ["print(1)"]

        store.put_judgment(
            code_hash("print(1)"),
            "task-000",
            "claude@judge-v1",
            ok=False,
            judgment={"error": "timeout"},
        )
        store.put_judgment(
            code_hash("print(1)"),
            "task-000",
            "claude@judge-v1",
            ok=True,
            overall=0.8,
            cache_ref="ab12",
        )
        judged = store.get_judgment(code_hash("print(1)"), "task-000", "claude@judge-v1")
        assert (
            judged is not None
            and judged.ok
            and judged.overall == 0.8
            and judged.cache_ref == "ab12"
        )

        store.put_reward(ids[0], "hybrid", 0.6, {"syntax": 1.0})
        store.put_reward(ids[1], "hybrid", 0.8, {"syntax": 1.0})
        assert [c.id for c in store.unrewarded(1, "hybrid")] == [ids[2]]
        assert store.rewards(1, "hybrid")[ids[1]].value == 0.8

        store.select(1, "task-000", ids[1], reward=0.8, reason="best >= 0.70")
        store.select(1, "task-001", None, reward=0.4, reason="below threshold")
        assert [s.candidate_id for s in store.selections(1)] == [ids[1], None]
        assert [s.task_id for s in store.selections(1, kept_only=True)] == ["task-000"]

        store.add_artifact("adapter", tmp_path / "a1", kind="adapter", round=1)
        store.add_artifact("adapter", tmp_path / "a1b", kind="adapter", round=1)
        store.add_artifact("report", tmp_path / "report.md", kind="report")
        assert store.artifact("adapter", 1).path.endswith("a1b")  # type: ignore[union-attr]
        assert store.artifact("report") is not None and store.artifact("report").round is None  # type: ignore[union-attr]
        assert [a.name for a in store.artifacts(kind="adapter")] == ["adapter"]

        store.finish_round(1, meta={"kept": 1})
        assert store.round_status(1) is Status.DONE and store.rounds()[0].meta == {"kept": 1}
        assert store.round_status(2) is None

        assert not store.stage_done("sft")
        with store.running_stage("sft"):
            assert store.stage("sft").status is Status.RUNNING  # type: ignore[union-attr]
        assert store.stage_done("sft") and [s.name for s in store.stages()] == ["sft"]


def test_threads_share_one_store(tmp_path: Path) -> None:
    with RunStore(tmp_path / "r.sqlite") as store:
        store.add_tasks(make_tasks(8))

        def work(task_number: int) -> None:
            for i in range(10):
                store.add_candidate(NewCandidate(f"task-{task_number:03d}", 1, i, f"code {i}"))
                store.put_reward(
                    store.candidates(round=1, task_id=f"task-{task_number:03d}")[-1].id, "r", 0.5
                )

        threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert store.count_candidates(1) == 80 and store.unrewarded(1, "r") == []


def test_run_folder_and_summary(tmp_path: Path) -> None:
    with RunStore.in_dir(tmp_path / "runs" / "a", kind="eval", config={"k": 1}) as store:
        store.add_tasks(make_tasks(2))
        store.add_candidate(NewCandidate("task-000", 0, 0, "x"))
        store.start_round(0)
        with store.running_stage("sample", round=0):
            pass
        store.set_meta("note", {"a": 1})
        assert store.get_meta("note") == {"a": 1} and store.get_meta("missing", 5) == 5
        summary = store.summary()
    assert (tmp_path / "runs" / "a" / "run.sqlite").is_file()
    assert summary["kind"] == "eval" and summary["counts"]["tasks"] == 2
    assert summary["counts"]["candidates"] == 1
    assert summary["rounds"] == {"0": "running"} and summary["stages"] == {"sample@0": "done"}


def test_a_schema_1_store_keys_its_score_cards_by_kind_when_reopened(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "run.sqlite"
    with RunStore(path, config={"a": 1}) as store:
        store.put_score_card(code_hash("print(0)"), "v1", {"scores": {"composite": 0.5}})
    # What schema 1 wrote: cards keyed by code and scorer version only.
    db = sqlite3.connect(path)
    db.executescript(
        "DROP TABLE score_cards;"
        "CREATE TABLE score_cards (code_sha256 TEXT NOT NULL, scorer_version TEXT NOT NULL, "
        "composite REAL, card TEXT NOT NULL, created_at TEXT NOT NULL, "
        "PRIMARY KEY (code_sha256, scorer_version));"
        f"INSERT INTO score_cards VALUES ('{code_hash('print(0)')}', 'v1', 0.5, "
        "'{\"scores\": {\"composite\": 0.5}}', 'then');"
        "UPDATE meta SET value = '1' WHERE key = 'schema_version';"
    )
    db.commit()
    db.close()
    with RunStore(path, config={"a": 1}) as store:
        assert store.get_score_card(code_hash("print(0)"), "v1") == {"scores": {"composite": 0.5}}
        store.put_score_card(code_hash("print(0)"), "v1", {"kind": "Script"}, kind="Script")
        assert store.get_score_card(code_hash("print(0)"), "v1", "Script") == {"kind": "Script"}
        version = store._db.execute("SELECT value FROM meta WHERE key = 'schema_version'")
        assert version.fetchone()[0] == str(SCHEMA_VERSION)
