"""`luaurft data build` as a user runs it: licences from LICENSE files, reverse-labelling
through the fake OpenAI-compatible server (resumable after a kill), gold solutions,
Hugging Face datasets saved locally, and an empty result that says which flag to change."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import LEADERSTATS_SCRIPT
from data_helpers import corpus_texts, stack_rows
from luaurft.data import read_jsonl
from luaurft.data.licenses import nearest_license, spdx_from_text
from luaurft.errors import LuaurftError
from luaurft.testing.fake_labels import is_reverse_label, label_for
from luaurft.testing.fake_llm_server import FakeLLMServer, FakeRequest, default_responder

MIT = """MIT License

Copyright (c) 2024 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
"""
BSD3 = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
3. Neither the name of the copyright holder nor the names of its contributors may be used
"""
GPL3 = "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"
APACHE = "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n"


def _library(root: Path, license_text: str | None = MIT, name: str = "LICENSE.md") -> Path:
    """A folder laid out like a Luau library: src/ of scripts, the licence at the top."""
    (root / "src").mkdir(parents=True)
    for file, text in corpus_texts().items():
        (root / "src" / file).write_text(text, encoding="utf-8")
    if license_text is not None:
        (root / name).write_text(license_text, encoding="utf-8")
    return root


def _build(args: list[str]) -> tuple[int, str, str]:
    from luaurft.cli import app

    result = CliRunner().invoke(app, ["data", "build", *args, "--no-builtin-eval"])
    if isinstance(result.exception, LuaurftError):  # `luaurft` prints it and exits 2
        return 2, result.stdout, str(result.exception)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        (MIT, "mit"),
        (APACHE, "apache-2.0"),
        (BSD3, "bsd-3-clause"),
        (BSD3.replace("Neither the name", "The name").replace("contributors", "x"), "bsd-2-clause"),
        (GPL3, "gpl-3.0"),
        ("Mozilla Public License Version 2.0\n", "mpl-2.0"),
        ("This is free and unencumbered software released into the public domain.", "unlicense"),
        ("// SPDX-License-Identifier: ISC\n", "isc"),
        ("All rights reserved. Do not copy.", None),
    ],
)
def test_licence_text_gives_its_spdx_id(text: str, spdx: str | None) -> None:
    assert spdx_from_text(text) == spdx


def test_nearest_licence_file_wins(tmp_path: Path) -> None:
    _library(tmp_path)
    vendored = tmp_path / "src" / "vendor"
    vendored.mkdir()
    (vendored / "COPYING").write_text(GPL3)
    (vendored / "x.luau").write_text("print(1)\n")
    assert nearest_license(tmp_path / "src" / "killbrick.luau", tmp_path)[0] == "mit"
    spdx, file = nearest_license(vendored / "x.luau", tmp_path)
    assert spdx == "gpl-3.0" and file is not None and file.endswith("COPYING")
    # Nothing above the source's root is read.
    assert nearest_license(tmp_path / "src" / "killbrick.luau", tmp_path / "src") == (None, None)


def test_folder_licence_from_its_license_file_and_empty_result_names_the_flag(
    tmp_path: Path,
) -> None:
    licensed = _library(tmp_path / "lib")
    code, stdout, _ = _build([str(licensed), "--out", str(tmp_path / "a"), "--format", "json"])
    # Every file is MIT through LICENSE.md; with no task anywhere the SFT files are empty,
    # which is an error that points at --label-with.
    summary = json.loads(stdout)
    assert summary["final"] == len(corpus_texts())
    rows = [json.loads(line) for line in (tmp_path / "a" / "corpus.jsonl").open()]
    assert {row["license"] for row in rows} == {"mit"}
    assert code == 1

    bare = _library(tmp_path / "bare", license_text=None)
    code, _, stderr = _build([str(bare), "--out", str(tmp_path / "b"), "--format", "json"])
    assert code == 1
    assert "filter:license" in stderr and "--license" in stderr
    assert "--allow-unknown-license" in stderr

    code, _, stderr = _build(
        [str(licensed), "--out", str(tmp_path / "c"), "--min-score", "0.99", "--format", "json"]
    )
    assert code == 1 and "filter:score" in stderr and "--min-score" in stderr


