from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from data_helpers import (
    EVAL_PROMPT,
    EVAL_REFERENCE,
    corpus_texts,
    near_copy_of_killbrick,
    renamed_reference,
    stack_rows,
    write_parquet,
)
from luaurft.data import (
    REFERENCE_SYSTEM_PROMPT,
    CodeRecord,
    DataBuildConfig,
    EvalText,
    SourceSpec,
    build_dataset,
    read_jsonl,
    to_chat,
    to_hf_dataset,
    to_prompt_completion,
)
from test_data_labelling import FakeGenerator

LATIN1 = "-- caf\xe9\nlocal a = 1\nlocal b = 2\nprint(a + b)\n".encode("latin-1")


def _corpus(tmp_path: Path) -> tuple[Path, Path]:
    """Two stack shards with planted near-duplicates and a planted eval solution, plus a folder
    of loose files holding one non-UTF-8 file."""
    texts = corpus_texts()
    reference = EVAL_REFERENCE.read_text(encoding="utf-8")
    shard_a = dict(list(texts.items())[:5])
    shard_b = dict(list(texts.items())[5:])
    shard_b["lava.luau"] = near_copy_of_killbrick(texts["killbrick.luau"])  # near-duplicate
    shard_b["copy_of_leaderstats.luau"] = texts["leaderstats.luau"]  # exact duplicate, other repo
    shard_b["checkpoints.luau"] = renamed_reference(reference)  # the evaluation task, scraped
    stack = tmp_path / "stack"
    write_parquet(stack / "train-00000.parquet", stack_rows(shard_a, repo="alice/game"))
    write_parquet(stack / "train-00001.parquet", stack_rows(shard_b, repo="bob/game"))
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "bad.lua").write_bytes(LATIN1)
    (loose / "gpl_thing.luau").write_text(texts["door_tween.luau"].replace("0.8", "1.2"))
    return stack, loose


def test_pipeline_removes_planted_duplicates_and_eval_task(tmp_path: Path) -> None:
    stack, loose = _corpus(tmp_path)
    texts = corpus_texts()
    config = DataBuildConfig(
        sources=(
            SourceSpec(location=str(stack), format="stack"),
            SourceSpec(location=str(loose), license="GPL-3.0"),
        )
    )
    evals = [
        EvalText(EVAL_REFERENCE.read_text(encoding="utf-8"), id="checkpoint:solution"),
        EvalText(EVAL_PROMPT, id="checkpoint:prompt"),
    ]
    seen: dict[str, int] = {}
    result = build_dataset(
        config, tmp_path / "out", eval_texts=evals,
        progress=lambda stage, n, total: seen.__setitem__(stage, seen.get(stage, 0) + n),
    )  # fmt: skip
    kept = {r.path for r in result.records}
    assert kept == {f"src/{name}" for name in texts}
    counts = result.counts
    assert counts["loaded"] == len(texts) + 3 + 1  # bad.lua never loads
    assert result.card.steps[0].removed == {"non-utf8": 1}
    assert counts["filter:license"] == counts["filter:size"] - 1  # the GPL file
    assert counts["dedup"] == counts["filter:score"] - 2
    assert result.dedup is not None and {d.record.path for d in result.dedup.removed} == {
        "src/lava.luau",
        "src/copy_of_leaderstats.luau",
    }
    assert result.decontam is not None
    assert [(c.record.path, c.eval_id) for c in result.decontam.removed] == [
        ("src/checkpoints.luau", "checkpoint:solution")
    ]
    assert counts["decontaminate"] == len(texts)
    assert seen["load + filter"] == counts["loaded"] and seen["dedup"] == counts["filter:score"]

    out = tmp_path / "out"
    corpus = read_jsonl(out / "corpus.jsonl")
    assert len(corpus) == len(texts) and all(row["score"] >= 0.5 for row in corpus)
    # no record has a task (nothing was labelled): SFT files exist but are empty
    assert read_jsonl(out / "sft_chat.jsonl") == []
    card = json.loads((out / "data_card.json").read_text())
    assert [s["name"] for s in card["steps"]][:3] == ["loaded", "filter:encoding", "filter:size"]
    assert card["final"]["records"] == len(texts)
    assert sum(card["final"]["score_histogram"]["counts"]) == len(texts)
    markdown = (out / "data_card.md").read_text()
    assert "near-duplicate: 2" in markdown and "eval-overlap: 1" in markdown
    assert (out / "score_histogram.png").read_bytes()[:4] == b"\x89PNG"


def test_pipeline_with_labelling_writes_sft_data(tmp_path: Path) -> None:
    stack, _ = _corpus(tmp_path)

    def reply(conversation, call, sample):  # type: ignore[no-untyped-def]
        code = conversation[-1]["content"]
        if "TweenService" in code:
            return "```lua\nprint(1)\n```"  # always rejected
        if "leaderstats" in code and "Wins" in code:
            return "Please " + EVAL_PROMPT  # a label that leaks the evaluation prompt
        return "Create a Roblox script that does what this file does, with server-side checks."

    generator = FakeGenerator(reply)
    config = DataBuildConfig(
        sources=(SourceSpec(location=str(stack), format="table"),), hf_dataset=True
    )
    result = build_dataset(config, tmp_path / "out", eval_texts=[EVAL_PROMPT], labeller=generator)
    counts = result.counts
    assert counts["label"] == counts["decontaminate"] - 1  # the door could not be labelled
    assert counts["decontaminate:tasks"] == counts["label"] - 1  # the leaked prompt
    chat = read_jsonl(tmp_path / "out" / "sft_chat.jsonl")
    pairs = read_jsonl(tmp_path / "out" / "sft_prompt_completion.jsonl")
    assert len(chat) == len(pairs) == counts["decontaminate:tasks"]
    for row in chat:
        roles = [m["role"] for m in row["messages"]]
        assert roles == ["system", "user", "assistant"]
        assert row["messages"][0]["content"] == REFERENCE_SYSTEM_PROMPT
    by_id = {r.id: r for r in result.records}
    assert {row["id"] for row in pairs} == set(by_id)
    assert all(row["completion"][0]["content"] == by_id[row["id"]].text for row in pairs)
    assert result.dataset is not None and result.dataset.num_rows == len(pairs)
    assert (tmp_path / "out" / "hf_dataset").is_dir()


def test_formats_carry_the_exact_reference_system_prompt() -> None:
    assert REFERENCE_SYSTEM_PROMPT == (
        "You are an expert Roblox Luau programmer. Generate complete, production-ready Luau "
        "scripts. Output only code, no markdown."
    )
    record = CodeRecord(id="x", text="print('hi')\n", task="Print a greeting.", source="t")
    chat = to_chat(record)
    assert chat["messages"] == [
        {"role": "system", "content": REFERENCE_SYSTEM_PROMPT},
        {"role": "user", "content": "Print a greeting."},
        {"role": "assistant", "content": "print('hi')\n"},
    ]
    pair = to_prompt_completion(record)
    assert pair["prompt"] == chat["messages"][:2] and pair["completion"] == chat["messages"][2:]
    dataset = to_hf_dataset([record, CodeRecord(id="y", text="x", task=None)])
    assert dataset.num_rows == 1 and dataset[0]["completion"][0]["content"] == "print('hi')\n"


def test_cli_data_build_prints_json_summary(tmp_path: Path) -> None:
    from luaurft.cli import app

    stack, loose = _corpus(tmp_path)
    eval_dir = tmp_path / "evals"
    eval_dir.mkdir()
    (eval_dir / "checkpoint.luau").write_text(EVAL_REFERENCE.read_text(encoding="utf-8"))
    (eval_dir / "checkpoint.txt").write_text(EVAL_PROMPT)
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["data", "build", str(stack), str(loose), "--out", str(tmp_path / "out"), "--eval", str(eval_dir),
         "--license", "mit", "--format", "json"],
    )  # fmt: skip
    # Nothing has a task, so the SFT files are empty: exit 1, pointing at --label-with.
    assert result.exit_code == 1, result.output
    assert "--label-with" in result.stderr
    summary = json.loads(result.stdout)
    steps = {s["name"]: s for s in summary["steps"]}
    assert steps["loaded"]["removed"] == {"non-utf8": 1}
    assert steps["dedup"]["removed"] == {"near-duplicate": 3}  # the loose door copy too, now MIT
    assert steps["decontaminate"]["removed"] == {"eval-overlap": 1}
    assert summary["final"] == len(corpus_texts())
    assert Path(summary["paths"]["corpus"]).is_file()


def test_cli_reports_user_errors_without_traceback(tmp_path: Path) -> None:
    from luaurft.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "data",
                "build",
                str(tmp_path / "missing.csv"),
                "--out",
                str(tmp_path / "o"),
                "--format",
                "bogus",
            ]
        )
    assert exit_info.value.code == 2