def test_label_with_the_fake_server_writes_sft_rows_with_tasks(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib")
    with FakeLLMServer() as server:
        code, stdout, stderr = _build(
            [str(library), "--out", str(tmp_path / "out"), "--format", "json",
             "--label-with", f"openai:fake@{server.openai_base_url}"]
        )  # fmt: skip
    assert code == 0, stderr
    pairs = read_jsonl(tmp_path / "out" / "sft_prompt_completion.jsonl")
    assert len(pairs) == len(corpus_texts())
    assert all(row["prompt"][-1]["content"].startswith("Write a Roblox") for row in pairs)
    assert json.loads(stdout)["with_task"] == len(pairs)
    # The tasks, as `luaurft rft --tasks` reads them.
    from luaurft.rft.loop import load_tasks

    tasks = load_tasks(tmp_path / "out" / "tasks.jsonl")
    assert [t.prompt for t in tasks] == [row["prompt"][-1]["content"] for row in pairs]


_KILLER = """
import sys
from luaurft.cli import main
main(sys.argv[1:])
"""


def test_a_killed_labelling_run_resumes_without_labelling_anything_twice(
    tmp_path: Path,
) -> None:
    """The build is killed (SIGKILL) while some requests hang; the rerun labels only the rest."""
    library = _library(tmp_path / "lib")
    answered: Counter[str] = Counter()
    first_run = threading.Event()
    release = threading.Event()
    lock = threading.Lock()

    def responder(request: FakeRequest) -> str:
        assert is_reverse_label(request)
        code = request.last_user_text
        with lock:
            hang = first_run.is_set() and len(answered) >= 3
            if not hang:
                answered[code] += 1
        if hang:
            release.wait(30)  # never answered: the client is killed first
            return "Write nothing at all, the client that asked is gone by now."
        return label_for(code)

    out = tmp_path / "out"
    cache = out / "label_cache.sqlite"
    with FakeLLMServer(responder) as server:
        args = [
            "data", "build", str(library), "--out", str(out), "--no-builtin-eval", "--format", "json",
            "--label-with", f"openai:fake@{server.openai_base_url}",
        ]  # fmt: skip
        first_run.set()
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
        process = subprocess.Popen(
            [sys.executable, "-c", _KILLER, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            stored = 0
            while time.monotonic() < deadline and process.poll() is None:
                if cache.exists():
                    # The file exists a moment before its table does.
                    with (
                        contextlib.suppress(sqlite3.OperationalError),
                        sqlite3.connect(cache) as db,
                    ):
                        stored = db.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
                if stored >= 3:
                    break
                time.sleep(0.2)
            assert stored == 3, "the first run should have stored three labels, then hung"
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        first_run.clear()
        release.set()
        assert sum(answered.values()) == 3
        code, _, stderr = _build(args[2:])
    assert code == 0, stderr
    # Every script was answered exactly once over both runs.
    assert len(answered) == len(corpus_texts())
    assert set(answered.values()) == {1}
    pairs = read_jsonl(out / "sft_prompt_completion.jsonl")
    assert len(pairs) == len(corpus_texts())
    card = json.loads((out / "data_card.json").read_text())
    assert card["details"]["labelling"]["cached"] == 3


def test_gold_solutions_are_kept_only_above_the_threshold(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib")
    tasks = tmp_path / "gold.jsonl"
    tasks.write_text(
        json.dumps({"id": "stats", "prompt": "Give every player leaderstats with Coins."})
        + "\n"
        + json.dumps({"id": "junk", "prompt": "Print hello."})
        + "\n"
    )

    def responder(request: FakeRequest) -> str:
        if is_reverse_label(request):
            return default_responder(request)
        if "leaderstats" in request.last_user_text:
            return f"```lua\n{LEADERSTATS_SCRIPT}```"
        return "```lua\nprint('hello')\n```"

    with FakeLLMServer(responder) as server:
        url = f"openai:fake@{server.openai_base_url}"
        args = [str(library), "--out", str(tmp_path / "out"), "--format", "json", "--label-with", url,
                "--gold-with", url, "--gold-tasks", str(tasks), "--gold-samples", "2"]  # fmt: skip
        code, stdout, stderr = _build(args)
        assert code == 0, stderr
        asked = server.request_count
        # A rerun asks nothing again: labels and gold answers are in the cache.
        code, again, stderr = _build(args)
        assert code == 0, stderr
        assert server.request_count == asked
    assert json.loads(again)["steps"] == json.loads(stdout)["steps"]
    steps = {s["name"]: s for s in json.loads(stdout)["steps"]}
    assert steps["gold"]["count"] == 1 and steps["gold"]["removed"] == {"below-min-score": 1}
    pairs = read_jsonl(tmp_path / "out" / "sft_prompt_completion.jsonl")
    gold = [p for p in pairs if p["prompt"][-1]["content"].startswith("Give every player")]
    assert len(gold) == 1 and "leaderstats" in gold[0]["completion"][0]["content"]


def test_gold_needs_both_options(tmp_path: Path) -> None:
    library = _library(tmp_path / "lib")
    code, _, _ = _build([str(library), "--out", str(tmp_path / "o"), "--gold-with", "openai:x"])
    assert code == 2


def test_hugging_face_dataset_saved_locally_with_split(tmp_path: Path) -> None:
    import datasets

    texts = corpus_texts()
    rows = stack_rows(texts, repo="alice/game", license="MIT")
    saved = tmp_path / "saved"
    datasets.DatasetDict(
        {
            "train": datasets.Dataset.from_list(rows[:5]),
            "test": datasets.Dataset.from_list(rows[5:]),
        }
    ).save_to_disk(str(saved))
    code, stdout, _ = _build(
        [str(saved), "--out", str(tmp_path / "a"), "--split", "test", "--format", "json"]
    )
    assert json.loads(stdout)["steps"][0]["count"] == len(rows) - 5
    assert code == 1  # no tasks: the SFT files would be empty
    code, _, stderr = _build([str(saved), "--out", str(tmp_path / "b"), "--split", "dev"])
    assert code == 2 and "--split" in stderr
    # A parquet export read through `datasets` (streaming) keeps the licence column.
    parquet = tmp_path / "hub" / "train-00000.parquet"
    parquet.parent.mkdir()
    datasets.Dataset.from_list(rows).to_parquet(str(parquet))
    code, stdout, _ = _build(
        [
            str(parquet.parent),
            "--source-format",
            "stack",
            "--out",
            str(tmp_path / "c"),
            "--format",
            "json",
        ]
    )
    assert json.loads(stdout)["steps"][0]["count"] == len(rows)
    corpus = [json.loads(line) for line in (tmp_path / "c" / "corpus.jsonl").open()]
    assert corpus and {row["license"] for row in corpus} == {"MIT"}
